import java.net.*;
import java.io.*;
public class Reset {
    public static void main(String[] args) throws Exception {
        ServerSocket ss = new ServerSocket(Integer.parseInt(args[0]));
        Socket c = ss.accept();
        InputStream in = c.getInputStream();
        byte[] buf = new byte[1024];
        while (true) { int n = in.read(buf); if (n < 0) break; }
    }
}
