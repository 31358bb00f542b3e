package io.junction.cluster;

import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.net.ConnectException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A client thread publishing numbered messages ({@code name-0}, {@code name-1}, ...) one at a time
 * to a queue through one node's HTTP API, recording every outcome: acknowledged (201, with when it
 * was sent and answered) or reported failed to this client (another status, no answer in time, the
 * node gone). Stops when told, after {@code max} messages, or when its node refuses connections.
 */
final class QueuePublisher {
  /** One acknowledged message: sent at {@code sent}, acknowledged at {@code acked} (nanoTime). */
  record Ack(String body, long sent, long acked) {}

  private final String name;
  private final NamespacedCluster cluster;
  private final NamespacedCluster.Node via;
  private final String queue;
  private final int max;
  private final AtomicBoolean stop = new AtomicBoolean();
  private final List<String> sent = new ArrayList<>();
  private final List<Ack> acks = Collections.synchronizedList(new ArrayList<>());
  private final AtomicInteger failed = new AtomicInteger();
  private Thread thread;

  QueuePublisher(
      String name, NamespacedCluster cluster, NamespacedCluster.Node via, String queue, int max) {
    this.name = name;
    this.cluster = cluster;
    this.via = via;
    this.queue = queue;
    this.max = max;
  }

  QueuePublisher start() {
    thread = new Thread(this::run, "publisher-" + name);
    thread.start();
    return this;
  }

  private void run() {
    for (int n = 0; n < max && !stop.get(); n++) {
      String body = name + "-" + n;
      sent.add(body);
      long started = System.nanoTime();
      try {
        if (cluster.publish(via, queue, body).statusCode() == 201)
          acks.add(new Ack(body, started, System.nanoTime()));
        else failed.incrementAndGet(); // 503: not acknowledged, and this client knows it
      } catch (ConnectException e) {
        failed.incrementAndGet(); // the node is gone: nothing more can be acknowledged here
        return;
      } catch (IOException e) {
        failed.incrementAndGet(); // no answer in time: not acknowledged
      } catch (InterruptedException e) {
        failed.incrementAndGet();
        return;
      }
    }
  }

  /** Stops publishing and waits (bounded) for the thread to end. */
  void stop() throws InterruptedException {
    stop.set(true);
    thread.join(30_000);
    assertFalse(thread.isAlive(), name + " still publishing");
  }

  /** Waits (bounded) until {@code max} messages were published. */
  void finish(int seconds) throws InterruptedException {
    thread.join(seconds * 1000L);
    assertFalse(thread.isAlive(), name + " did not publish " + max + " within " + seconds + " s");
  }

  boolean running() {
    return thread.isAlive();
  }

  String name() {
    return name;
  }

  int failed() {
    return failed.get();
  }

  /** The acknowledgements so far, in order. */
  List<Ack> acks() {
    synchronized (acks) {
      return List.copyOf(acks);
    }
  }

  /** Acknowledged bodies, in the order they were published. */
  List<String> ackedBodies() {
    return acks().stream().map(Ack::body).toList();
  }

  /** Everything this publisher sent; complete once it has stopped. */
  List<String> sent() {
    if (thread.isAlive()) throw new IllegalStateException(name + " is still publishing");
    return List.copyOf(sent);
  }

  static long acked(List<QueuePublisher> publishers) {
    return publishers.stream().mapToLong(p -> p.acks().size()).sum();
  }
}
