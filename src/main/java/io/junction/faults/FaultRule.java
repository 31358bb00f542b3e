package io.junction.faults;

import io.micrometer.core.instrument.Counter;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;

/**
 * An active fault rule: its immutable {@link FaultSpec} plus its hit counters (thread-safe: every
 * connection stream and destination proxy that applies the rule counts into them).
 */
public final class FaultRule {
  private final String id;
  private final FaultSpec spec;
  private final Instant created;
  private final long expiresMillis;
  private final LongAdder hits = new LongAdder();
  private final Counter injected;

  FaultRule(String id, FaultSpec spec, Instant created, Counter injected) {
    this.id = id;
    this.spec = spec;
    this.created = created;
    this.expiresMillis = spec.expires().toEpochMilli();
    this.injected = injected;
  }

  public String id() {
    return id;
  }

  public FaultSpec spec() {
    return spec;
  }

  public FaultKind kind() {
    return spec.kind();
  }

  public long hits() {
    return hits.sum();
  }

  /** Still in force at {@code nowMillis} (rules are also pruned, this makes expiry exact). */
  public boolean active(long nowMillis) {
    return nowMillis < expiresMillis;
  }

  /** Rolls the dice: does this rule hit the current frame or delivery? */
  public boolean rolls() {
    return spec.percent() >= 100 || ThreadLocalRandom.current().nextDouble(100) < spec.percent();
  }

  /** The rule's {@code delay ± jitter}, drawn anew for each frame, datagram or write it holds. */
  public Duration jitteredDelay() {
    long base = spec.delay().toMillis(), jitter = spec.jitter().toMillis();
    long ms =
        jitter == 0 ? base : base - jitter + ThreadLocalRandom.current().nextLong(2 * jitter + 1);
    return Duration.ofMillis(Math.max(0, ms));
  }

  void count() {
    hits.increment();
    injected.increment();
  }

  /** The rule as {@code GET /v1/faults} shows it. */
  public Map<String, Object> view() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", id);
    m.putAll(spec.view());
    m.put("created", created.toString());
    m.put("hits", hits());
    return m;
  }

  @Override
  public String toString() {
    return id + " " + spec.view();
  }
}
