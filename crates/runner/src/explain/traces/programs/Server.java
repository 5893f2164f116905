import java.net.*;
import java.io.*;
public class Server {
    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        ServerSocket a = new ServerSocket(port);
        ServerSocket b = new ServerSocket(port);
    }
}
