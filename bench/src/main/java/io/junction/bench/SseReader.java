package io.junction.bench;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A blocking server-sent-events client over one HTTP/1.1 connection (chunked or close-delimited
 * response): returns the data of each event. {@link #close()} from another thread ends a blocked {@link #next()}.
 */
final class SseReader implements AutoCloseable {
  private final Socket socket = new Socket();
  private final InputStream in;
  private final StringBuilder pending = new StringBuilder();
  private final boolean chunked;
  private final byte[] buf = new byte[64 * 1024];

  SseReader(InetSocketAddress target, String path) throws IOException {
    socket.setTcpNoDelay(true);
    socket.connect(target, 5_000);
    socket.getOutputStream()
        .write(
            ("GET " + path + " HTTP/1.1\r\nHost: " + target.getHostString() + ":" + target.getPort()
                    + MiniHttp.AUTH
                    + "\r\nAccept: text/event-stream\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
    in = new BufferedInputStream(socket.getInputStream(), 256 * 1024);
    String status = line();
    if (!status.contains(" 200 ")) throw new IOException("stream refused: " + status);
    boolean chunked = false;
    for (String h = line(); !h.isEmpty(); h = line())
      chunked |= h.equalsIgnoreCase("transfer-encoding: chunked");
    this.chunked = chunked;
  }

  /** The data of the next event that has any (heartbeats are skipped). */
  String next() throws IOException {
    while (true) {
      int end = pending.indexOf("\n\n");
      if (end >= 0) {
        String event = pending.substring(0, end);
        pending.delete(0, end + 2);
        StringBuilder data = new StringBuilder();
        for (String l : event.split("\n")) if (l.startsWith("data:")) data.append(l, 5, l.length());
        if (data.length() > 0) return data.toString();
        continue;
      }
      if (!chunked) { // close-delimited, as Junction sends it: whatever has arrived, in bulk
        int n = in.read(buf);
        if (n < 0) throw new EOFException("stream ended");
        pending.append(new String(buf, 0, n, StandardCharsets.US_ASCII)); // the bench's are ASCII
        continue;
      }
      int size = Integer.parseInt(line().trim(), 16);
      if (size == 0) throw new EOFException("stream ended");
      pending.append(new String(in.readNBytes(size), StandardCharsets.UTF_8));
      line();
    }
  }

  /** Whether {@link #next()} would return without reading from the network. */
  boolean hasBuffered() throws IOException {
    return pending.indexOf("\n\n") >= 0 || in.available() > 0;
  }

  private String line() throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream(16);
    for (int c = in.read(); c != '\n'; c = in.read()) {
      if (c < 0) throw new EOFException("connection closed");
      if (c != '\r') b.write(c);
    }
    return b.toString(StandardCharsets.US_ASCII);
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException e) {
      // closing anyway
    }
  }
}
