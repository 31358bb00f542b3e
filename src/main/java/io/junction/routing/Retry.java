package io.junction.routing;

import com.typesafe.config.Config;
import io.junction.config.ConfigProblems;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/**
 * A route's retry policy for destinations that acknowledge: a refusal or a missing answer is
 * retried with exponential backoff up to {@code max-attempts}, then the message goes to the route's
 * {@code on-error} destination with the last reason.
 *
 * <pre>retry { max-attempts = 5, min-backoff = 200ms, max-backoff = 10s, timeout = 30s }</pre>
 */
public record Retry(int maxAttempts, Duration minBackoff, Duration maxBackoff, Duration timeout) {

  /** Delay before attempt {@code n + 1} after {@code n} failed attempts. */
  Duration backoff(int failedAttempts) {
    Duration d = minBackoff.multipliedBy(1L << Math.min(failedAttempts - 1, 20));
    return d.compareTo(maxBackoff) > 0 ? maxBackoff : d;
  }

  static Optional<Retry> fromConfig(Config r, String path, ConfigProblems problems) {
    if (!r.hasPath("retry")) return Optional.empty();
    Config c = problems.read(path, () -> r.getConfig("retry"), null);
    if (c == null) return Optional.empty();
    problems.rejectUnknownKeys(
        path, c, Set.of("max-attempts", "min-backoff", "max-backoff", "timeout"));
    int max =
        problems.read(
            path + ".max-attempts",
            () -> c.hasPath("max-attempts") ? c.getInt("max-attempts") : 3,
            3);
    if (max < 1) problems.add(path + ".max-attempts", "must be at least 1");
    Duration min = duration(c, "min-backoff", Duration.ofMillis(200), path, problems);
    Duration maxB = duration(c, "max-backoff", Duration.ofSeconds(10), path, problems);
    if (maxB.compareTo(min) < 0)
      problems.add(path + ".max-backoff", "must not be less than min-backoff");
    return Optional.of(
        new Retry(
            Math.max(1, max),
            min,
            maxB,
            duration(c, "timeout", Duration.ofSeconds(30), path, problems)));
  }

  private static Duration duration(
      Config c, String key, Duration fallback, String path, ConfigProblems problems) {
    Duration d =
        problems.read(
            path + "." + key, () -> c.hasPath(key) ? c.getDuration(key) : fallback, fallback);
    if (d.isNegative() || d.isZero()) {
      problems.add(path + "." + key, "must be positive");
      return fallback;
    }
    return d;
  }
}
