package io.junction.faults;

import io.junction.testing.WireClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A length-prefixed TCP peer whose replies are read by a background thread, so that a test can send
 * a burst and account for what came back (and whether the node closed the connection).
 */
final class FramedPeer implements AutoCloseable {
  private final WireClient client;
  private final List<String> replies = new ArrayList<>();
  private final Thread reader;
  private volatile boolean closedByNode;

  FramedPeer(int port) throws IOException {
    client = new WireClient(port);
    client.socket().setSoTimeout(60_000);
    reader = new Thread(this::read, "framed-peer-reader");
    reader.setDaemon(true);
    reader.start();
  }

  private void read() {
    try {
      while (true) {
        String r = new String(client.readFrame(), StandardCharsets.ISO_8859_1);
        synchronized (replies) {
          replies.add(r);
        }
      }
    } catch (IOException e) {
      closedByNode = true;
    }
  }

  /** Sends payloads {@code prefix0 .. prefix(n-1)}, each in its own frame, in one write. */
  FramedPeer send(String prefix, int n) throws IOException {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    for (int i = 0; i < n; i++) out.writeBytes(WireClient.frame(payload(prefix, i)));
    client.write(out.toByteArray());
    return this;
  }

  /** Writes bytes as they are (already framed). */
  FramedPeer sendRaw(byte[] bytes) throws IOException {
    client.write(bytes);
    return this;
  }

  static byte[] payload(String prefix, int i) {
    return (prefix + i).getBytes(StandardCharsets.ISO_8859_1);
  }

  List<String> replies() {
    synchronized (replies) {
      return List.copyOf(replies);
    }
  }

  boolean closedByNode() {
    return closedByNode;
  }

  @Override
  public void close() throws Exception {
    client.close();
    reader.join(10_000);
  }
}
