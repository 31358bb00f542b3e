package io.junction.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.net.ssl.SSLContext;

/**
 * A bare STOMP client over a real socket, for tests: writes frames as given and reads whole frames
 * (by content-length when present), with a read timeout so no test waits forever.
 */
public final class StompClient implements AutoCloseable {
  /** A frame as read: command, headers (first of a repeated name), body. */
  public record Frame(String command, Map<String, String> headers, byte[] body) {
    public String header(String name) {
      return headers.get(name);
    }

    public String text() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  public StompClient(int port) throws IOException {
    this(new Socket("127.0.0.1", port));
  }

  private StompClient(Socket socket) throws IOException {
    this.socket = socket;
    socket.setSoTimeout(10_000);
    this.in = new java.io.BufferedInputStream(socket.getInputStream());
    this.out = socket.getOutputStream();
  }

  public static StompClient tls(int port, SSLContext context) throws IOException {
    Socket s = context.getSocketFactory().createSocket("127.0.0.1", port);
    return new StompClient(s);
  }

  /** How long a read waits before it fails. */
  public void timeout(int millis) throws IOException {
    socket.setSoTimeout(millis);
  }

  /** CONNECT (1.2) with an optional passcode; returns the answer (CONNECTED or ERROR). */
  public Frame connect(String passcode) throws IOException {
    return connect(passcode, null);
  }

  /** CONNECT (1.2) asking for {@code heart-beat: cx,cy} (none when null). */
  public Frame connect(String passcode, String heartBeat) throws IOException {
    StringBuilder f = new StringBuilder("CONNECT\naccept-version:1.2\nhost:localhost\n");
    if (passcode != null) f.append("login:test\npasscode:").append(passcode).append('\n');
    if (heartBeat != null) f.append("heart-beat:").append(heartBeat).append('\n');
    write(f.append('\n').toString().getBytes(StandardCharsets.UTF_8), new byte[0]);
    return read();
  }

  /** A frame: {@code head} is the command and header lines, up to (without) the blank line. */
  public void send(String head, String body) throws IOException {
    send(head, body.getBytes(StandardCharsets.UTF_8));
  }

  public void send(String head, byte[] body) throws IOException {
    String h = head.endsWith("\n") ? head : head + "\n";
    if (body.length > 0) h += "content-length:" + body.length + "\n";
    write((h + "\n").getBytes(StandardCharsets.UTF_8), body);
  }

  /** Raw bytes, as a broken or hostile client would send them. */
  public void raw(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  private void write(byte[] head, byte[] body) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream(head.length + body.length + 1);
    b.writeBytes(head);
    b.writeBytes(body);
    b.write(0);
    out.write(b.toByteArray());
    out.flush();
  }

  /** The next frame (heart-beat end-of-lines skipped); fails after the read timeout. */
  public Frame read() throws IOException {
    int c;
    while ((c = in.read()) == '\n' || c == '\r') {}
    if (c < 0) throw new IOException("connection closed");
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    line.write(c);
    String command = line(line);
    Map<String, String> headers = new LinkedHashMap<>();
    String h;
    while (!(h = line(new ByteArrayOutputStream())).isEmpty()) {
      int colon = h.indexOf(':');
      headers.putIfAbsent(h.substring(0, colon), unescape(h.substring(colon + 1)));
    }
    byte[] body;
    if (headers.containsKey("content-length")) {
      body = in.readNBytes(Integer.parseInt(headers.get("content-length")));
      if (in.read() != 0) throw new IOException("no NUL after the body");
    } else {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      while ((c = in.read()) > 0) b.write(c);
      if (c < 0) throw new IOException("connection closed inside a frame");
      body = b.toByteArray();
    }
    return new Frame(command, headers, body);
  }

  /** The next byte as it comes (a heart-beat is a lone end-of-line); -1 at the end. */
  public int readByte() throws IOException {
    return in.read();
  }

  /** True if the server closed the connection (end of stream) within the read timeout. */
  public boolean closedByServer() throws IOException {
    try {
      while (true) {
        int c = in.read();
        if (c < 0) return true;
      }
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true; // reset
    }
  }

  private String line(ByteArrayOutputStream b) throws IOException {
    int c;
    while ((c = in.read()) != '\n') {
      if (c < 0) throw new IOException("connection closed inside a frame");
      b.write(c);
    }
    String s = b.toString(StandardCharsets.UTF_8);
    return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
  }

  private static String unescape(String s) {
    return s.replace("\\c", ":").replace("\\n", "\n").replace("\\r", "\r").replace("\\\\", "\\");
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
