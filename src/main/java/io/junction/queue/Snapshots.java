package io.junction.queue;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.pattern.Patterns;
import org.apache.pekko.persistence.DeleteMessagesFailure;
import org.apache.pekko.persistence.DeleteMessagesSuccess;
import org.apache.pekko.persistence.DeleteSnapshotsFailure;
import org.apache.pekko.persistence.DeleteSnapshotsSuccess;
import org.apache.pekko.persistence.JournalProtocol;
import org.apache.pekko.persistence.Persistence;
import org.apache.pekko.persistence.SaveSnapshotFailure;
import org.apache.pekko.persistence.SaveSnapshotSuccess;
import org.apache.pekko.persistence.SnapshotMetadata;
import org.apache.pekko.persistence.SnapshotProtocol;
import org.apache.pekko.persistence.SnapshotSelectionCriteria;

/**
 * Saves one queue's snapshots and deletes the journal events and snapshots a newer snapshot made
 * unnecessary.
 *
 * <p><b>Saving off the command path.</b> Pekko's typed persistence stores a snapshot requested by
 * {@code shouldSnapshot} while stashing every command, and holds the side effects of the write
 * before it (the publishers' acknowledgements) until the snapshot is stored: one more database
 * round trip on the path of every publish in that window, often enough (a shallow queue snapshots
 * every 100 events) to double the p99 latency on PostgreSQL (docs/PERFORMANCE.md). Here the queue
 * hands the snapshot to the snapshot store itself, after the write it follows is durable, and keeps
 * working; the store's answer comes back as {@link QueueEntity.SnapshotSaved}. Recovery is Pekko's,
 * unchanged: it loads the newest snapshot (the same payload, through the queue's {@code
 * SnapshotAdapter}) and replays the events after it. A snapshot is consistent because it is taken
 * in the write's callback, or in the command that brings the store's answer to the save before it:
 * in both the state is exactly that of the last event written (Pekko stashes commands while a write
 * is in flight, so no later event is applied yet). It is saved only once that event is durable:
 * with the write pipeline ({@link PipelinedJournal}) the queue {@link #hold holds} it until the
 * journal says so, and drops it if the write fails. One save at a time: a snapshot due while one is
 * held or stored is taken when the store answers.
 *
 * <p><b>Pruning.</b> Pekko 1.2.1's typed persistence deletes only with count-based retention
 * ({@code RetentionCriteria.snapshotEvery}), which would snapshot a deep queue every N events
 * whatever its size (see {@link SnapshotPolicy}). Like Pekko with {@code keepNSnapshots = 2}, the
 * previous snapshot is kept as a fallback: when snapshot S is saved, events up to the previous
 * snapshot P and snapshots before P are deleted. After a restart P is unknown until the first new
 * snapshot, so the first one deletes nothing; the next deletes everything older.
 *
 * <p>The save and delete requests are Pekko's internal persistence protocol (the messages typed
 * persistence itself sends): re-check on a Pekko upgrade ({@code QueueJournalContract} counts the
 * rows left and recovers from these snapshots, {@code QueueSnapshotTest} holds a save).
 */
final class Snapshots {
  private static final Duration SAVE_TIMEOUT = Duration.ofSeconds(30);
  private final String persistenceId;
  private final org.apache.pekko.actor.ActorRef journal;
  private final org.apache.pekko.actor.ActorRef snapshotStore;
  private final org.apache.pekko.actor.ActorRef replies;
  private final ActorContext<QueueEntity.Command> ctx;
  private long previousSnapshot;
  private boolean saving;
  private boolean held; // taken, waiting for the write it follows to be durable

  Snapshots(ActorContext<QueueEntity.Command> ctx, String persistenceId) {
    this.persistenceId = persistenceId;
    this.ctx = ctx;
    Persistence persistence = Persistence.get(Adapter.toClassic(ctx.getSystem()));
    // "" selects the default plugins, the ones the queue's EventSourcedBehavior uses
    this.journal = persistence.journalFor("", ConfigFactory.empty());
    this.snapshotStore = persistence.snapshotStoreFor("", ConfigFactory.empty());
    this.replies = Adapter.toClassic(ctx.spawnAnonymous(deletionFailures()));
  }

