package io.junction.http;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;

/**
 * Counts API requests as {@code junction.http.requests} tagged method, path (the API's fixed
 * prefixes only, so ids and destinations cannot blow up the number of series) and status.
 */
final class HttpMetrics {
  private static final Set<String> PATHS =
      Set.of(
          "/metrics",
          "/v1/health",
          "/v1/ready",
          "/v1/node",
          "/v1/events",
          "/v1/endpoints",
          "/v1/routes",
          "/v1/connections",
          "/v1/publish",
          "/v1/queues",
          "/v1/topics",
          "/v1/cluster");
  private static final String[] PREFIXES = PATHS.toArray(String[]::new);
  private final MeterRegistry registry;
  // Bounded: method x fixed path labels x status codes.
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();

  HttpMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  HttpResponse count(HttpRequest request, HttpResponse response) {
    String method = request.method().value(), path = label(request.getUri().path());
    int status = response.status().intValue();
    // The registry's lookup builds and sorts tags on every call: remember each series' counter.
    counters
        .computeIfAbsent(
            method + ' ' + path + ' ' + status,
            k ->
                registry.counter(
                    "junction.http.requests",
                    "method",
                    method,
                    "path",
                    path,
                    "status",
                    Integer.toString(status)))
        .increment();
    return response;
  }

  // Without splitting the path (an array and strings per request): a label is a path itself or,
  // for the two-segment prefixes, the path's first two segments.
  static String label(String path) {
    for (String p : PREFIXES)
      if (path.startsWith(p)
          && (path.length() == p.length()
              || path.charAt(p.length()) == '/' && p.indexOf('/', 1) > 0)) return p;
    return "other";
  }
}
