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

  /** Who is told how a publish ended: once for the whole publish, however many messages. */
  interface PublishReply {
    void stored(List<Enqueued> enqueued);

    void refused(String why);

    static PublishReply single(ActorRef<StatusReply<Enqueued>> replyTo) {
      return new PublishReply() {
        @Override
        public void stored(List<Enqueued> enqueued) {
          replyTo.tell(StatusReply.success(enqueued.get(0)));
        }

        @Override
        public void refused(String why) {
          replyTo.tell(StatusReply.error(why));
        }
      };
    }

    static PublishReply batch(ActorRef<StatusReply<QueueEntity.EnqueuedBatch>> replyTo) {
      return new PublishReply() {
        @Override
        public void stored(List<Enqueued> enqueued) {
          replyTo.tell(StatusReply.success(new QueueEntity.EnqueuedBatch(enqueued)));
        }

        @Override
        public void refused(String why) {
          replyTo.tell(StatusReply.error(why));
        }
      };
    }
  }

  /**
   * One publish command: a single message or a batch, stored all together or not at all (the
   * messages travel in the same event).
   */
  record PendingPublish(List<Envelope> envelopes, long delayMillis, PublishReply reply) {}

  /** One journal write: its events, the replies to send once durable, and who to tell if not. */
  record Batch(List<QueueEvent> events, List<Runnable> onWritten, List<PendingPublish> publishes) {}

  final List<PendingPublish> publishes = new ArrayList<>();
  private int publishedMessages;
  private final List<Long> acks = new ArrayList<>();
  private final List<Returned> returns = new ArrayList<>();
  private final List<DeadLettered> deadLetters = new ArrayList<>();
  private final List<Runnable> onWritten = new ArrayList<>();
  private long deliveryMark = -1; // the mark to write, -1 for none; only the latest matters

  void publish(PendingPublish p) {
    publishes.add(p);
    publishedMessages += p.envelopes().size();
  }

  /** Messages (not commands) waiting for the next write. */
  int publishedMessages() {
    return publishedMessages;
  }

  /** Empties the publish buffer, telling each publisher {@code why}. */
  void refuseAll(String why) {
    publishes.forEach(p -> p.reply().refused(why));
    publishes.clear();
    publishedMessages = 0;
  }

  boolean isEmpty() {
    return publishes.isEmpty()
        && acks.isEmpty()
        && returns.isEmpty()
        && deadLetters.isEmpty()
        && deliveryMark < 0;
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

  /** Writes the delivery mark {@code upTo} with the next write, replacing one not yet written. */
  void markDeliveries(long upTo) {
    deliveryMark = upTo;
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
    List<StoredMessage> accepted = new ArrayList<>(publishedMessages);
    List<Runnable> replies = new ArrayList<>(onWritten);
    List<PendingPublish> stored = new ArrayList<>(publishes.size());
    long seq = state.nextSeq;
    int held = state.live.size();
    int droppedFromBatch = 0;
    boolean rejectWhenFull = settings.overflow() != QueueSettings.Overflow.DROP_OLDEST;
    for (PendingPublish p : publishes) {
      int n = p.envelopes().size();
      String badTiming = MessageTiming.problem(p.envelopes());
      if (badTiming != null) {
        p.reply().refused("queue '" + queue + "' refused the publish: " + badTiming);
        continue;
      }
      // reject-publish refuses the whole publish when it does not fit, never a part of it
      if (settings.maxLength() > 0 && rejectWhenFull && held + n > settings.maxLength()) {
        p.reply().refused(fullMessage(queue, settings));
        continue;
      }
      List<Enqueued> enqueued = new ArrayList<>(n);
      for (Envelope e : p.envelopes()) {
        if (settings.maxLength() > 0 && held >= settings.maxLength()) {
          // drop-oldest: the oldest waiting message leaves now, its dead-letter event is in this
          // write; when everything older is in flight, the oldest of this very batch goes. Only
          // the first message of a publish can find no victim (later ones can drop an earlier
          // one), so a publish is still stored whole or refused whole.
          StoredMessage victim = state.takeOldestWaiting();
          if (victim == null && droppedFromBatch < accepted.size())
            victim = accepted.get(droppedFromBatch++);
          if (victim == null) break;
          deadLetters.add(
              QueueState.dead(
                  victim, "overflow: max-length (" + settings.maxLength() + ") reached"));
          held--;
        }
        MessageTiming timing = MessageTiming.of(e);
        long delay = Math.max(p.delayMillis(), timing.delayMillis());
        long notBefore = delay > 0 ? now + delay : 0;
        long ttl = ttlMillis(settings, timing);
        // A TTL counts from when the message may first be delivered, not from its publish.
        long expiresAt = ttl == 0 ? 0 : Math.max(notBefore, now) + ttl;
        // The delay is this queue's to apply, once: a route onward must not delay it again.
        Envelope kept = e.withoutHeader(MessageTiming.DELAY);
        StoredMessage m = StoredMessage.of(seq++, now, notBefore, expiresAt, kept);
        accepted.add(m);
        held++;
        enqueued.add(new Enqueued(m.id(), m.seq()));
      }
      if (enqueued.isEmpty()) {
        p.reply().refused(fullMessage(queue, settings));
        continue;
      }
      stored.add(p);
      List<Enqueued> result = List.copyOf(enqueued);
      replies.add(() -> p.reply().stored(result));
    }
    // Published first: a drop-oldest victim from this batch must exist before it is dead-lettered.
    List<QueueEvent> events = new ArrayList<>(4);
    if (!accepted.isEmpty()) events.add(new QueueEvent.MessagesPublished(List.copyOf(accepted)));
    if (!deadLetters.isEmpty())
      events.add(new QueueEvent.MessagesDeadLettered(List.copyOf(deadLetters), now));
    if (!acks.isEmpty()) events.add(new QueueEvent.MessagesAcked(List.copyOf(acks)));
    if (!returns.isEmpty()) events.add(new QueueEvent.MessagesReturned(List.copyOf(returns)));
    if (deliveryMark >= 0) events.add(new QueueEvent.DeliveryMarked(deliveryMark));
    deliveryMark = -1;
    publishes.clear();
    publishedMessages = 0;
    acks.clear();
    returns.clear();
    deadLetters.clear();
    onWritten.clear();
    return new Batch(events, replies, stored);
  }

  // The shorter of the queue's TTL and the message's own; 0 when neither has one.
  private static long ttlMillis(QueueSettings settings, MessageTiming timing) {
    long queue = settings.ttl().toMillis(), own = timing.ttlMillis();
    if (queue == 0) return own;
    return own == 0 ? queue : Math.min(queue, own);
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
