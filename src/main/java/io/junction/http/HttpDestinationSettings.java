package io.junction.http;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.junction.config.ConfigProblems;
import io.junction.routing.Destination;
import io.junction.tls.TlsSettings;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One outbound HTTP destination {@code http:<name>}, from {@code
 * junction.http.destinations.<name>}.
 *
 * @param url a template: {@code {header.X}} and {@code {field.Y}} are replaced (URL-encoded) by the
 *     message's header X and decoded field Y
 * @param body what is sent: the message's payload, or its decoded fields as JSON
 * @param maxConcurrent requests in flight at once
 * @param maxQueue messages waiting for a free slot; more are refused (DeliveryFailed)
 * @param then where the response (a 2xx body) is routed next, if anywhere
 * @param tls trust (and optionally a client certificate) for https URLs; the JDK's CAs otherwise
 */
public record HttpDestinationSettings(
    String name,
    String method,
    String url,
    Map<String, String> headers,
    Body body,
    Duration timeout,
    int maxConcurrent,
    int maxQueue,
    Retries retries,
    Breaker breaker,
    Optional<String> then,
    Optional<TlsSettings> tls) {

  public HttpDestinationSettings {
    headers = Map.copyOf(headers);
  }

  /** What a request's body is made of. */
  public enum Body {
    PAYLOAD,
    FIELDS_JSON
  }

  /**
   * Retry with exponential backoff on connection errors, 5xx and 429, at most {@code max} times.
   */
  public record Retries(int max, Duration minBackoff, Duration maxBackoff) {}

  /** Open after {@code maxFailures} failures in a row; try again after {@code resetTimeout}. */
  public record Breaker(int maxFailures, Duration resetTimeout) {}

  private static final Set<String> KEYS =
      Set.of(
          "method",
          "url",
          "headers",
          "body",
          "timeout",
          "max-concurrent",
          "max-queue",
          "retries",
          "circuit-breaker",
          "then",
          "tls");
  private static final Set<String> METHODS = Set.of("GET", "POST", "PUT", "PATCH", "DELETE");

  static HttpDestinationSettings fromConfig(
      String name, Config c, String p, ConfigProblems problems) {
    problems.rejectUnknownKeys(p, c, KEYS);
    String method =
        problems
            .read(p + ".method", () -> c.hasPath("method") ? c.getString("method") : "POST", "POST")
            .toUpperCase(Locale.ROOT);
    if (!METHODS.contains(method))
      problems.add(p + ".method", "must be one of " + METHODS.stream().sorted().toList());
    String url = problems.read(p + ".url", () -> c.getString("url"), "");
    checkUrl(url, p + ".url", problems);
    Map<String, String> headers = new LinkedHashMap<>();
    if (c.hasPath("headers")) {
      Config h = problems.read(p + ".headers", () -> c.getConfig("headers"), ConfigFactory.empty());
      h.root().forEach((k, v) -> headers.put(k, String.valueOf(v.unwrapped())));
    }
    String bodyText =
        problems.read(p + ".body", () -> c.hasPath("body") ? c.getString("body") : "payload", "");
    Body body =
        switch (bodyText) {
          case "payload" -> Body.PAYLOAD;
          case "fields-json" -> Body.FIELDS_JSON;
          default -> {
            problems.add(p + ".body", "must be payload or fields-json, was '" + bodyText + "'");
            yield Body.PAYLOAD;
          }
        };
    Config r = sub(c, "retries", p, problems);
    problems.rejectUnknownKeys(p + ".retries", r, Set.of("max", "min-backoff", "max-backoff"));
    Config b = sub(c, "circuit-breaker", p, problems);
    problems.rejectUnknownKeys(p + ".circuit-breaker", b, Set.of("max-failures", "reset-timeout"));
    Optional<String> then =
        c.hasPath("then")
            ? Optional.of(problems.read(p + ".then", () -> c.getString("then"), "log"))
            : Optional.empty();
    then.ifPresent(
        t -> problems.read(p + ".then", () -> Destination.parse(t), Destination.Log.INSTANCE));
    return new HttpDestinationSettings(
        name,
        method,
        url,
        headers,
        body,
        problems.positiveDuration(c, p, "timeout", Duration.ofSeconds(10)),
        intIn(c, "max-concurrent", 16, 1, 10_000, p, problems),
        intIn(c, "max-queue", 1000, 0, 1_000_000, p, problems),
        new Retries(
            intIn(r, "max", 3, 0, 100, p + ".retries", problems),
            problems.positiveDuration(r, p + ".retries", "min-backoff", Duration.ofMillis(200)),
            problems.positiveDuration(r, p + ".retries", "max-backoff", Duration.ofSeconds(10))),
        new Breaker(
            intIn(b, "max-failures", 5, 1, 10_000, p + ".circuit-breaker", problems),
            problems.positiveDuration(
                b, p + ".circuit-breaker", "reset-timeout", Duration.ofSeconds(30))),
        then,
        TlsSettings.fromConfig(c, p + ".tls", problems));
  }

  private static void checkUrl(String url, String p, ConfigProblems problems) {
    if (url.isEmpty()) return;
    // Placeholders are not legal URI characters: check the template with them filled in.
    String sample = url.replaceAll("\\{(header|field)\\.[^}]+}", "x");
    if (sample.contains("{") || sample.contains("}")) {
      problems.add(p, "placeholders must be {header.NAME} or {field.NAME}: " + url);
      return;
    }
    try {
      URI u = new URI(sample);
      if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme()))
        problems.add(p, "must be an http:// or https:// URL, was " + url);
      else if (u.getHost() == null) problems.add(p, "has no host: " + url);
    } catch (Exception e) {
      problems.add(p, "is not a URL: " + e.getMessage());
    }
  }

  private static Config sub(Config c, String key, String p, ConfigProblems problems) {
    return c.hasPath(key)
        ? problems.read(p + "." + key, () -> c.getConfig(key), ConfigFactory.empty())
        : ConfigFactory.empty();
  }

  private static int intIn(
      Config c, String key, int fallback, int min, int max, String p, ConfigProblems problems) {
    int v = problems.read(p + "." + key, () -> c.hasPath(key) ? c.getInt(key) : fallback, fallback);
    if (v < min || v > max) {
      problems.add(p + "." + key, "must be between " + min + " and " + max + ", was " + v);
      return fallback;
    }
    return v;
  }
}
