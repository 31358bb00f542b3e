package io.junction.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** A plain blocking socket, as a C or Qt peer would use, with reads bounded by a timeout. */
public final class WireClient implements AutoCloseable {
  private final Socket socket;
  private final InputStream in;

  public WireClient(int port) throws IOException {
    socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout(10_000);
    socket.setTcpNoDelay(true);
    in = socket.getInputStream();
  }

  public Socket socket() {
    return socket;
  }

  public WireClient write(byte[] bytes) throws IOException {
    socket.getOutputStream().write(bytes);
    socket.getOutputStream().flush();
    return this;
  }

  public WireClient writeLine(String line) throws IOException {
    return write((line + "\n").getBytes(StandardCharsets.UTF_8));
  }

  public byte[] readExactly(int n) throws IOException {
    byte[] b = in.readNBytes(n);
    if (b.length < n)
      throw new IOException("connection closed after " + b.length + " of " + n + " bytes");
    return b;
  }

  public String readLine() throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) != '\n') {
      if (c < 0) throw new IOException("connection closed mid-line");
      line.write(c);
    }
    return line.toString(StandardCharsets.UTF_8);
  }

  /** One 4-byte big-endian length-prefixed frame's payload. */
  public byte[] readFrame() throws IOException {
    int len = ByteBuffer.wrap(readExactly(4)).getInt();
    return readExactly(len);
  }

  public static byte[] frame(byte[] payload) {
    return ByteBuffer.allocate(4 + payload.length).putInt(payload.length).put(payload).array();
  }

  /** True when the server closed the connection (EOF or reset) within the read timeout. */
  public boolean isClosedByPeer() {
    try {
      while (true) {
        if (in.read() < 0) return true;
      }
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true; // reset
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
