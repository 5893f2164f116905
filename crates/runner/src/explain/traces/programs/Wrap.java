import java.net.*;
public class Wrap {
    static void open(int port) {
        try { new ServerSocket(port); new ServerSocket(port); }
        catch (Exception e) { throw new RuntimeException("could not start", e); }
    }
    public static void main(String[] args) { open(Integer.parseInt(args[0])); }
}
