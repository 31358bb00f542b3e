package io.junction.queue;

import io.junction.message.Envelope;
import io.junction.queue.QueueEntity.Enqueued;
import io.junction.queue.QueueEvent.DeadLettered;
import io.junction.queue.QueueEvent.Returned;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;

/**
 * Changes a queue has decided but not yet persisted. They accumulate while a journal write is in
 * flight and go out together as one write, which is what makes publishing fast on a durable (fsync
 * per commit) journal. Bounded by {@link QueueSettings#maxBatch()} publishes per write.
 */
final class PendingWrites {

  record PendingPublish(
      Envelope envelope, long delayMillis, ActorRef<StatusReply<Enqueued>> replyTo) {}

  /** One journal write: its events, the replies to send once durable, and who to tell if not. */
  record Batch(
      List<QueueEvent> events,
      List<Runnable> onWritten,
      List<ActorRef<StatusReply<Enqueued>>> publishers) {}

  final List<PendingPublish> publishes = new ArrayList<>();
  private final List<Long> acks = new ArrayList<>();
  private final List<Returned> returns = new ArrayList<>();
  private final List<DeadLettered> deadLetters = new ArrayList<>();
  private final List<Runnable> onWritten = new ArrayList<>();

  boolean isEmpty() {
    return publishes.isEmpty() && acks.isEmpty() && returns.isEmpty() && deadLetters.isEmpty();
  }

  void ack(long seq) {
    acks.add(seq);
  }

  void returnMessage(Returned r) {
    returns.add(r);
  }

  void deadLetter(DeadLettered d) {
    deadLetters.add(d);
  }

  void afterWrite(Runnable r) {
    onWritten.add(r);
  }

  /**
   * Turns everything pending into events and empties the buffer. Publishes that do not fit under
   * {@code max-length} are rejected here (reply sent at once) or, with {@code drop-oldest}, make
   * room by dead-lettering the oldest waiting message.
   */
  Batch drain(QueueState state, QueueSettings settings, String queue, long now) {
    List<StoredMessage> accepted = new ArrayList<>(publishes.size());
    List<Runnable> replies = new ArrayList<>(onWritten);
    List<ActorRef<StatusReply<Enqueued>>> publishers = new ArrayList<>(publishes.size());
    long seq = state.nextSeq;
    int held = state.live.size();
    int droppedFromBatch = 0;
    for (PendingPublish p : publishes) {
      if (settings.maxLength() > 0 && held >= settings.maxLength()) {
        if (settings.overflow() != QueueSettings.Overflow.DROP_OLDEST) {
          p.replyTo().tell(StatusReply.error(fullMessage(queue, settings)));
          continue;
        }
        // drop-oldest: the oldest waiting message leaves now, its dead-letter event is in this
        // write; when everything older is in flight, the oldest of this very batch goes.
        StoredMessage victim = state.takeOldestWaiting();
        if (victim == null && droppedFromBatch < accepted.size())
          victim = accepted.get(droppedFromBatch++);
        if (victim == null) {
          p.replyTo().tell(StatusReply.error(fullMessage(queue, settings)));
          continue;
        }
        deadLetters.add(
            QueueState.dead(victim, "overflow: max-length (" + settings.maxLength() + ") reached"));
        held--;
      }
      long notBefore = p.delayMillis() > 0 ? now + p.delayMillis() : 0;
      long expiresAt = settings.ttl().isZero() ? 0 : now + settings.ttl().toMillis();
      StoredMessage m = StoredMessage.of(seq++, now, notBefore, expiresAt, p.envelope());
      accepted.add(m);
      held++;
      publishers.add(p.replyTo());
      replies.add(() -> p.replyTo().tell(StatusReply.success(new Enqueued(m.id(), m.seq()))));
    }
    // Published first: a drop-oldest victim from this batch must exist before it is dead-lettered.
    List<QueueEvent> events = new ArrayList<>(4);
    if (!accepted.isEmpty()) events.add(new QueueEvent.MessagesPublished(List.copyOf(accepted)));
    if (!deadLetters.isEmpty())
      events.add(new QueueEvent.MessagesDeadLettered(List.copyOf(deadLetters), now));
    if (!acks.isEmpty()) events.add(new QueueEvent.MessagesAcked(List.copyOf(acks)));
    if (!returns.isEmpty()) events.add(new QueueEvent.MessagesReturned(List.copyOf(returns)));
    publishes.clear();
    acks.clear();
    returns.clear();
    deadLetters.clear();
    onWritten.clear();
    return new Batch(events, replies, publishers);
  }

  static String fullMessage(String queue, QueueSettings settings) {
    return "queue '"
        + queue
        + "' is full: max-length ("
        + settings.maxLength()
        + ") reached, overflow = "
        + (settings.overflow() == QueueSettings.Overflow.DROP_OLDEST
            ? "drop-oldest but every message is in flight"
            : "reject-publish");
  }
}
