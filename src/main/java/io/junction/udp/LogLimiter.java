package io.junction.udp;

/**
 * Lets one warning through per interval and counts the rest, so a flood of bad datagrams cannot
 * flood the log too. Owned by one actor; not thread-safe.
 */
final class LogLimiter {
  private final long intervalNanos;
  private long nextAllowed = Long.MIN_VALUE;
  private long suppressed;

  LogLimiter(long intervalMillis) {
    this.intervalNanos = intervalMillis * 1_000_000L;
  }

  /**
   * Whether to log now; if so, {@link #suppressed()} tells how many were held back since the last
   * one.
   */
  boolean allow() {
    long now = System.nanoTime();
    if (nextAllowed != Long.MIN_VALUE && now - nextAllowed < 0) {
      suppressed++;
      return false;
    }
    nextAllowed = now + intervalNanos;
    return true;
  }

  /** How many were held back since the last allowed one; resets the count. */
  long suppressed() {
    long s = suppressed;
    suppressed = 0;
    return s;
  }
}
