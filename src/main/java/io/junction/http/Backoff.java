package io.junction.http;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/** Exponential backoff with ±20% jitter, and the server's Retry-After when it asks for longer. */
final class Backoff {
  private Backoff() {}

  /**
   * The wait before retry number {@code attempt} (0 for the first retry): {@code min * 2^attempt}
   * capped at {@code max}, or {@code retryAfter} when that is longer (still capped at {@code max}:
   * a slot is held meanwhile, and an hour-long hold would starve the destination).
   */
  static Duration delay(int attempt, Duration min, Duration max, Optional<Duration> retryAfter) {
    long base = min.toMillis() << Math.min(attempt, 30);
    long capped = Math.min(Math.max(base, min.toMillis()), max.toMillis());
    double jitter = 1 + (ThreadLocalRandom.current().nextDouble() - 0.5) * 0.4;
    long millis = Math.min((long) (capped * jitter), max.toMillis());
    if (retryAfter.isPresent())
      millis = Math.max(millis, Math.min(retryAfter.get().toMillis(), max.toMillis()));
    return Duration.ofMillis(Math.max(1, millis));
  }
}
