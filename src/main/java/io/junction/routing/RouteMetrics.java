package io.junction.routing;

import io.micrometer.core.instrument.MeterRegistry;

/** Per-route counters: matched, delivered and failed deliveries. */
final class RouteMetrics {
  static final RouteMetrics NONE = new RouteMetrics(null);
  private final MeterRegistry registry;

  RouteMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  void matched(String route) {
    if (registry != null) registry.counter("junction.route.matched", "route", route).increment();
  }

  void delivered(String route) {
    if (registry != null) registry.counter("junction.route.delivered", "route", route).increment();
  }

  void failed(String route) {
    if (registry != null) registry.counter("junction.route.failed", "route", route).increment();
  }
}
