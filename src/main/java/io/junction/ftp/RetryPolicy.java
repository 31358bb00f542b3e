package io.junction.ftp;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How often and how patiently to retry a transfer that failed for a retryable reason: at most
 * {@code maxAttempts} attempts in all, waiting {@code minBackoff * 2^(attempt-1)} (capped at {@code
 * maxBackoff}, plus up to 20% jitter) between them.
 */
public record RetryPolicy(int maxAttempts, Duration minBackoff, Duration maxBackoff) {

  public RetryPolicy {
    if (maxAttempts < 1) throw new IllegalArgumentException("max-attempts must be >= 1");
    if (minBackoff == null || minBackoff.isNegative()) {
      throw new IllegalArgumentException("min-backoff must be >= 0");
    }
    if (maxBackoff == null || maxBackoff.compareTo(minBackoff) < 0) {
      throw new IllegalArgumentException("max-backoff must be >= min-backoff");
    }
  }

  /** Five attempts, 500 ms doubling up to 30 s. */
  public static RetryPolicy defaults() {
    return new RetryPolicy(5, Duration.ofMillis(500), Duration.ofSeconds(30));
  }

  /** The pause after failed attempt number {@code attempt} (1-based). */
  public Duration backoff(int attempt) {
    long base = minBackoff.toMillis();
    long millis = base << Math.min(attempt - 1, 20);
    millis = Math.min(millis, maxBackoff.toMillis());
    long jitter = millis <= 0 ? 0 : ThreadLocalRandom.current().nextLong(millis / 5 + 1);
    return Duration.ofMillis(Math.min(millis + jitter, maxBackoff.toMillis()));
  }
}
