package io.junction.queue;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;

/**
 * How one queue uses its journal, so the batching actually achieved can be read from {@code
 * /metrics}: {@code junction_queue_journal_writes_total} (one transaction each), {@code
 * junction_queue_journal_events_total}, {@code junction_queue_journal_messages_total} (messages
 * published by those writes: messages / writes is the publish batch size) and {@code
 * junction_queue_snapshots_total} with {@code junction_queue_snapshot_messages_total} (what the
 * snapshots held).
 */
final class WriteMetrics {
  private final Counter writes;
  private final Counter events;
  private final Counter messages;
  private final Counter snapshots;
  private final Counter snapshotMessages;

  WriteMetrics(MeterRegistry registry, String queue) {
    writes = registry.counter("junction.queue.journal.writes", "queue", queue);
    events = registry.counter("junction.queue.journal.events", "queue", queue);
    messages = registry.counter("junction.queue.journal.messages", "queue", queue);
    snapshots = registry.counter("junction.queue.snapshots", "queue", queue);
    snapshotMessages = registry.counter("junction.queue.snapshot.messages", "queue", queue);
  }

  void written(List<QueueEvent> batch) {
    writes.increment();
    events.increment(batch.size());
    for (QueueEvent e : batch)
      if (e instanceof QueueEvent.MessagesPublished p) messages.increment(p.messages().size());
  }

  void snapshotted(QueueState state) {
    snapshots.increment();
    snapshotMessages.increment(state.live.size());
  }
}
