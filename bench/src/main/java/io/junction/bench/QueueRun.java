package io.junction.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * What one queue benchmark run shares between its producer and consumer threads: the send
 * schedule, the message format, the counters and the measurement window.
 *
 * <p>Each message is {@code size} bytes of ASCII: {@code m:<producer>:<seq>:<stamp>:} padded with
 * {@code x}. The stamp is the {@code System.nanoTime()} the message was meant to be sent at (paced
 * runs: its slot in the schedule, so a late send counts against latency and there is no
 * coordinated omission) or was sent at (throughput runs). Producers and consumers share one JVM,
 * so the consumer computes end-to-end latency as {@code nanoTime() - stamp} on receipt.
 */
final class QueueRun {
  final int size;
  final int producers;
  final long start = System.nanoTime();
  final long measureStart;
  final long measureEnd;
  private final long intervalNanos; // per producer; 0 = as fast as the window allows
  private final long maxBacklog;
  private final long maxMessages;
  private final AtomicLong issued = new AtomicLong();
  private final AtomicLong[] nextSeq;
  private final byte[] padding;

  volatile boolean producing = true;
  volatile boolean consuming = true;

  final AtomicLong published = new AtomicLong();
  final AtomicLong consumed = new AtomicLong();
  final LongAdder publishedInWindow = new LongAdder();
  final LongAdder consumedInWindow = new LongAdder();
  final LongAdder duplicates = new LongAdder();
  final LongAdder errors = new LongAdder();
  final AtomicReference<String> firstError = new AtomicReference<>();
  private final Set<Long> seen = ConcurrentHashMap.newKeySet();
  private final List<LatencyHistogram> histograms = new ArrayList<>();
  // Every sample of the measure window as (arrival, latency), for the tail's causes (TailCauses):
  // paced runs only, sized for the schedule with room for a late drain; samples past it are not kept.
  private final long[] traceArrival;
  private final long[] traceLatency;
  private final AtomicInteger traced = new AtomicInteger();
  private final long[] hiccups = new long[2 * 100_000]; // (from, to) pairs, nanoTime
  private final AtomicInteger hiccupCount = new AtomicInteger();
  // System.nanoTime() -> wall clock, to line samples up with the GC and database logs
  private final long epochMicrosAtStart =
      ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now());

  QueueRun(
      int size,
      int producers,
      double rate,
      int warmupS,
      int durationS,
      long maxBacklog,
      long maxMessages) {
    this.maxMessages = maxMessages;
    this.size = size;
    this.producers = producers;
    this.measureStart = start + warmupS * 1_000_000_000L;
    this.measureEnd = measureStart + durationS * 1_000_000_000L;
    this.intervalNanos = rate > 0 ? (long) (1e9 * producers / rate) : 0;
    this.maxBacklog = maxBacklog;
    this.nextSeq = new AtomicLong[producers];
    for (int i = 0; i < producers; i++) nextSeq[i] = new AtomicLong();
    this.padding = new byte[size];
    Arrays.fill(padding, (byte) 'x');
    int capacity = rate > 0 ? (int) Math.min(20_000_000, rate * durationS * 1.5) : 0;
    this.traceArrival = new long[capacity];
    this.traceLatency = new long[capacity];
  }

  /** All {@code maxMessages} publishes were acknowledged. */
  boolean allPublished() {
    return published.get() >= maxMessages;
  }

  boolean paced() {
    return intervalNanos > 0;
  }

  /** The next sequence number of {@code producer}. */
  long nextSeq(int producer) {
    return nextSeq[producer].getAndIncrement();
  }

  /**
   * Waits for the turn of message {@code seq} and returns its stamp: the slot in the schedule
   * (paced), or now once the backlog is below the bound (throughput). Returns -1 when producing
   * stopped meanwhile or {@code maxMessages} were issued.
   */
  long awaitTurn(int producer, long seq) {
    if (issued.incrementAndGet() > maxMessages) return -1;
    if (paced()) {
      // producers are offset inside one interval so the aggregate stream is evenly spaced
      long slot = start + seq * intervalNanos + producer * intervalNanos / producers;
      for (long now = System.nanoTime(); now < slot; now = System.nanoTime()) {
        if (!producing) return -1;
        LockSupport.parkNanos(Math.min(slot - now, 50_000_000L));
      }
      return producing ? slot : -1;
    }
    // Bounded backlog: the queue stays shallow, so the rate measured is one both ends sustain.
    while (producing && published.get() - consumed.get() > maxBacklog)
      LockSupport.parkNanos(200_000);
    return producing ? System.nanoTime() : -1;
  }

  /**
   * The next message of {@code producer} if it is due now, without waiting: {@code {seq, stamp}},
   * or null (not due yet, backlog full, another thread of the producer took it, or stopped). Lets
   * a producer batch what is already due without delaying anything to fill a batch.
   */
  long[] takeDue(int producer) {
    if (!producing) return null;
    AtomicLong next = nextSeq[producer];
    long seq = next.get();
    long now = System.nanoTime();
    long stamp = now;
    if (paced()) {
      stamp = start + seq * intervalNanos + producer * intervalNanos / producers;
      if (stamp > now) return null;
    } else if (published.get() - consumed.get() > maxBacklog) {
      return null;
    }
    if (!next.compareAndSet(seq, seq + 1)) return null;
    if (issued.incrementAndGet() > maxMessages) return null;
    return new long[] {seq, stamp};
  }

  byte[] payload(int producer, long seq, long stamp) {
    byte[] head = ("m:" + producer + ":" + seq + ":" + stamp + ":").getBytes(StandardCharsets.US_ASCII);
    byte[] body = padding.clone();
    System.arraycopy(head, 0, body, 0, Math.min(head.length, size));
    return body;
  }

  /** A publish was acknowledged by the broker (durable). */
  void published(int n) {
    published.addAndGet(n);
    if (inWindow(System.nanoTime())) publishedInWindow.add(n);
  }

  /** A message arrived at a consumer: record its latency (if it arrived in the window). */
  void received(CharSequence payload, LatencyHistogram histogram, long now) {
    int a = indexOf(payload, ':', 2);
    int b = indexOf(payload, ':', a + 1);
    int c = indexOf(payload, ':', b + 1);
    if (a < 0 || b < 0 || c < 0) {
      error("unexpected payload: " + payload.subSequence(0, Math.min(40, payload.length())));
      return;
    }
    long producer = parse(payload, 2, a);
    long seq = parse(payload, a + 1, b);
    long stamp = parse(payload, b + 1, c);
    if (!seen.add((producer << 40) | seq)) duplicates.increment();
    // by arrival: a run that falls behind its schedule shows it as latency, not as fewer samples
    if (inWindow(now)) {
      histogram.record(now - stamp);
      int i = traced.getAndIncrement();
      if (i < traceArrival.length) {
        traceArrival[i] = now;
        traceLatency[i] = now - stamp;
      }
    }
  }

  /**
   * Starts a daemon thread that parks for 1 ms again and again and keeps every wake-up 2 ms or more
   * late, as jHiccup does: the client process could not run then (its JVM stopped, or the machine's
   * CPUs were all taken), so whatever it was about to measure waited too.
   */
  void startHiccupMeter() {
    Thread t =
        new Thread(
            () -> {
              while (consuming) {
                long before = System.nanoTime();
                LockSupport.parkNanos(1_000_000L);
                long after = System.nanoTime();
                if (after - before - 1_000_000L >= 2_000_000L && inWindow(after)) {
                  int i = hiccupCount.getAndIncrement();
                  if (i < hiccups.length / 2) {
                    hiccups[2 * i] = before + 1_000_000L;
                    hiccups[2 * i + 1] = after;
                  }
                }
              }
            },
            "hiccup-meter");
    t.setDaemon(true);
    t.start();
  }

  /**
   * Writes the samples of the measure window at or over {@code threshold} ns, one per line: arrival
   * as epoch microseconds, then latency in microseconds. Call after the consumers stopped.
   */
  void writeTrace(Path file, long threshold) throws IOException {
    int n = Math.min(traced.get(), traceArrival.length);
    try (PrintWriter out = new PrintWriter(Files.newBufferedWriter(file))) {
      out.printf(Locale.ROOT, "# samples=%d kept=%d threshold_us=%d%n", traced.get(), n, threshold / 1000);
      // the client's hiccups: "h <from> <to>", epoch microseconds
      for (int i = 0; i < Math.min(hiccupCount.get(), hiccups.length / 2); i++)
        out.printf(Locale.ROOT, "h %d %d%n", epochMicros(hiccups[2 * i]), epochMicros(hiccups[2 * i + 1]));
      for (int i = 0; i < n; i++)
        if (traceLatency[i] >= threshold)
          out.printf(
              Locale.ROOT,
              "%d %d%n",
              epochMicros(traceArrival[i]),
              traceLatency[i] / 1000);
    }
  }

  private long epochMicros(long nanoTime) {
    return epochMicrosAtStart + (nanoTime - start) / 1000;
  }

  /** {@code n} deliveries were acknowledged by the consumer. */
  void acked(int n) {
    consumed.addAndGet(n);
    if (inWindow(System.nanoTime())) consumedInWindow.add(n);
  }

  long distinctConsumed() {
    return seen.size();
  }

  void error(String message) {
    errors.increment();
    firstError.compareAndSet(null, message);
  }

  LatencyHistogram newHistogram() {
    LatencyHistogram h = new LatencyHistogram();
    synchronized (histograms) {
      histograms.add(h);
    }
    return h;
  }

  /** All consumers' samples; call after the consumers stopped. */
  LatencyHistogram mergedHistogram() {
    LatencyHistogram all = new LatencyHistogram();
    synchronized (histograms) {
      for (LatencyHistogram h : histograms) all.add(h);
    }
    return all;
  }

  private boolean inWindow(long now) {
    return now >= measureStart && now < measureEnd;
  }

  private static int indexOf(CharSequence s, char ch, int from) {
    for (int i = Math.max(0, from); i < s.length(); i++) if (s.charAt(i) == ch) return i;
    return -1;
  }

  private static long parse(CharSequence s, int from, int to) {
    long v = 0;
    for (int i = from; i < to; i++) v = v * 10 + (s.charAt(i) - '0');
    return v;
  }
}
