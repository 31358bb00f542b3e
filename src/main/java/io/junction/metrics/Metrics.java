package io.junction.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;

/**
 * The node's meter registry, one per actor system (a Pekko extension, so tests running several
 * systems in one JVM keep their counts apart). Meters are thread-safe; actors update them.
 */
public final class Metrics implements Extension {

  private static final ExtensionId<Metrics> ID =
      new ExtensionId<>() {
        @Override
        public Metrics createExtension(ActorSystem<?> system) {
          return new Metrics();
        }
      };

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Map<String, EndpointMetrics> endpoints = new ConcurrentHashMap<>();

  @SuppressWarnings("resource") // the binders live as long as the registry
  private Metrics() {
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
  }

  public static Metrics get(ActorSystem<?> system) {
    return system.registerExtension(ID);
  }

  public MeterRegistry registry() {
    return registry;
  }

  /** The registry in Prometheus text exposition format. */
  public String scrape() {
    return registry.scrape();
  }

  /** Counters of one endpoint; the same instance across restarts of that endpoint. */
  public EndpointMetrics endpoint(String name, String kind) {
    return endpoints.computeIfAbsent(name, n -> new EndpointMetrics(registry, n, kind));
  }
}
