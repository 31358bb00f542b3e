package io.junction.queue;

import io.junction.queue.QueueEntity.Delivery;
import io.junction.queue.QueueState.InFlight;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The push subscribers of one queue and their prefetch windows. Transient: subscriptions are not
 * journaled, so subscribers subscribe again after a node restart.
 */
final class Subscribers {

  private static final class Window {
    final int prefetch;
    int inFlight;

    Window(int prefetch) {
      this.prefetch = prefetch;
    }
  }

  private final Map<ActorRef<Delivery>, Window> windows = new LinkedHashMap<>();

  boolean add(ActorRef<Delivery> consumer, int prefetch) {
    if (prefetch < 1 || windows.containsKey(consumer)) return false;
    windows.put(consumer, new Window(prefetch));
    return true;
  }

  boolean remove(ActorRef<Delivery> consumer) {
    return windows.remove(consumer) != null;
  }

  /** A delivery held by {@code holder} was settled or expired: its slot is free again. */
  void released(ActorRef<Delivery> holder) {
    Window w = holder == null ? null : windows.get(holder);
    if (w != null) w.inFlight--;
  }

  /** After a purge or restart no lease survives, so every window is empty. */
  void emptyWindows() {
    windows.values().forEach(w -> w.inFlight = 0);
  }

  boolean isEmpty() {
    return windows.isEmpty();
  }

  int size() {
    return windows.size();
  }

  /**
   * Leases ready messages round-robin to subscribers with free prefetch and pushes them, until the
   * windows are full or nothing is ready: pipelined, not one message at a time.
   */
  void fill(
      QueueState s,
      long deadline,
      Supplier<String> receipts,
      Function<InFlight, Delivery> deliver) {
    boolean progress = true;
    while (progress && s.hasDeliverable()) {
      progress = false;
      for (Map.Entry<ActorRef<Delivery>, Window> e : windows.entrySet()) {
        Window w = e.getValue();
        if (w.inFlight >= w.prefetch || !s.hasDeliverable()) continue;
        w.inFlight++;
        e.getKey().tell(deliver.apply(s.lease(receipts.get(), deadline, e.getKey())));
        progress = true;
      }
    }
  }
}
