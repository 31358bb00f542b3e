package io.junction.routing;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * Per-route counters: matched messages, delivered and failed deliveries, dropped messages
 * (throttled, or no choice branch took them) and messages sent to on-error.
 */
final class RouteMetrics {
  static final RouteMetrics NONE = new RouteMetrics(new SimpleMeterRegistry());
  private final MeterRegistry registry;

  /** One route's counters, looked up once per table rather than once per message. */
  record Counters(
      Counter matched, Counter delivered, Counter failed, Counter dropped, Counter errored) {}

  /** Counter names as shown by the API, without the {@code junction.route.} prefix. */
  static final java.util.List<String> NAMES =
      java.util.List.of("matched", "delivered", "failed", "dropped", "errored");

  RouteMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  Counters forRoute(String route) {
    return new Counters(
        registry.counter("junction.route.matched", "route", route),
        registry.counter("junction.route.delivered", "route", route),
        registry.counter("junction.route.failed", "route", route),
        registry.counter("junction.route.dropped", "route", route),
        registry.counter("junction.route.errored", "route", route));
  }
}
