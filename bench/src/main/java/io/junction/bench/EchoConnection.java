package io.junction.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/**
 * Per-connection echo state: one buffer, allocated on first data so idle connections cost only
 * the channel and key.
 *
 * <p>Wire format: {@code [len: 4 bytes big-endian][payload: len bytes]}. Example: payload
 * "hi" travels as {@code 00 00 00 02 68 69}. Complete frames at the front of the buffer are
 * written back straight from it (they are the echo); a partial frame stays until the rest
 * arrives. While a write is incomplete the connection stops reading, which is the backpressure:
 * memory stays bounded by one max-size frame however fast the peer sends.
 */
final class EchoConnection {
  private static final int INITIAL_CAPACITY = 16 * 1024;

  private final SocketChannel ch;
  private final int maxFrame;
  private ByteBuffer buf; // fill mode: [0, position) holds received bytes
  private int filled; // while draining: bytes received; buf is then in drain mode up to echoEnd

  EchoConnection(SocketChannel ch, int maxFrame) {
    this.ch = ch;
    this.maxFrame = maxFrame;
  }

  /** Returns false when the connection must be closed (EOF or a frame over the limit). */
  boolean onReadable(SelectionKey key) throws IOException {
    if (buf == null) {
      buf = ByteBuffer.allocate(INITIAL_CAPACITY);
    }
    if (ch.read(buf) < 0) {
      return false;
    }
    int end = completeFramesEnd();
    if (end < 0) {
      return false;
    }
    if (end == 0) {
      return growForPendingFrame();
    }
    filled = buf.position();
    buf.flip().limit(end);
    return drain(key);
  }

  boolean onWritable(SelectionKey key) throws IOException {
    return drain(key);
  }

  /** Writes [position, echoEnd); once done, keeps the partial tail and resumes reading. */
  private boolean drain(SelectionKey key) throws IOException {
    ch.write(buf);
    if (buf.hasRemaining()) {
      key.interestOps(SelectionKey.OP_WRITE); // stop reading until the peer takes our output
      return true;
    }
    buf.limit(filled);
    buf.compact();
    key.interestOps(SelectionKey.OP_READ);
    return true;
  }

  /** Offset just past the last complete frame, 0 if none, -1 if a header exceeds the limit. */
  private int completeFramesEnd() {
    int pos = 0;
    int received = buf.position();
    while (received - pos >= 4) {
      int len = buf.getInt(pos);
      if (len < 0 || len > maxFrame) {
        return -1;
      }
      if (received - pos - 4 < len) {
        break;
      }
      pos += 4 + len;
    }
    return pos;
  }

  /** A frame larger than the buffer is in progress: grow just enough for it (bounded above). */
  private boolean growForPendingFrame() {
    if (buf.position() < 4) {
      return true;
    }
    int needed = 4 + buf.getInt(0);
    if (needed > buf.capacity()) {
      ByteBuffer bigger = ByteBuffer.allocate(Math.max(needed, Math.min(2 * buf.capacity(), maxFrame + 4)));
      buf.flip();
      bigger.put(buf);
      buf = bigger;
    }
    return true;
  }
}
