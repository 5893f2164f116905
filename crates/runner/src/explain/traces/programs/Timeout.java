import java.net.*;
import java.io.*;
public class Timeout {
    public static void main(String[] args) throws Exception {
        DatagramSocket s = new DatagramSocket();
        s.setSoTimeout(200);
        byte[] b = new byte[100];
        DatagramPacket p = new DatagramPacket(b, b.length);
        s.receive(p);
    }
}
