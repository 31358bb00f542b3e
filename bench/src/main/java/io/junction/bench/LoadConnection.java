package io.junction.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/**
 * One pipelined client connection: keeps up to {@code window} frames in flight, checks that
 * echoes come back in order and byte-identical, and records each round trip. Runs on the
 * generator's single selector thread, so it needs no synchronisation.
 */
final class LoadConnection {
  /** Shared, single-threaded run counters. */
  static final class Stats {
    final LatencyHistogram latency = new LatencyHistogram();
    long frames;
    boolean measuring;

    void reset() {
      latency.reset();
      frames = 0;
    }
  }

  private final long id;
  private final SocketChannel ch;
  private final int window;
  private final Payloads payloads;
  private final Stats stats;
  private final long[] sentAt;
  private final ByteBuffer out;
  private final ByteBuffer in;
  private long nextSend;
  private long nextExpect;
  private boolean sending = true;

  LoadConnection(long id, SocketChannel ch, int window, Payloads payloads, Stats stats) {
    this.id = id;
    this.ch = ch;
    this.window = window;
    this.payloads = payloads;
    this.stats = stats;
    int frameBytes = 4 + payloads.size();
    this.sentAt = new long[window];
    this.out = ByteBuffer.allocate(window * frameBytes);
    this.in = ByteBuffer.allocate(Math.max(64 * 1024, 2 * frameBytes));
  }

  long outstanding() {
    return nextSend - nextExpect;
  }

  void stopSending() {
    sending = false;
  }

  /** Tops the pipeline up to the window and writes what the socket accepts. */
  void fill(SelectionKey key) throws IOException {
    int frameBytes = 4 + payloads.size();
    long now = System.nanoTime();
    while (sending && outstanding() < window && out.remaining() >= frameBytes) {
      payloads.writeFrame(out, id, nextSend);
      sentAt[(int) (nextSend % window)] = now;
      nextSend++;
    }
    out.flip();
    ch.write(out);
    out.compact();
    key.interestOps(out.position() > 0 ? SelectionKey.OP_READ | SelectionKey.OP_WRITE : SelectionKey.OP_READ);
  }

  /** Consumes echoed frames; throws on anything but the exact next expected frame. */
  void onReadable(SelectionKey key) throws IOException {
    if (ch.read(in) < 0) {
      throw new IOException("connection " + id + " closed by target with " + outstanding() + " frames in flight");
    }
    long now = System.nanoTime();
    int received = in.position();
    int pos = 0;
    while (received - pos >= 4) {
      int len = in.getInt(pos);
      if (len != payloads.size()) {
        throw new IOException("connection " + id + " frame " + nextExpect + ": length " + len + ", sent " + payloads.size());
      }
      if (received - pos - 4 < len) {
        break;
      }
      if (nextExpect >= nextSend || !payloads.matches(in.array(), pos + 4, id, nextExpect)) {
        throw new IOException("connection " + id + " frame " + nextExpect + ": echoed payload differs from what was sent");
      }
      if (stats.measuring) {
        stats.latency.record(now - sentAt[(int) (nextExpect % window)]);
        stats.frames++;
      }
      nextExpect++;
      pos += 4 + len;
    }
    in.limit(received).position(pos);
    in.compact();
    fill(key);
  }
}
