package io.junction.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Producers and consumers over Junction's batch and streaming queue API (the default {@code --api
 * fast}). A producer is {@code connections} threads, each with its own keep-alive connection,
 * sharing {@code window} permits (one per unconfirmed message), so a producer never has more than
 * {@code window} messages unconfirmed, as the RabbitMQ producer. A thread waits for its next
 * message's turn and a permit, adds every further message already due while permits last (never
 * waiting to fill a batch), and sends them in one {@code POST .../messages:batch}, answered once all
 * are durable. A consumer reads {@code GET
 * .../stream?prefetch=batch} (server-sent events, at most {@code batch} unacked) on one connection
 * and acks on a second one, without stopping the reading: each {@code POST .../ack} carries every
 * receipt read since the previous ack was answered.
 */
final class JunctionFastQueueLoad implements QueueLoad {
  private final JunctionQueueLoad classic;
  private final InetSocketAddress target;
  private final String queue;
  private final int batch;
  private final int connections;

  JunctionFastQueueLoad(InetSocketAddress target, String queue, int batch, int connections) {
    this.classic = new JunctionQueueLoad(target, queue, batch);
    this.target = target;
    this.queue = queue;
    this.batch = batch;
    this.connections = connections;
  }

  @Override
  public void setUp() throws IOException {
    classic.setUp();
  }

  @Override
  public List<Runnable> producer(int id, int window, QueueRun run) {
    // The producer's connections share its window: at most `window` messages unconfirmed in all.
    Semaphore permits = new Semaphore(window);
    List<Runnable> workers = new ArrayList<>();
    for (int c = 0; c < Math.max(1, Math.min(connections, window)); c++)
      workers.add(() -> publishLoop(id, window, permits, run));
    return workers;
  }

  private void publishLoop(int id, int window, Semaphore permits, QueueRun run) {
    String path = "/v1/queues/" + queue + "/messages:batch";
    StringBuilder body = new StringBuilder(window * (run.size + 16));
    try (MiniHttp http = new MiniHttp(target)) {
      while (run.producing) {
        long seq = run.nextSeq(id);
        long stamp = run.awaitTurn(id, seq);
        if (stamp < 0 || !acquire(permits, run)) break;
        body.setLength(0);
        body.append("[{\"payload\":\"").append(ascii(run.payload(id, seq, stamp))).append("\"}");
        int n = 1;
        while (n < window && permits.tryAcquire()) {
          long[] due = run.takeDue(id);
          if (due == null) {
            permits.release();
            break;
          }
          body.append(",{\"payload\":\"").append(ascii(run.payload(id, due[0], due[1]))).append("\"}");
          n++;
        }
        body.append(']');
        try {
          MiniHttp.Response r =
              http.post(path, "application/json", body.toString().getBytes(StandardCharsets.US_ASCII));
          if (r.status() == 201) run.published(n);
          else run.error("publish " + r.status() + ": " + r.text());
        } catch (IOException e) {
          run.error("publish: " + e);
        } finally {
          permits.release(n);
        }
      }
    }
  }

  private static boolean acquire(Semaphore permits, QueueRun run) {
    try {
      while (!permits.tryAcquire(50, TimeUnit.MILLISECONDS)) if (!run.producing) return false;
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static String ascii(byte[] payload) {
    return new String(payload, StandardCharsets.US_ASCII); // m:<p>:<seq>:<stamp>: padded with x
  }

  @Override
  public Runnable consumer(int id, QueueRun run) {
    return () -> consumeLoop(run);
  }

  private void consumeLoop(QueueRun run) {
    LatencyHistogram histogram = run.newHistogram();
    BlockingQueue<String> toAck = new LinkedBlockingQueue<>();
    Thread acker = new Thread(() -> ackLoop(run, toAck), "consumer-acks");
    acker.setDaemon(true);
    acker.start();
    try (SseReader sse = new SseReader(target, "/v1/queues/" + queue + "/stream?prefetch=" + batch)) {
      Thread stopper = new Thread(() -> closeWhenDone(run, sse), "consumer-stopper");
      stopper.setDaemon(true);
      stopper.start();
      while (run.consuming) {
        String data = sse.next();
        long now = System.nanoTime();
        run.received(JunctionQueueLoad.value(data, "\"payload\":\""), histogram, now);
        toAck.add(JunctionQueueLoad.value(data, "\"receipt\":\""));
      }
    } catch (IOException e) {
      if (run.consuming) run.error("consume: " + e);
    }
  }

  // Acks go out on their own connection, as AMQP's basicAck does not block the delivery loop:
  // everything that arrived while the previous ack was answered goes in the next one.
  private void ackLoop(QueueRun run, BlockingQueue<String> toAck) {
    String path = "/v1/queues/" + queue + "/ack";
    List<String> receipts = new ArrayList<>(batch);
    try (MiniHttp http = new MiniHttp(target)) {
      while (run.consuming) {
        String first = toAck.poll(50, TimeUnit.MILLISECONDS);
        if (first == null) continue;
        receipts.clear();
        receipts.add(first);
        toAck.drainTo(receipts, 999);
        StringBuilder json = new StringBuilder(receipts.size() * 48).append("{\"receipts\":[");
        for (int i = 0; i < receipts.size(); i++)
          json.append(i == 0 ? "\"" : ",\"").append(receipts.get(i)).append('"');
        json.append("]}");
        try {
          MiniHttp.Response a =
              http.post(path, "application/json", json.toString().getBytes(StandardCharsets.UTF_8));
          if (a.status() == 200) run.acked(receipts.size());
          else run.error("ack " + a.status() + ": " + a.text());
        } catch (IOException e) {
          run.error("ack: " + e);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  // The reader blocks in next(); closing its socket once the run stops consuming ends it.
  private static void closeWhenDone(QueueRun run, SseReader sse) {
    while (run.consuming) java.util.concurrent.locks.LockSupport.parkNanos(20_000_000L);
    sse.close();
  }

  @Override
  public void tearDown() {
    classic.tearDown();
  }
}
