import java.net.*;
import java.io.*;
public class Eof {
    static void serve(Socket c) throws IOException {
        DataInputStream in = new DataInputStream(c.getInputStream());
        String s = in.readUTF();
    }
    public static void main(String[] args) throws Exception {
        ServerSocket ss = new ServerSocket(Integer.parseInt(args[0]));
        while (true) {
            Socket c = ss.accept();
            serve(c);
        }
    }
}
