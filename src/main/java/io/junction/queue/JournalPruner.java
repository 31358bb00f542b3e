package io.junction.queue;

import com.typesafe.config.ConfigFactory;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.persistence.DeleteMessagesFailure;
import org.apache.pekko.persistence.DeleteSnapshotsFailure;
import org.apache.pekko.persistence.JournalProtocol;
import org.apache.pekko.persistence.Persistence;
import org.apache.pekko.persistence.SnapshotProtocol;
import org.apache.pekko.persistence.SnapshotSelectionCriteria;

/**
 * Deletes the journal events and snapshots that a newer snapshot made unnecessary, for one queue.
 * Pekko 1.2.1's typed persistence deletes only with count-based retention ({@code
 * RetentionCriteria.snapshotEvery}), which would snapshot a deep queue every N events whatever its
 * size (see {@link SnapshotPolicy}); so the queue snapshots through {@code shouldSnapshot} and this
 * class sends the journal and snapshot store the same delete requests Pekko's retention sends.
 * Those protocol messages are Pekko's internal persistence API: re-check on a Pekko upgrade ({@code
 * QueueJournalContract} counts the rows left).
 *
 * <p>Like Pekko with {@code keepNSnapshots = 2}, the previous snapshot is kept as a fallback: when
 * snapshot S is saved, events up to the previous snapshot P and snapshots before P are deleted.
 * After a restart P is unknown until the first new snapshot, so the first one deletes nothing; the
 * next deletes everything older.
 */
final class JournalPruner {
  private final String persistenceId;
  private final org.apache.pekko.actor.ActorRef journal;
  private final org.apache.pekko.actor.ActorRef snapshotStore;
  private final org.apache.pekko.actor.ActorRef replies;
  private long previousSnapshot;

  JournalPruner(ActorContext<?> ctx, String persistenceId) {
    this.persistenceId = persistenceId;
    Persistence persistence = Persistence.get(Adapter.toClassic(ctx.getSystem()));
    // "" selects the default plugins, the ones the queue's EventSourcedBehavior uses
    this.journal = persistence.journalFor("", ConfigFactory.empty());
    this.snapshotStore = persistence.snapshotStoreFor("", ConfigFactory.empty());
    this.replies = Adapter.toClassic(ctx.spawnAnonymous(failureLogger()));
  }

  /** A snapshot at {@code sequenceNr} was saved. */
  void snapshotSaved(long sequenceNr) {
    long upTo = previousSnapshot;
    previousSnapshot = sequenceNr;
    if (upTo <= 0) return;
    journal.tell(new JournalProtocol.DeleteMessagesTo(persistenceId, upTo, replies), replies);
    snapshotStore.tell(
        new SnapshotProtocol.DeleteSnapshots(
            persistenceId, SnapshotSelectionCriteria.create(upTo - 1, Long.MAX_VALUE)),
        replies);
  }

  // A failed deletion loses nothing (the next snapshot deletes the same rows and more); say so.
  private static Behavior<Object> failureLogger() {
    return Behaviors.setup(
        c ->
            Behaviors.receiveMessage(
                m -> {
                  if (m instanceof DeleteMessagesFailure f)
                    c.getLog().warn("deleting journal events failed; retried later", f.cause());
                  else if (m instanceof DeleteSnapshotsFailure f)
                    c.getLog().warn("deleting old snapshots failed; retried later", f.cause());
                  return Behaviors.same();
                }));
  }
}
