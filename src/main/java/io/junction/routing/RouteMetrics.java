package io.junction.routing;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/** Per-route counters: matched, delivered and failed deliveries. */
final class RouteMetrics {
  static final RouteMetrics NONE = new RouteMetrics(new SimpleMeterRegistry());
  private final MeterRegistry registry;

  /** One route's counters, looked up once per table rather than once per message. */
  record Counters(Counter matched, Counter delivered, Counter failed) {}

  RouteMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  Counters forRoute(String route) {
    return new Counters(
        registry.counter("junction.route.matched", "route", route),
        registry.counter("junction.route.delivered", "route", route),
        registry.counter("junction.route.failed", "route", route));
  }
}
