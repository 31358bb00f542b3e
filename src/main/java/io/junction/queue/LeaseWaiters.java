package io.junction.queue;

import io.junction.queue.QueueEntity.Leased;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * Long-poll leases waiting for a message, oldest first. Transient like every lease: a restart
 * answers them empty, and the caller simply polls again.
 */
final class LeaseWaiters {

  /** A lease that found nothing ready: how many it takes, for how long, and who waits. */
  record Waiter(int max, long visibilityMillis, ActorRef<Leased> replyTo) {}

  private final Map<Long, Waiter> waiting = new LinkedHashMap<>();
  private long counter;

  /** Parks a waiter; returns its id, the key of its timeout. */
  long add(Waiter w) {
    waiting.put(++counter, w);
    return counter;
  }

  /** Removes waiter {@code id} (timed out); null when it was already served. */
  Waiter remove(long id) {
    return waiting.remove(id);
  }

  boolean isEmpty() {
    return waiting.isEmpty();
  }

  /**
   * Serves the oldest waiters while messages are ready; {@code serve} leases and replies, and each
   * callback gets the waiter's id too, so it can cancel its timeout.
   */
  void serve(QueueState s, BiConsumer<Long, Waiter> serve) {
    for (Iterator<Map.Entry<Long, Waiter>> it = waiting.entrySet().iterator();
        it.hasNext() && s.hasDeliverable(); ) {
      Map.Entry<Long, Waiter> e = it.next();
      it.remove();
      serve.accept(e.getKey(), e.getValue());
    }
  }

  /** Answers every waiter with an empty lease (the entity restarts or stops). */
  void answerAllEmpty(String queue) {
    waiting.values().forEach(w -> w.replyTo().tell(new Leased(queue, List.of())));
    waiting.clear();
  }
}
