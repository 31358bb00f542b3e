package io.junction.queue;

import io.junction.message.CborSerializable;
import io.junction.message.Envelope;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.BackoffSupervisorStrategy;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.typed.PersistenceId;

/**
 * One durable queue: an event-sourced entity (persistence id {@code Queue|<name>}) with
 * at-least-once delivery. A publish is acknowledged once its event is in the journal; publishes
 * arriving together are persisted in one write, and the writes a queue issues while the journal
 * commits the previous one are committed together ({@link PipelinedJournal}). This class is the
 * queue's public face (protocol, type key, factory); {@link QueueBehavior} implements it.
 */
public final class QueueEntity {

  /** Sharding-ready type key; the entity id is the queue name. */
  public static final EntityTypeKey<Command> ENTITY_KEY =
      EntityTypeKey.create(Command.class, "Queue");

  /** Everything a queue accepts. */
  public sealed interface Command extends CborSerializable {}

  /** Append a message; the reply comes once it is durable, or is an error (e.g. queue full). */
  public record Publish(Envelope envelope, Duration delay, ActorRef<StatusReply<Enqueued>> replyTo)
      implements Command {
    /** A publish delivered as soon as possible (no delay). */
    public static Publish of(Envelope envelope, ActorRef<StatusReply<Enqueued>> replyTo) {
      return new Publish(envelope, Duration.ZERO, replyTo);
    }
  }

  /**
   * Append several messages at once: they are written in one event, so they are stored all together
   * (in this order, consecutive seqs) or not at all; one reply once all are durable.
   */
  public record PublishBatch(List<Envelope> envelopes, ActorRef<StatusReply<EnqueuedBatch>> replyTo)
      implements Command {
    public PublishBatch {
      envelopes = List.copyOf(envelopes);
      if (envelopes.isEmpty()) throw new IllegalArgumentException("a batch needs a message");
    }
  }

  /**
   * Lease up to {@code max} ready messages for {@code visibility} (null: the queue's ack-timeout).
   * When none is ready the reply waits up to {@code waitFor} (long poll) for the first to arrive;
   * it is empty only after that. Unacknowledged leased messages are redelivered after the
   * visibility.
   */
  public record Lease(int max, Duration visibility, Duration waitFor, ActorRef<Leased> replyTo)
      implements Command {
    /** A lease answered at once, possibly empty. */
    public Lease(int max, Duration visibility, ActorRef<Leased> replyTo) {
      this(max, visibility, Duration.ZERO, replyTo);
    }
  }

  /** Acknowledge deliveries: their messages are removed for good. {@code replyTo} may be null. */
  public record Ack(List<String> receiptIds, ActorRef<Settled> replyTo) implements Command {}

  /**
   * Reject deliveries: requeued after {@code delay} (counting as a failed delivery), or straight to
   * the dead letters when {@code requeue} is false. {@code replyTo} may be null.
   */
  public record Nack(
      List<String> receiptIds, boolean requeue, Duration delay, ActorRef<Settled> replyTo)
      implements Command {}

  /**
   * Push deliveries to {@code consumer}, at most {@code prefetch} unacknowledged at a time. Sending
   * it again for the same consumer changes nothing but is answered again: consumers repeat it to
   * check that the queue still knows them (a queue that moved or restarted forgot them). {@code
   * replyTo} (may be null) gets {@link Subscribed}.
   */
  public record Subscribe(ActorRef<Delivery> consumer, int prefetch, ActorRef<Subscribed> replyTo)
      implements Command {
    /** A subscription nobody waits to have confirmed. */
    public Subscribe(ActorRef<Delivery> consumer, int prefetch) {
      this(consumer, prefetch, null);
    }
  }

  /**
   * Reply to {@link Subscribe}: the queue actor now pushing to the consumer. Watching it tells the
   * consumer when the queue stopped (its shard moved to another node, or its node left or died).
   */
  public record Subscribed(String queue, ActorRef<Command> queueActor)
      implements CborSerializable {}

  /** Stop pushing to {@code consumer}; its unacknowledged deliveries become ready again. */
  public record Unsubscribe(ActorRef<Delivery> consumer) implements Command {}

  /** The first {@code max} ready messages, without leasing them. */
  public record Peek(int max, ActorRef<Peeked> replyTo) implements Command {}

  /** The oldest {@code max} dead letters. */
  public record PeekDeadLetters(int max, ActorRef<DeadLetters> replyTo) implements Command {}

  /** Depth and counters. */
  public record GetStats(ActorRef<QueueStats> replyTo) implements Command {}

  /** Remove every message (ready, delayed and in flight); dead letters stay. */
  public record Purge(ActorRef<Purged> replyTo) implements Command {}

  /** Remove every dead letter. */
  public record PurgeDeadLetters(ActorRef<Purged> replyTo) implements Command {}

  /** Move up to {@code max} oldest dead letters back to the tail with a fresh delivery count. */
  public record RedriveDeadLetters(int max, ActorRef<Redriven> replyTo) implements Command {}

  /**
   * Create the queue if it does not exist yet (it is otherwise created by its first publish):
   * {@link Created#created()} is false when it already existed. Idempotent, as AMQP's declare.
   */
  public record Create(ActorRef<Created> replyTo) implements Command {}

  /**
   * Delete the queue: its messages (in flight too), dead letters and counters, and its journal.
   * With {@code ifEmpty} a queue holding messages refuses. Subscribers stay subscribed to the now
   * empty queue; a queue used again after its deletion starts anew.
   */
  public record Delete(boolean ifEmpty, ActorRef<StatusReply<Deleted>> replyTo)
      implements Command {}

