package io.junction.queue;

import io.junction.message.CborSerializable;
import java.util.List;

/**
 * Journal events of a {@link QueueEntity}; each carries a batch, so one journal write covers many
 * publishes, acks or returns.
 */
public sealed interface QueueEvent extends CborSerializable {

  /** Messages appended to the tail of the queue, in seq order. */
  record MessagesPublished(List<StoredMessage> messages) implements QueueEvent {}

  /** Messages acknowledged by consumers and removed for good. */
  record MessagesAcked(List<Long> seqs) implements QueueEvent {}

  /** Messages returned to the queue after a failed delivery, with their new delivery count. */
  record MessagesReturned(List<Returned> returned) implements QueueEvent {}

  /** One returned message: its seq, failed deliveries so far, and when it may be redelivered. */
  record Returned(long seq, int deliveries, long notBefore) implements CborSerializable {}

  /** Messages moved to the dead letters, each with its reason. */
  record MessagesDeadLettered(List<DeadLettered> messages, long at) implements QueueEvent {}

  /** One dead-lettered message and why. */
  record DeadLettered(long seq, String reason) implements CborSerializable {}

  /** Every message of the queue (ready, delayed and in flight) was removed. */
  record QueuePurged(long at) implements QueueEvent {}

  /** Every dead letter was removed. */
  record DeadLettersPurged(long at) implements QueueEvent {}

  /**
   * The queue was created through the API ({@link QueueEntity.Create}): it exists, and is listed,
   * before its first message.
   */
  record QueueCreated(long at) implements QueueEvent {}

  /**
   * The queue was deleted ({@link QueueEntity.Delete}): its messages, dead letters and counters are
   * gone. Once durable the queue saves a snapshot of the empty state and deletes every event up to
   * it, so the journal lists it no more; used again, it starts anew.
   */
  record QueueDeleted(long at) implements QueueEvent {}

  /** Up to {@code max} oldest dead letters were appended to the queue again with fresh counts. */
  record DeadLettersRedriven(int max, long at) implements QueueEvent {}

  /**
   * The delivery mark: no message with a seq above {@code upTo} has ever been delivered. Written
   * ahead of the deliveries (a message goes out only once a mark covering it is durable), so after
   * a restart a message at or under it may have been delivered before, and one above it certainly
   * was not: what the {@code redelivered} flag says. Raised while the queue delivers; lowered only
   * by a hand-off, to exactly what was delivered.
   */
  record DeliveryMarked(long upTo) implements QueueEvent {}
}
