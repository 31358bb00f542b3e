package io.junction.faults;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What one fault rule asks for, validated: its kind, its scope and target (an endpoint,
 * destination, route or queue name), the share of frames or deliveries it hits, its kind's
 * parameters and when it ends.
 *
 * <p>Parsed from the flat string map the API and CLI send, e.g. {@code {"kind": "delay",
 * "endpoint": "frames", "delay": "200ms", "jitter": "50ms", "percent": "50", "ttl": "30s"}}.
 */
public record FaultSpec(
    FaultKind kind,
    FaultKind.Scope scope,
    String target,
    double percent,
    Duration delay,
    Duration jitter,
    int bytes,
    long count,
    Duration duration,
    int buffer,
    int status,
    Instant expires) {

  private static final Set<String> COMMON =
      Set.of("kind", "endpoint", "destination", "route", "queue", "percent", "ttl", "until");
  private static final Map<FaultKind, Set<String>> PARAMS =
      Map.of(
          FaultKind.DELAY, Set.of("delay", "jitter"),
          FaultKind.CORRUPT, Set.of("bytes"),
          FaultKind.CLOSE_AFTER, Set.of("count"),
          FaultKind.CRASH_ENDPOINT, Set.of("count"),
          FaultKind.CRASH_QUEUE, Set.of("count"),
          FaultKind.STALL, Set.of("duration"),
          FaultKind.PAUSE_DESTINATION, Set.of("buffer"),
          FaultKind.SLOW_JOURNAL_WRITES, Set.of("delay", "jitter"),
          FaultKind.FAIL_REQUESTS, Set.of("status"));

  /** A rule the caller got wrong; the message names the field. */
  public static final class Invalid extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    Invalid(String message) {
      super(message);
    }
  }

  /** Parses and validates {@code fields}; throws {@link Invalid} naming the first problem. */
  public static FaultSpec parse(Map<String, String> fields, Instant now, FaultSettings settings) {
    String kindText = required(fields, "kind");
    FaultKind kind =
        FaultKind.parse(kindText)
            .orElseThrow(
                () -> new Invalid("kind '" + kindText + "' is not one of " + FaultKind.names()));
    Set<String> params = PARAMS.getOrDefault(kind, Set.of());
    for (String key : fields.keySet())
      if (!COMMON.contains(key) && !params.contains(key))
        throw new Invalid(
            "'" + key + "' does not apply to " + kind.text() + " (it takes " + params + ")");
    FaultKind.Scope scope = scope(kind, fields);
    String target = required(fields, scope.key());
    double percent = number(fields, "percent", 100);
    if (!(percent > 0 && percent <= 100))
      throw new Invalid("percent must be > 0 and <= 100, was " + percent);
    Duration delay =
        duration(fields, "delay", kind == FaultKind.DELAY || kind == FaultKind.SLOW_JOURNAL_WRITES);
    Duration jitter = duration(fields, "jitter", false);
    if (jitter.compareTo(delay) > 0) throw new Invalid("jitter must not exceed delay");
    Duration duration = duration(fields, "duration", kind == FaultKind.STALL);
    int bytes = (int) number(fields, "bytes", 1);
    if (bytes < 1 || bytes > 1024) throw new Invalid("bytes must be 1..1024, was " + bytes);
    long count = (long) number(fields, "count", kind == FaultKind.CLOSE_AFTER ? -1 : crashes(kind));
    if (kind == FaultKind.CLOSE_AFTER && count < 1)
      throw new Invalid("close-after needs count >= 1");
    if (crashes(kind) > 0 && (count < 1 || count > 1000))
      throw new Invalid(kind.text() + " needs count 1..1000 (crashes over the rule's life)");
    int buffer = (int) number(fields, "buffer", settings.pauseBuffer());
    if (buffer < 0 || buffer > 1_000_000) throw new Invalid("buffer must be 0..1000000");
    int status = (int) number(fields, "status", 503);
    if (status < 500 || status > 599) throw new Invalid("status must be 500..599, was " + status);
    Instant expires = expires(fields, now, settings.maxTtl());
    return new FaultSpec(
        kind, scope, target, percent, delay, jitter, bytes, count, duration, buffer, status,
        expires);
  }

  /** The rule as the API shows it (parameters of its kind only). */
  public Map<String, Object> view() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("kind", kind.text());
    m.put(scope.key(), target);
    m.put("percent", percent);
    switch (kind) {
      case DELAY, SLOW_JOURNAL_WRITES -> {
        m.put("delay", delay.toMillis() + "ms");
        m.put("jitter", jitter.toMillis() + "ms");
      }
      case CORRUPT -> m.put("bytes", bytes);
      case CLOSE_AFTER, CRASH_ENDPOINT, CRASH_QUEUE -> m.put("count", count);
      case STALL -> m.put("duration", duration.toMillis() + "ms");
      case PAUSE_DESTINATION -> m.put("buffer", buffer);
      case FAIL_REQUESTS -> m.put("status", status);
      default -> {}
    }
    m.put("until", expires.toString());
    return m;
  }

  // A crash rule crashes its target once unless it says otherwise; other kinds count nothing.
  private static long crashes(FaultKind kind) {
    return kind == FaultKind.CRASH_ENDPOINT || kind == FaultKind.CRASH_QUEUE ? 1 : 0;
  }

  // Exactly one scope field, and one the kind allows.
  private static FaultKind.Scope scope(FaultKind kind, Map<String, String> fields) {
    List<FaultKind.Scope> given =
        Arrays.stream(FaultKind.Scope.values()).filter(s -> fields.containsKey(s.key())).toList();
    String allowed =
        kind.scopes().stream().map(FaultKind.Scope::key).collect(Collectors.joining(" or "));
    for (FaultKind.Scope s : given)
      if (!kind.scopes().contains(s))
        throw new Invalid(
            kind.text() + " is scoped to " + article(allowed) + allowed + ", not a " + s.key());
    if (given.size() > 1)
      throw new Invalid(kind.text() + " takes one of " + allowed + ", not " + given.size());
    return given.isEmpty() ? kind.scopes().get(0) : given.get(0);
  }

  private static String article(String word) {
    return "aeiou".indexOf(word.charAt(0)) >= 0 ? "an " : "a ";
  }

  private static String required(Map<String, String> fields, String key) {
    String v = fields.get(key);
    if (v == null || v.isBlank()) throw new Invalid(key + " is required");
    return v.strip();
  }

  private static double number(Map<String, String> fields, String key, double fallback) {
    String v = fields.get(key);
    if (v == null) return fallback;
    try {
      return Double.parseDouble(v.strip());
    } catch (NumberFormatException e) {
      throw new Invalid(key + " must be a number, was '" + v + "'");
    }
  }

  private static Duration duration(Map<String, String> fields, String key, boolean required) {
    String v = fields.get(key);
    if (v == null) {
      if (required) throw new Invalid(key + " is required (e.g. \"200ms\")");
      return Duration.ZERO;
    }
    try {
      Duration d = ConfigFactory.parseMap(Map.of("d", v.strip())).getDuration("d");
      if (d.isNegative()) throw new Invalid(key + " must not be negative");
      return d;
    } catch (ConfigException e) {
      throw new Invalid(key + " must be a duration such as 200ms or 30s, was '" + v + "'");
    }
  }

  private static Instant expires(Map<String, String> fields, Instant now, Duration maxTtl) {
    boolean ttl = fields.containsKey("ttl"), until = fields.containsKey("until");
    if (ttl == until) throw new Invalid("exactly one of ttl or until is required: rules expire");
    Instant end;
    if (ttl) {
      Duration d = duration(fields, "ttl", true);
      if (d.isZero()) throw new Invalid("ttl must be positive");
      if (d.compareTo(maxTtl) > 0)
        throw new Invalid("ttl " + v(fields, "ttl") + " exceeds junction.faults.max-ttl " + maxTtl);
      end = now.plus(d);
    } else {
      try {
        end = Instant.parse(v(fields, "until"));
      } catch (DateTimeParseException e) {
        throw new Invalid("until must be an ISO-8601 instant such as 2026-01-01T12:00:00Z");
      }
      if (!end.isAfter(now)) throw new Invalid("until " + end + " is not in the future");
      if (end.isAfter(now.plus(maxTtl)))
        throw new Invalid("until " + end + " is beyond junction.faults.max-ttl " + maxTtl);
    }
    return end;
  }

  private static String v(Map<String, String> fields, String key) {
    return fields.get(key).strip();
  }
}
