package io.junction.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

/**
 * Publisher threads into one queue of a node that a crash test is about to kill: each sends
 * numbered messages ({@code <prefix>-<publisher>-<n>}) until stopped, the node goes away or a
 * shared budget runs out, and notes what it sent and what was acknowledged (201).
 */
public final class PublishTraffic {
  /** Every id a publisher tried to send, acknowledged or not. */
  public final Set<String> sent = ConcurrentHashMap.newKeySet();

  /** The ids the node answered 201 for. */
  public final Set<String> acked = ConcurrentHashMap.newKeySet();

  private final List<Thread> threads = new ArrayList<>();
  private final AtomicBoolean stop = new AtomicBoolean();

  /**
   * {@code publishers} threads publishing {@code body.apply(id)} into {@code queue}, at most {@code
   * budget} messages in all; {@link #start()} starts them.
   */
  public PublishTraffic(
      QueueClient queues,
      String queue,
      String prefix,
      int publishers,
      int budget,
      UnaryOperator<String> body) {
    AtomicInteger left = new AtomicInteger(budget);
    for (int p = 0; p < publishers; p++) {
      String publisher = prefix + "-" + p;
      threads.add(
          new Thread(
              () -> {
                for (int n = 0; !stop.get() && left.decrementAndGet() >= 0; n++) {
                  String id = publisher + "-" + n;
                  sent.add(id);
                  try {
                    if (queues.publish(queue, body.apply(id)) != 201) return;
                    acked.add(id);
                  } catch (Exception e) {
                    return; // the node is gone
                  }
                }
              },
              "publisher-" + publisher));
    }
  }

  public void start() {
    threads.forEach(Thread::start);
  }

  /** Stops the publishers and waits (bounded) for each to end. */
  public void stopAndJoin() throws InterruptedException {
    stop.set(true);
    for (Thread t : threads) t.join(30_000);
  }
}
