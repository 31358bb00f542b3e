package io.junction.routing;

import com.typesafe.config.Config;
import io.junction.config.ConfigProblems;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/**
 * A route's {@code aggregate}: messages are collected into one batch message, sent when it holds
 * {@code max-records} messages or {@code max-bytes} bytes, or {@code max-wait} after its first.
 *
 * <pre>aggregate { max-records = 100, max-bytes = 1m, max-wait = 10s, join = json-lines }</pre>
 *
 * {@code join}: {@code concat} (payloads back to back, e.g. structs), {@code lines} (payloads one
 * per line) or {@code json-lines} (each message's decoded fields, else its payload, as one JSON
 * line).
 */
public record Aggregate(int maxRecords, long maxBytes, Duration maxWait, Join join) {

  /** How the batch's payload is made from its messages. */
  public enum Join {
    CONCAT,
    LINES,
    JSON_LINES
  }

  static Optional<Aggregate> fromConfig(Config r, String path, ConfigProblems problems) {
    if (!r.hasPath("aggregate")) return Optional.empty();
    Config c = problems.read(path, () -> r.getConfig("aggregate"), null);
    if (c == null) return Optional.empty();
    problems.rejectUnknownKeys(path, c, Set.of("max-records", "max-bytes", "max-wait", "join"));
    int records =
        problems.read(
            path + ".max-records",
            () -> c.hasPath("max-records") ? c.getInt("max-records") : 100,
            100);
    long bytes =
        problems.read(
            path + ".max-bytes",
            () -> c.hasPath("max-bytes") ? c.getBytes("max-bytes") : 1L << 20,
            1L << 20);
    Duration wait =
        problems.read(
            path + ".max-wait",
            () -> c.hasPath("max-wait") ? c.getDuration("max-wait") : Duration.ofSeconds(10),
            Duration.ofSeconds(10));
    String join =
        problems.read(
            path + ".join", () -> c.hasPath("join") ? c.getString("join") : "concat", "concat");
    if (records < 1 || records > 1_000_000)
      problems.add(path + ".max-records", "must be 1..1000000");
    if (bytes < 1 || bytes > 256L << 20)
      problems.add(path + ".max-bytes", "must be 1 byte..256 MiB");
    if (wait.isNegative() || wait.isZero()) problems.add(path + ".max-wait", "must be positive");
    Join j;
    try {
      j = Join.valueOf(join.toUpperCase(java.util.Locale.ROOT).replace('-', '_'));
    } catch (IllegalArgumentException e) {
      problems.add(path + ".join", "must be concat, lines or json-lines, was '" + join + "'");
      j = Join.CONCAT;
    }
    return Optional.of(new Aggregate(Math.max(1, records), Math.max(1, bytes), wait, j));
  }
}
