package io.junction.bench;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Deterministic frame contents, so an echo can be checked byte for byte without keeping copies:
 * payload = [seq: 8 bytes][connection id: 8 bytes][pattern slice chosen by seq and id].
 */
final class Payloads {
  static final int MIN_SIZE = 16;
  private static final int PATTERN_SPREAD = 256;

  private final int size;
  private final byte[] pattern;

  Payloads(int size) {
    if (size < MIN_SIZE) {
      throw new IllegalArgumentException("--size must be >= " + MIN_SIZE + " bytes");
    }
    this.size = size;
    this.pattern = new byte[size + PATTERN_SPREAD];
    new SplittableRandom(42).nextBytes(pattern);
  }

  int size() {
    return size;
  }

  private static int offset(long seq, long connId) {
    return (int) ((seq * 7 + connId) & (PATTERN_SPREAD - 1));
  }

  /** Appends one whole frame (header + payload) for (connId, seq) to out. */
  void writeFrame(ByteBuffer out, long connId, long seq) {
    out.putInt(size).putLong(seq).putLong(connId);
    out.put(pattern, offset(seq, connId), size - MIN_SIZE);
  }

  /** True if the payload at array[from, from + size) is exactly what writeFrame sent. */
  boolean matches(byte[] array, int from, long connId, long seq) {
    ByteBuffer view = ByteBuffer.wrap(array, from, MIN_SIZE);
    if (view.getLong() != seq || view.getLong() != connId) {
      return false;
    }
    int p = offset(seq, connId);
    return Arrays.mismatch(array, from + MIN_SIZE, from + size, pattern, p, p + size - MIN_SIZE) < 0;
  }
}
