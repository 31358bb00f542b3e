package io.junction.queue;

/**
 * When a queue snapshots. A snapshot copies every message the queue holds, so taking one every
 * {@code snapshot-every} events (Pekko's count-based retention) costs O(depth) per few events: a
 * queue filled to 700,000 messages of 1 KiB spent its time writing 0.7 GB snapshots every 100
 * events, stalled (Pekko stashes commands while a snapshot is stored) and ran out of heap. Here a
 * snapshot is due only when
 *
 * <ul>
 *   <li>at least {@code snapshot-every} events were written since the last one (a shallow queue
 *       snapshots as before), and
 *   <li>those events carried at least as many bytes as the snapshot will hold, so the snapshot work
 *       is amortized over the data journaled (a deep queue snapshots geometrically less often, and
 *       the journal still holds at most about one snapshot's worth of events), and
 *   <li>the snapshot would hold at most {@code snapshot-max-bytes}: a bigger one (a single row,
 *       serialized in memory, over PostgreSQL's 1 GB {@code bytea} limit near a million KiB
 *       messages) is not taken; the events stay and recovery replays them instead.
 * </ul>
 *
 * Counts are estimates ({@link StoredMessage#approxBytes()}); they only steer the frequency.
 */
final class SnapshotPolicy {
  // A returned, acked or dead-lettered message costs its seq and a little framing in its event.
  private static final long SETTLE_BYTES = 16;

  private final int minEvents;
  private final long maxBytes;
  private long eventsSince;
  private long bytesSince;

  SnapshotPolicy(int minEvents, long maxBytes) {
    this.minEvents = minEvents;
    this.maxBytes = maxBytes;
  }

  /** Called for each event about to be written; true when the state after it should snapshot. */
  boolean due(QueueState state, QueueEvent event) {
    eventsSince++;
    bytesSince += bytes(event);
    if (eventsSince < minEvents || 2 * bytesSince < state.heldBytes() || !fits(state)) return false;
    eventsSince = 0;
    bytesSince = 0;
    return true;
  }

  /**
   * Whether a snapshot of {@code state} is within {@code snapshot-max-bytes}: checked again when a
   * due snapshot had to wait (for the one before it to be stored) and the queue grew meanwhile.
   */
  boolean fits(QueueState state) {
    return state.heldBytes() <= maxBytes;
  }

  static long bytes(QueueEvent event) {
    if (event instanceof QueueEvent.MessagesPublished p) {
      long sum = 0;
      for (StoredMessage m : p.messages()) sum += m.approxBytes();
      return sum;
    }
    if (event instanceof QueueEvent.MessagesAcked a) return a.seqs().size() * SETTLE_BYTES;
    if (event instanceof QueueEvent.MessagesReturned r) return r.returned().size() * SETTLE_BYTES;
    if (event instanceof QueueEvent.MessagesDeadLettered d)
      return d.messages().size() * SETTLE_BYTES * 4; // with the reason
    return SETTLE_BYTES;
  }
}
