package io.junction.queue;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * One queue's gauges and counters, tagged {@code queue}. The entity samples its own state into
 * {@link #update} (on each sweep tick, at recovery and on GetStats), so reading the gauges never
 * touches actor state and costs the entity nothing per message. The meters exist only on the node
 * hosting the queue and are removed when the entity stops, so with Cluster Sharding each queue is
 * reported by exactly one node and summing over nodes gives the cluster's figure.
 */
final class QueueMetrics {
  private final MeterRegistry registry;
  private final List<Meter> meters = new ArrayList<>();
  private volatile QueueEntity.QueueStats last;

  QueueMetrics(MeterRegistry registry, String queue) {
    this.registry = registry;
    this.last = new QueueEntity.QueueStats(queue, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    Tags tags = Tags.of("queue", queue);
    gauge("junction.queue.depth", tags, s -> s.depth());
    gauge("junction.queue.ready", tags, s -> s.ready());
    gauge("junction.queue.delayed", tags, s -> s.delayed());
    gauge("junction.queue.in.flight", tags, s -> s.inFlight());
    gauge("junction.queue.dead.letters", tags, s -> s.deadLetters());
    gauge("junction.queue.subscribers", tags, s -> s.subscribers());
    counter("junction.queue.published", tags, s -> s.published());
    counter("junction.queue.delivered", tags, s -> s.delivered());
    counter("junction.queue.acked", tags, s -> s.acked());
    counter("junction.queue.dead.lettered", tags, s -> s.deadLettered());
  }

  void update(QueueEntity.QueueStats stats) {
    last = stats;
  }

  /** Removes this queue's meters (the entity stopped or moved to another node). */
  void close() {
    meters.forEach(registry::remove);
    meters.clear();
  }

  private void gauge(String name, Tags tags, ToDoubleFunction<QueueEntity.QueueStats> f) {
    removeStale(name, tags);
    meters.add(
        Gauge.builder(name, this, m -> f.applyAsDouble(m.last))
            .tags(tags)
            .strongReference(true)
            .register(registry));
  }

  private void counter(String name, Tags tags, ToDoubleFunction<QueueEntity.QueueStats> f) {
    removeStale(name, tags);
    meters.add(
        FunctionCounter.builder(name, this, m -> f.applyAsDouble(m.last))
            .tags(tags)
            .register(registry));
  }

  // A restarted entity registers again: drop the previous incarnation's meter first, or Micrometer
  // would hand back the old one, bound to the old object.
  private void removeStale(String name, Tags tags) {
    registry.find(name).tags(tags).meters().forEach(registry::remove);
  }
}
