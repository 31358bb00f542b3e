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
    Duration min = problems.positiveDuration(c, path, "min-backoff", Duration.ofMillis(200));
    Duration maxB = problems.positiveDuration(c, path, "max-backoff", Duration.ofSeconds(10));
    if (maxB.compareTo(min) < 0)
      problems.add(path + ".max-backoff", "must not be less than min-backoff");
    return Optional.of(
        new Retry(
            Math.max(1, max),
            min,
            maxB,
            problems.positiveDuration(c, path, "timeout", Duration.ofSeconds(30))));
  }
}
