package io.junction.bench;

import io.nats.client.Connection;
import io.nats.client.ConsumeOptions;
import io.nats.client.ConsumerContext;
import io.nats.client.ErrorListener;
import io.nats.client.JetStream;
import io.nats.client.JetStreamManagement;
import io.nats.client.JetStreamOptions;
import io.nats.client.JetStreamSubscription;
import io.nats.client.MessageConsumer;
import io.nats.client.MessageHandler;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.RetentionPolicy;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.support.Status;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The same load on NATS JetStream, as close to {@link RabbitQueueLoad} as JetStream allows: a
 * stream with file storage, one replica and work-queue retention (a message is removed once
 * acked, as from a RabbitMQ queue), one subject (the run's queue name), and one durable consumer
 * with explicit acks and a 30 s ack wait shared by all consumers of the run, so that each message
 * goes to one of them. Each producer and each consumer has its own connection; a producer keeps up
 * to {@code window} publishes awaiting their {@code PubAck} (the stream stored it), a consumer acks
 * every delivery.
 *
 * <p>Work-queue retention is usable here because all consumers share that one durable consumer
 * (JetStream refuses a second consumer with an overlapping filter on a work-queue stream, which is
 * exactly the queue semantics wanted). Limits retention would keep acked messages until the
 * stream's limits drop them: not a queue.
 *
 * <p><b>Consumers pull.</b> Each consumer runs the client's {@code consume()} on the shared durable:
 * it keeps a pull request for up to {@code batch} messages open at the server and tops it up once
 * three quarters have arrived. The server hands a stored message to an open request at once, so
 * there is no polling interval and the latency is that of a push consumer; a push consumer with a
 * deliver group would deliver no sooner, and the clients' current consumer API, this {@code
 * consume()}, is built on pull consumers.
 *
 * <p><b>The prefetch.</b> RabbitMQ's {@code basicQos(batch)} bounds each consumer's unacked
 * deliveries. JetStream's bound, {@code max_ack_pending}, is per durable consumer, so shared by
 * all clients of the run: it is {@code batch} times the consumers, i.e. RabbitMQ's total
 * (exactly its prefetch at 1x1), and each client asks for at most {@code batch} at a time. A
 * client whose handler fell behind could hold more than {@code batch} (what arrived counts as
 * delivered, not as requested); this one acks inline, in microseconds.
 *
 * <p><b>Not the same durability.</b> nats-server 2.9.10 (Debian's package) answers a publish once
 * the message is written to the stream's block file, i.e. is in the operating system's page
 * cache; traced with strace, it synced nothing per message, and the first fsync of a stream's
 * block file came 120 s after the file was created (bench/README.md). So an acknowledged message
 * survives the server process crashing, not a power loss.
 * RabbitMQ confirms a persistent message only after fsync, Junction after its journal's commit.
 * The {@code sync_interval} / {@code sync_always} settings came with 2.10; 2.9.10 rejects them as
 * unknown.
 */
// The client's Connection and MessageConsumer declare close() throws InterruptedException, which
// -Xlint:try flags in try-with-resources; nothing interrupts these threads, and an interrupt would
// end the load as an error like any other exception.
@SuppressWarnings("try")
final class NatsQueueLoad implements QueueLoad {
  private static final String DURABLE = "workers";

  private final String url;
  private final String stream;
  private final String subject;
  private final int batch;
  private final int consumers;
  // The client's defaults (2 s for a JetStream API request) would turn a slow answer on a busy
  // machine into a failed run; the run's own timeouts bound the wait anyway.
  private final JetStreamOptions jsOptions =
      JetStreamOptions.builder().requestTimeout(Duration.ofSeconds(30)).build();

  NatsQueueLoad(InetSocketAddress target, String queue, int batch, int consumers) {
    this.url = "nats://" + target.getHostString() + ":" + target.getPort();
    // stream names may not hold '.', '*', '>', white space or path separators; subjects use '.'
    // as the token separator: keep the name readable, make it one safe token
    this.stream = queue.replaceAll("[^A-Za-z0-9_-]", "_");
    this.subject = stream;
    this.batch = batch;
    this.consumers = Math.max(1, consumers);
  }

  private Connection connect(String name, QueueRun run) throws Exception {
    Options.Builder options =
        new Options.Builder()
            .server(url)
            .connectionName(name)
            .connectionTimeout(Duration.ofSeconds(10))
            // a publishAsync future fails after this long without its PubAck (default 5 s);
            // RabbitMQ's confirms have no timeout, so only a PubAck that never comes is an error
            .requestCleanupInterval(Duration.ofSeconds(30));
    if (run != null) options.errorListener(new RunErrors(name, run));
    return Nats.connect(options.build());
  }

  @Override
  public void setUp() throws Exception {
    try (Connection c = connect("bench-setup", null)) {
      JetStreamManagement jsm = c.jetStreamManagement(jsOptions);
      jsm.addStream(
          StreamConfiguration.builder()
              .name(stream)
              .subjects(subject)
              .storageType(StorageType.File)
              .retentionPolicy(RetentionPolicy.WorkQueue)
              .replicas(1)
              .build());
      jsm.addOrUpdateConsumer(
          stream,
          ConsumerConfiguration.builder()
              .durable(DURABLE)
              .ackPolicy(AckPolicy.Explicit)
              .ackWait(Duration.ofSeconds(30))
              .maxAckPending((long) batch * consumers)
              .build());
    }
  }

  @Override
  public List<Runnable> producer(int id, int window, QueueRun run) {
    return List.of(() -> publishLoop(id, window, run));
  }

  private void publishLoop(int id, int window, QueueRun run) {
    Semaphore permits = new Semaphore(window);
    try (Connection c = connect("bench-producer-" + id, run)) {
      JetStream js = c.jetStream(jsOptions);
      while (run.producing) {
        long seq = run.nextSeq(id);
        long stamp = run.awaitTurn(id, seq);
        if (stamp < 0) break;
        while (!permits.tryAcquire(50, TimeUnit.MILLISECONDS)) if (!run.producing) return;
        js.publishAsync(subject, run.payload(id, seq, stamp))
            .whenComplete(
                (ack, failure) -> {
                  // the PubAck means the stream stored it; an error PubAck fails the future
                  if (failure == null) run.published(1);
                  else run.error("nats publish (producer " + id + "): " + failure);
                  permits.release();
                });
      }
      // let the last PubAcks arrive before the connection closes
      permits.tryAcquire(window, 10, TimeUnit.SECONDS);
    } catch (Exception e) {
      run.error("nats producer " + id + ": " + e);
    }
  }

  @Override
  public Runnable consumer(int id, QueueRun run) {
    return () -> consumeLoop(id, run);
  }

  private void consumeLoop(int id, QueueRun run) {
    LatencyHistogram histogram = run.newHistogram();
    MessageHandler handler =
        msg -> {
          long now = System.nanoTime();
          byte[] body = msg.getData();
          run.received(new String(body, 0, Math.min(64, body.length), StandardCharsets.US_ASCII), histogram, now);
          try {
            msg.ack();
            run.acked(1);
          } catch (RuntimeException e) {
            run.error("nats ack (consumer " + id + "): " + e);
          }
        };
    try (Connection c = connect("bench-consumer-" + id, run)) {
      ConsumerContext context = c.getStreamContext(stream, jsOptions).getConsumerContext(DURABLE);
      try (MessageConsumer mc =
          context.consume(ConsumeOptions.builder().batchSize(batch).build(), handler)) {
        while (run.consuming) LockSupport.parkNanos(20_000_000L);
        mc.stop();
      }
    } catch (Exception e) {
      run.error("nats consumer " + id + ": " + e);
    }
  }

  @Override
  public void tearDown() throws Exception {
    try (Connection c = connect("bench-teardown", null)) {
      c.jetStreamManagement(jsOptions).deleteStream(stream);
    }
  }

  /**
   * What the client reports asynchronously counts against the run, as a nack does on RabbitMQ: a
   * missed heartbeat or a failed pull would otherwise only show as a stall.
   */
  private static final class RunErrors implements ErrorListener {
    private final String name;
    private final QueueRun run;

    RunErrors(String name, QueueRun run) {
      this.name = name;
      this.run = run;
    }

    @Override
    public void errorOccurred(Connection conn, String error) {
      run.error(name + ": " + error);
    }

    @Override
    public void exceptionOccurred(Connection conn, Exception exp) {
      run.error(name + ": " + exp);
    }

    @Override
    public void slowConsumerDetected(Connection conn, io.nats.client.Consumer consumer) {
      run.error(name + ": slow consumer");
    }

    @Override
    public void heartbeatAlarm(
        Connection conn, JetStreamSubscription sub, long lastStreamSequence, long lastConsumerSequence) {
      run.error(name + ": missed heartbeats");
    }

    @Override
    public void pullStatusError(Connection conn, JetStreamSubscription sub, Status status) {
      run.error(name + ": pull " + status);
    }

    @Override
    public void pullStatusWarning(Connection conn, JetStreamSubscription sub, Status status) {
      // e.g. a pull request that expired empty: normal, but worth seeing
      System.err.println(name + ": pull warning " + status);
    }
  }
}
