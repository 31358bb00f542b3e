package io.junction.queue;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;

/**
 * A queue's publish, deliver and ack rates, as RabbitMQ's management API shows them: messages per
 * second over about the last {@link #WINDOW_SECONDS} seconds, from the queue's counters sampled
 * once per sweep (the counters themselves are in {@link QueueState}; Prometheus users take {@code
 * rate()} of the same counters instead).
 */
final class QueueRates {

  static final int WINDOW_SECONDS = 10;
  private static final long WINDOW_NANOS = TimeUnit.SECONDS.toNanos(WINDOW_SECONDS);

  /** Messages per second. */
  record Rates(double publish, double deliver, double ack) {
    static final Rates ZERO = new Rates(0, 0, 0);
  }

  private record Sample(long at, long published, long delivered, long acked) {}

  // Oldest first; the first is the newest sample at least WINDOW old (or the oldest there is).
  private final ArrayDeque<Sample> samples = new ArrayDeque<>();

  /** Records the counters at {@code nanoTime}. */
  void sample(long nanoTime, long published, long delivered, long acked) {
    Sample last = samples.peekLast();
    // Counters that went back (the queue recovered from an older snapshot, or was recreated)
    // start the window again rather than give a negative rate.
    if (last != null
        && (published < last.published || delivered < last.delivered || acked < last.acked))
      samples.clear();
    samples.addLast(new Sample(nanoTime, published, delivered, acked));
    while (samples.size() > 2) {
      Iterator<Sample> oldest = samples.iterator();
      oldest.next();
      if (nanoTime - oldest.next().at < WINDOW_NANOS) break;
      samples.pollFirst();
    }
  }

  /** How many samples are kept (bounded by the window over the sweep interval). */
  int samples() {
    return samples.size();
  }

  /** The rates from the window's start up to the counters at {@code nanoTime}. */
  Rates at(long nanoTime, long published, long delivered, long acked) {
    Sample base = samples.peekFirst();
    if (base == null || nanoTime <= base.at) return Rates.ZERO;
    if (published < base.published || delivered < base.delivered || acked < base.acked)
      return Rates.ZERO;
    double seconds = (nanoTime - base.at) / 1e9;
    return new Rates(
        (published - base.published) / seconds,
        (delivered - base.delivered) / seconds,
        (acked - base.acked) / seconds);
  }
}
