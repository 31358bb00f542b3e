package io.junction.bench;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * One queue benchmark run against Junction's queue API ({@code --api fast}, {@code classic} or
 * {@code ws}: {@link JunctionFastQueueLoad}, {@link JunctionQueueLoad}, {@link
 * JunctionSocketQueueLoad}) or its STOMP listener ({@code --api stomp --stomp-port N}: {@link
 * JunctionStompQueueLoad}; the queue is still created through the HTTP API on {@code --target}),
 * RabbitMQ or NATS JetStream: P producers and C consumers on one fresh
 * queue, 1 KiB messages, every message published with a durable acknowledgement (see {@link
 * NatsQueueLoad} for what JetStream's acknowledgement means), consumed and acked. Prints one
 * {@code RESULT} line.
 *
 * <ul>
 *   <li>Throughput (no {@code --rate}): producers publish as fast as their window allows, while
 *       the queue holds at most {@code --max-backlog} unconsumed messages; the figure is messages
 *       consumed and acked per second in the measure window.
 *   <li>Latency ({@code --rate R}): producers follow a fixed open-loop schedule of R msg/s in
 *       total; latency is from a message's scheduled send time to its arrival at a consumer, for
 *       messages arriving in the measure window. A system that cannot keep the schedule is marked
 *       {@code saturated}: its latency then grows with the run.
 * </ul>
 *
 * With {@code --max-messages N} producers stop after N publishes (filling a queue for the recovery
 * measurement: {@code --consumers 0}). After the measure window producers stop and consumers drain what was published (bounded by
 * {@code --drain-timeout}); every acknowledged publish must then have been consumed.
 */
public final class QueueBench {
  private QueueBench() {}

  public static void main(String[] argv) throws Exception {
    Args a =
        new Args(argv, "system", "target", "label", "queue", "producers", "consumers", "window",
            "batch", "rate", "size", "warmup", "duration", "drain-timeout", "max-backlog",
            "max-messages", "keep-queue", "api", "connections", "stomp-port", "trace");
    String system = a.get("system", "junction");
    InetSocketAddress target = Args.hostPort(a.get("target", "127.0.0.1:8080"));
    int producers = a.getInt("producers", 1);
    int consumers = a.getInt("consumers", 1);
    int window = a.getInt("window", 16);
    int batch = a.getInt("batch", 100);
    double rate = Double.parseDouble(a.get("rate", "0"));
    int size = a.getInt("size", 1024);
    int warmup = a.getInt("warmup", 5);
    int duration = a.getInt("duration", 15);
    int drainTimeout = a.getInt("drain-timeout", 30);
    long maxBacklog = a.getLong("max-backlog", 5000);
    long maxMessages = a.getLong("max-messages", Long.MAX_VALUE);
    String queue = a.get("queue", "bench-" + System.currentTimeMillis());
    String label = a.get("label", system);
    String mode = rate > 0 ? "latency" : "throughput";

    QueueLoad load =
        switch (system) {
          case "junction" ->
              switch (a.get("api", "fast")) {
                case "classic" -> new JunctionQueueLoad(target, queue, batch);
                case "ws" -> new JunctionSocketQueueLoad(target, queue, batch);
                // the node's STOMP port (junction.stomp.port, default 61613) on --target's host
                case "stomp" ->
                    new JunctionStompQueueLoad(
                        target,
                        new InetSocketAddress(target.getHostString(), a.getInt("stomp-port", 61613)),
                        queue,
                        batch);
                case "fast" -> new JunctionFastQueueLoad(target, queue, batch, a.getInt("connections", 4));
                default ->
                    throw new IllegalArgumentException(
                        "--api fast|classic|ws|stomp, was " + a.get("api", "fast"));
              };
          case "rabbitmq" -> new RabbitQueueLoad(target, queue, batch);
          case "nats" -> new NatsQueueLoad(target, queue, batch, consumers);
          default ->
              throw new IllegalArgumentException("--system junction|rabbitmq|nats, was " + system);
        };
    load.setUp();
    QueueRun run = new QueueRun(size, producers, rate, warmup, duration, maxBacklog, maxMessages);
    if (!a.get("trace", "").isEmpty()) run.startHiccupMeter();
    List<Thread> consumerThreads = new ArrayList<>();
    for (int c = 0; c < consumers; c++)
      consumerThreads.add(start("consumer-" + c, load.consumer(c, run)));
    List<Thread> producerThreads = new ArrayList<>();
    for (int p = 0; p < producers; p++)
      for (Runnable r : load.producer(p, window, run))
        producerThreads.add(start("producer-" + p, r));

    while (System.nanoTime() < run.measureEnd && !run.allPublished())
      TimeUnit.MILLISECONDS.sleep(Math.min(100, Math.max(1, (run.measureEnd - System.nanoTime()) / 1_000_000)));
    run.producing = false;
    for (Thread t : producerThreads) t.join(30_000);
    long drainDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(drainTimeout);
    while (run.distinctConsumed() < run.published.get() && System.nanoTime() < drainDeadline)
      TimeUnit.MILLISECONDS.sleep(20);
    run.consuming = false;
    for (Thread t : consumerThreads) t.join(30_000);
    boolean keep = a.get("keep-queue", "no").equals("yes"); // queue-recovery.sh restarts on it
    try {
      if (!keep) load.tearDown();
    } catch (Exception e) {
      System.err.println("tear down: " + e);
    }

    LatencyHistogram h = run.mergedHistogram();
    // the slowest 1% of a paced run's messages, for TailCauses to line up with the pauses
    String trace = a.get("trace", "");
    if (!trace.isEmpty() && run.paced()) run.writeTrace(Path.of(trace), h.percentile(0.99));
    long missing = Math.max(0, run.published.get() - run.distinctConsumed());
    double consumedPerS = run.consumedInWindow.sum() / (double) duration;
    String status =
        missing > 0
            ? "INCOMPLETE(" + missing + "_not_consumed_within_" + drainTimeout + "s)"
            : run.errors.sum() > 0
                ? "errors"
                // behind schedule: the latency figures then measure the growing backlog
                : rate > 0 && consumedPerS < 0.95 * rate ? "saturated" : "ok";
    System.out.println(
        String.format(
            Locale.ROOT,
            "RESULT label=%s system=%s mode=%s shape=%dx%d rate=%.0f window=%d batch=%d size=%d"
                + " published_per_s=%.0f consumed_per_s=%.0f p50_us=%.0f p99_us=%.0f"
                + " p999_us=%.0f max_us=%.0f samples=%d published=%d consumed=%d duplicates=%d"
                + " errors=%d status=%s",
            label, system, mode, producers, consumers, rate, window, batch, size,
            run.publishedInWindow.sum() / (double) duration,
            consumedPerS,
            h.percentile(0.50) / 1e3, h.percentile(0.99) / 1e3, h.percentile(0.999) / 1e3,
            h.max() / 1e3, h.count(), run.published.get(), run.consumed.get(),
            run.duplicates.sum(), run.errors.sum(), status));
    if (run.firstError.get() != null) System.out.println("FIRST_ERROR " + run.firstError.get());
    System.exit(0);
  }

  private static Thread start(String name, Runnable r) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    t.start();
    return t;
  }
}
