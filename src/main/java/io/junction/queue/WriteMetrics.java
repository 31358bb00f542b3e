package io.junction.queue;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * How one queue uses its journal, so the batching actually achieved can be read from {@code
 * /metrics}: {@code junction_queue_journal_writes_total} (one transaction each), {@code
 * junction_queue_journal_events_total}, {@code junction_queue_journal_messages_total} (messages
 * published by those writes: messages / writes is the publish batch size) and {@code
 * junction_queue_snapshots_total} with {@code junction_queue_snapshot_messages_total} (what the
 * snapshots held), and {@code junction_queue_journal_write_seconds}: from a write's start to its
 * events being durable, the time every publish in it waited for its acknowledgement (a histogram,
 * so a tail seen by publishers can be told apart from one made by the journal).
 */
final class WriteMetrics {
  private final Counter writes;
  private final Counter events;
  private final Counter messages;
  private final Counter snapshots;
  private final Counter snapshotMessages;
  private final Timer writeTime;

  WriteMetrics(MeterRegistry registry, String queue) {
    writes = registry.counter("junction.queue.journal.writes", "queue", queue);
    events = registry.counter("junction.queue.journal.events", "queue", queue);
    messages = registry.counter("junction.queue.journal.messages", "queue", queue);
    snapshots = registry.counter("junction.queue.snapshots", "queue", queue);
    snapshotMessages = registry.counter("junction.queue.snapshot.messages", "queue", queue);
    writeTime =
        Timer.builder("junction.queue.journal.write")
            .tag("queue", queue)
            .serviceLevelObjectives(WRITE_BUCKETS)
            .register(registry);
  }

  // A journal write takes ~1 ms on a quiet machine and seconds on a stalled database: buckets
  // that resolve both ends without the ~70 of Micrometer's default histogram per queue.
  private static final Duration[] WRITE_BUCKETS = {
    Duration.ofMillis(1),
    Duration.ofMillis(2),
    Duration.ofMillis(5),
    Duration.ofMillis(10),
    Duration.ofMillis(20),
    Duration.ofMillis(50),
    Duration.ofMillis(100),
    Duration.ofMillis(250),
    Duration.ofMillis(500),
    Duration.ofSeconds(1),
    Duration.ofSeconds(5)
  };

  /** A write issued {@code nanos} ago is durable. */
  void durable(long nanos) {
    writeTime.record(nanos, TimeUnit.NANOSECONDS);
  }

  void written(List<QueueEvent> batch) {
    writes.increment();
    events.increment(batch.size());
    for (QueueEvent e : batch)
      if (e instanceof QueueEvent.MessagesPublished p) messages.increment(p.messages().size());
  }

  void snapshotted(int messages) {
    snapshots.increment();
    snapshotMessages.increment(messages);
  }
}
