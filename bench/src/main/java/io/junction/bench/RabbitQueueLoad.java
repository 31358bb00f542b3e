package io.junction.bench;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.MessageProperties;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The same load on RabbitMQ, configured for the same guarantee: a durable classic queue,
 * persistent messages (delivery mode 2), publisher confirms (a publish counts once RabbitMQ
 * confirmed it, i.e. it is on disk), manual acks and a prefetch of {@code batch}. Each producer and
 * each consumer has its own connection and channel; a producer keeps up to {@code window}
 * publishes unconfirmed, a consumer acks every delivery.
 */
final class RabbitQueueLoad implements QueueLoad {
  private final ConnectionFactory factory = new ConnectionFactory();
  private final String queue;
  private final int batch;

  RabbitQueueLoad(InetSocketAddress target, String queue, int batch) {
    factory.setHost(target.getHostString());
    factory.setPort(target.getPort());
    factory.setUsername("guest");
    factory.setPassword("guest");
    this.queue = queue;
    this.batch = batch;
  }

  @Override
  public void setUp() throws Exception {
    try (Connection c = factory.newConnection("bench-setup");
        Channel ch = c.createChannel()) {
      ch.queueDeclare(queue, true, false, false, Map.of("x-queue-type", "classic"));
    }
  }

  @Override
  public List<Runnable> producer(int id, int window, QueueRun run) {
    return List.of(() -> publishLoop(id, window, run));
  }

  private void publishLoop(int id, int window, QueueRun run) {
    Semaphore permits = new Semaphore(window);
    NavigableSet<Long> outstanding = new ConcurrentSkipListSet<>();
    try (Connection c = factory.newConnection("bench-producer-" + id);
        Channel ch = c.createChannel()) {
      ch.confirmSelect();
      ch.addConfirmListener(
          (tag, multiple) -> permits.release(settle(outstanding, tag, multiple, run, true)),
          (tag, multiple) -> permits.release(settle(outstanding, tag, multiple, run, false)));
      AMQP.BasicProperties persistent = MessageProperties.PERSISTENT_BASIC; // delivery mode 2
      while (run.producing) {
        long seq = run.nextSeq(id);
        long stamp = run.awaitTurn(id, seq);
        if (stamp < 0) break;
        while (!permits.tryAcquire(50, TimeUnit.MILLISECONDS)) if (!run.producing) return;
        outstanding.add(ch.getNextPublishSeqNo());
        ch.basicPublish("", queue, persistent, run.payload(id, seq, stamp));
      }
      // let the last confirms arrive before the channel closes
      permits.tryAcquire(window, 10, TimeUnit.SECONDS);
    } catch (Exception e) {
      run.error("rabbit producer " + id + ": " + e);
    }
  }

  private static int settle(
      NavigableSet<Long> outstanding, long tag, boolean multiple, QueueRun run, boolean ack) {
    int n = 0;
    if (multiple) {
      NavigableSet<Long> done = outstanding.headSet(tag, true);
      n = done.size();
      done.clear();
    } else if (outstanding.remove(tag)) {
      n = 1;
    }
    if (ack) run.published(n);
    else if (n > 0) run.error("rabbit nacked " + n + " publishes");
    return n;
  }

  @Override
  public Runnable consumer(int id, QueueRun run) {
    return () -> consumeLoop(id, run);
  }

  private void consumeLoop(int id, QueueRun run) {
    LatencyHistogram histogram = run.newHistogram();
    try (Connection c = factory.newConnection("bench-consumer-" + id);
        Channel ch = c.createChannel()) {
      ch.basicQos(batch);
      String tag =
          ch.basicConsume(
              queue,
              false,
              new DefaultConsumer(ch) {
                @Override
                public void handleDelivery(
                    String consumerTag, Envelope env, AMQP.BasicProperties props, byte[] body)
                    throws IOException {
                  long now = System.nanoTime();
                  run.received(new String(body, 0, Math.min(64, body.length), StandardCharsets.US_ASCII), histogram, now);
                  ch.basicAck(env.getDeliveryTag(), false);
                  run.acked(1);
                }
              });
      while (run.consuming) java.util.concurrent.locks.LockSupport.parkNanos(20_000_000L);
      ch.basicCancel(tag);
    } catch (Exception e) {
      run.error("rabbit consumer " + id + ": " + e);
    }
  }

  @Override
  public void tearDown() throws Exception {
    try (Connection c = factory.newConnection("bench-teardown");
        Channel ch = c.createChannel()) {
      ch.queueDelete(queue);
    }
  }
}