  /** The seq of the last snapshot this incarnation saved (0: none yet). */
  long lastSaved() {
    return previousSnapshot;
  }

  /** Whether a snapshot is being stored or held (a due one then waits). */
  boolean saving() {
    return saving || held;
  }

  /**
   * A snapshot was taken of a state whose last write is not durable yet: no other is taken until it
   * is {@link #save saved} (once that write is durable) or {@link #dropHeld dropped}.
   */
  void hold() {
    held = true;
  }

  /** The held snapshot's write failed, or the queue restarts: it is never saved. */
  void dropHeld() {
    held = false;
  }

  /**
   * Stores {@code snapshot} (immutable: the store serializes it on its own thread) as the state
   * after event {@code sequenceNr}, which must be durable.
   */
  void save(long sequenceNr, Object snapshot, int messages, boolean compact) {
    held = false;
    saving = true;
    SnapshotMetadata meta =
        SnapshotMetadata.apply(persistenceId, sequenceNr, System.currentTimeMillis());
    // The answer comes back through pipeToSelf, not a child actor: a journal failure restarts the
    // queue's behavior, which stops its children, and a lost answer would stop snapshots for good.
    ctx.pipeToSelf(
        Patterns.ask(
            snapshotStore, new SnapshotProtocol.SaveSnapshot(meta, snapshot), SAVE_TIMEOUT),
        (answer, failure) -> {
          if (answer instanceof SaveSnapshotSuccess)
            return new QueueEntity.SnapshotSaved(sequenceNr, messages, true, compact);
          Throwable why = answer instanceof SaveSnapshotFailure f ? f.cause() : failure;
          ctx.getLog().warn("queue snapshot at {} not saved; its events stay", sequenceNr, why);
          return new QueueEntity.SnapshotSaved(sequenceNr, messages, false, compact);
        });
  }

  /**
   * The store answered: saved (returns true), then what it covers is pruned; or not, and the events
   * stay in the journal.
   */
  boolean stored(QueueEntity.SnapshotSaved s) {
    saving = false;
    if (!s.ok()) return false;
    long previous = previousSnapshot;
    previousSnapshot = s.sequenceNr();
    if (s.compact()) compact(s.sequenceNr());
    else if (previous > 0) {
      journal.tell(new JournalProtocol.DeleteMessagesTo(persistenceId, previous, replies), replies);
      snapshotStore.tell(deleteSnapshotsBefore(previous), replies);
    }
    return true;
  }

  // A deleted queue's snapshot is the whole of it: every event up to and including its own goes
  // (no fallback is kept), and the journal keeps its highest row only as a marker flagged deleted,
  // which the read journal does not list (QueueCatalog); every older snapshot goes too. Both
  // answers come back as one QueueEntity.Compacted: the deletion is complete.
  private void compact(long upTo) {
    CompletionStage<Object> events =
        Patterns.askWithReplyTo(
            journal,
            replyTo -> new JournalProtocol.DeleteMessagesTo(persistenceId, upTo, replyTo),
            SAVE_TIMEOUT);
    CompletionStage<Object> older =
        Patterns.ask(snapshotStore, deleteSnapshotsBefore(upTo), SAVE_TIMEOUT);
    ctx.pipeToSelf(
        events.thenCombine(older, List::of),
        (answers, failure) -> {
          boolean removed =
              failure == null
                  && answers.get(0) instanceof DeleteMessagesSuccess
                  && answers.get(1) instanceof DeleteSnapshotsSuccess;
          if (!removed)
            ctx.getLog()
                .warn(
                    "deleted queue's events not all removed; retried at its recovery: {}",
                    failure != null ? failure : answers);
          return QueueEntity.Compacted.INSTANCE;
        });
  }

  private SnapshotProtocol.DeleteSnapshots deleteSnapshotsBefore(long sequenceNr) {
    return new SnapshotProtocol.DeleteSnapshots(
        persistenceId, SnapshotSelectionCriteria.create(sequenceNr - 1, Long.MAX_VALUE));
  }

  // A failed deletion loses nothing (the next snapshot deletes the same rows and more); say so.
  private static Behavior<Object> deletionFailures() {
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
