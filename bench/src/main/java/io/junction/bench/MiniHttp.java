package io.junction.bench;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * One blocking HTTP/1.1 keep-alive connection: just enough client for the queue API (requests
 * with a body or not, responses with Content-Length or chunked). Far cheaper per request than
 * java.net.http, so the client side takes as little CPU from the node as possible.
 */
final class MiniHttp implements AutoCloseable {
  /** A response: status code and body bytes. */
  record Response(int status, byte[] body) {
    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  /**
   * "\r\nAuthorization: Bearer T" when JUNCTION_API_TOKEN is set (a node listening beyond loopback,
   * such as the compose cluster, requires a token), else nothing.
   */
  static final String AUTH =
      System.getenv("JUNCTION_API_TOKEN") == null || System.getenv("JUNCTION_API_TOKEN").isBlank()
          ? ""
          : "\r\nAuthorization: Bearer " + System.getenv("JUNCTION_API_TOKEN").strip();

  private final InetSocketAddress target;
  private final String hostHeader;
  private Socket socket;
  private InputStream in;
  private OutputStream out;

  MiniHttp(InetSocketAddress target) {
    this.target = target;
    this.hostHeader = target.getHostString() + ":" + target.getPort();
  }

  private void connect() throws IOException {
    socket = new Socket();
    socket.setTcpNoDelay(true);
    socket.setSoTimeout(30_000);
    socket.connect(target, 5_000);
    in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
    out = new BufferedOutputStream(socket.getOutputStream(), 16 * 1024);
  }

  Response get(String path) throws IOException {
    return send("GET", path, null, null);
  }

  Response send(String method, String path) throws IOException {
    return send(method, path, null, null);
  }

  Response post(String path, String contentType, byte[] body) throws IOException {
    return send("POST", path, contentType, body);
  }

  /** Sends one request; after an error the connection is dropped and the next request reconnects. */
  private Response send(String method, String path, String contentType, byte[] body)
      throws IOException {
    if (socket == null) connect();
    try {
      return exchange(method, path, contentType, body);
    } catch (IOException e) {
      close();
      throw e;
    }
  }

  private Response exchange(String method, String path, String contentType, byte[] body)
      throws IOException {
    StringBuilder head = new StringBuilder(160);
    head.append(method).append(' ').append(path).append(" HTTP/1.1\r\nHost: ").append(hostHeader).append(AUTH);
    if (body != null) {
      head.append("\r\nContent-Type: ").append(contentType);
      head.append("\r\nContent-Length: ").append(body.length);
    }
    head.append("\r\n\r\n");
    out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
    if (body != null) out.write(body);
    out.flush();

    String status = line();
    if (!status.startsWith("HTTP/1.1 ") || status.length() < 12)
      throw new IOException("bad status line: " + status);
    int code = Integer.parseInt(status.substring(9, 12));
    long length = -1;
    boolean chunked = false;
    boolean close = false;
    for (String h = line(); !h.isEmpty(); h = line()) {
      int colon = h.indexOf(':');
      if (colon < 0) continue;
      String name = h.substring(0, colon).trim();
      String value = h.substring(colon + 1).trim();
      if (name.equalsIgnoreCase("Content-Length")) length = Long.parseLong(value);
      else if (name.equalsIgnoreCase("Transfer-Encoding")) chunked = value.contains("chunked");
      else if (name.equalsIgnoreCase("Connection")) close = value.equalsIgnoreCase("close");
    }
    byte[] data;
    if (chunked) data = chunkedBody();
    else if (length >= 0) data = in.readNBytes((int) length);
    else throw new IOException("response without length");
    if (close) close();
    return new Response(code, data);
  }

  private byte[] chunkedBody() throws IOException {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    while (true) {
      String size = line();
      int semi = size.indexOf(';');
      int n = Integer.parseInt((semi < 0 ? size : size.substring(0, semi)).trim(), 16);
      if (n == 0) {
        while (!line().isEmpty()) {
          // trailers, ignored
        }
        return all.toByteArray();
      }
      all.write(in.readNBytes(n));
      line();
    }
  }

  private String line() throws IOException {
    StringBuilder sb = new StringBuilder(64);
    while (true) {
      int b = in.read();
      if (b < 0) throw new EOFException("connection closed by the server");
      if (b == '\n') break;
      if (b != '\r') sb.append((char) b);
    }
    return sb.toString();
  }

  @Override
  public void close() {
    if (socket != null) {
      try {
        socket.close();
      } catch (IOException e) {
        // closing anyway
      }
    }
    socket = null;
  }
}