  /** Reply to {@link Create}. */
  public record Created(String queue, boolean created) implements CborSerializable {}

  /** Reply to {@link Delete}: what the deletion removed. */
  public record Deleted(String queue, int messages, int deadLetters) implements CborSerializable {}

  /** A publish is durable. */
  public record Enqueued(String messageId, long seq) implements CborSerializable {}

  /** A batch publish is durable: one {@link Enqueued} per message, in the batch's order. */
  public record EnqueuedBatch(List<Enqueued> messages) implements CborSerializable {}

  /** Messages leased to the caller. */
  public record Leased(String queue, List<Delivery> deliveries) implements CborSerializable {}

  /**
   * One delivery: settle it with {@link Ack} or {@link Nack} by {@code receiptId}.
   *
   * @param deliveryCount 1 plus the failed deliveries the journal knows of (expired leases, nacks,
   *     subscribers gone); a lease lost in a restart is not among them
   * @param redelivered the message may have been delivered before: a failed delivery, or a lease
   *     that a restart may have lost (see {@link QueueEvent.DeliveryMarked}); false means it never
   *     was
   */
  public record Delivery(
      String queue,
      String receiptId,
      long seq,
      int deliveryCount,
      boolean redelivered,
      Envelope envelope)
      implements CborSerializable {}

  /** How many receipts were settled, and which were unknown (expired, or never issued). */
  public record Settled(int settled, List<String> unknownReceipts) implements CborSerializable {}

  /** A message as {@link Peek} shows it. */
  public record QueuedMessage(long seq, int deliveries, Envelope envelope)
      implements CborSerializable {}

  /** Reply to {@link Peek}. */
  public record Peeked(String queue, List<QueuedMessage> messages) implements CborSerializable {}

  /** Reply to {@link PeekDeadLetters}. */
  public record DeadLetters(String queue, List<DeadLetter> deadLetters)
      implements CborSerializable {}

  /** Reply to {@link Purge} and {@link PurgeDeadLetters}. */
  public record Purged(String queue, int removed) implements CborSerializable {}

  /** Reply to {@link RedriveDeadLetters}. */
  public record Redriven(String queue, int moved) implements CborSerializable {}

  /**
   * Reply to {@link GetStats}: {@code depth} counts messages not in flight (ready + delayed);
   * {@code delivered} counts since the entity last started, the other counters since creation; the
   * rates are messages per second over about the last ten seconds ({@link QueueRates}).
   */
  public record QueueStats(
      String queue,
      int depth,
      int ready,
      int delayed,
      int inFlight,
      int deadLetters,
      int subscribers,
      long published,
      long delivered,
      long acked,
      long deadLettered,
      double publishRate,
      double deliverRate,
      double ackRate)
      implements CborSerializable {}

  // Internal messages: package-private only because QueueBehavior (same package) handles them;
  // nothing outside the package can name them.
  enum Flush implements Command {
    INSTANCE
  }

  enum Tick implements Command {
    INSTANCE
  }

  /** The snapshot store's answer to a snapshot the queue handed it (see {@link Snapshots}). */
  record SnapshotSaved(long sequenceNr, int messages, boolean ok, boolean compact)
      implements Command {}

  /** The journal answered the removal of a deleted queue's events (see {@link Snapshots}). */
  enum Compacted implements Command {
    INSTANCE
  }

  /**
   * Sent by Cluster Sharding instead of stopping the queue when its shard is handed to another
   * node: the queue writes the publishes it has buffered (so they are acknowledged, not refused),
   * then stops.
   */
  enum HandOff implements Command {
    INSTANCE
  }

  /**
   * From {@link PipelinedJournal}: the queue's writes up to {@code sequenceNr} are committed.
   * {@code token} names the queue incarnation that registered (see {@link DurabilityRegistry}).
   */
  record Durable(long token, long sequenceNr) implements Command {}

  /**
   * From {@link PipelinedJournal}: a write failed, and every one after it is dropped; {@code
   * mayLand} when it did not fail but outlived the call timeout (it may still commit).
   */
  record WriteFailed(long token, String why, boolean mayLand) implements Command {}

  record WaitExpired(long waiter) implements Command {}

  record SubscriberTerminated(ActorRef<Delivery> consumer) implements Command {}

  private QueueEntity() {}

  /** The persistence id of queue {@code name}: {@code Queue|<name>}. */
  public static PersistenceId persistenceId(String name) {
    return PersistenceId.of(ENTITY_KEY.name(), name);
  }

  /**
   * The queue's behavior. Supervision: journal write failures and other runtime failures restart it
   * with backoff (0.2 s to 10 s); a restart loses only leases (their messages become ready again)
   * and publishes not yet written (their publishers get an error); the content is recovered.
   */
  public static Behavior<Command> create(String name, QueueSettings settings) {
    return Behaviors.<Command>supervise(
            Behaviors.setup(
                ctx ->
                    Behaviors.withTimers(
                        timers -> new QueueBehavior(name, settings, ctx, timers, backoff()))))
        .onFailure(RuntimeException.class, backoff());
  }

  private static BackoffSupervisorStrategy backoff() {
    return SupervisorStrategy.restartWithBackoff(
        Duration.ofMillis(200), Duration.ofSeconds(10), 0.2);
  }
}
