import java.net.*;
import java.io.*;
public class Client {
    public static void main(String[] args) throws Exception {
        Socket s = new Socket("127.0.0.1", Integer.parseInt(args[0]));
    }
}
