package io.junction.faults;

import io.junction.config.ConfigProblems;
import io.junction.metrics.Metrics;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's fault rules, one registry per actor system (a Pekko extension, like {@link Metrics},
 * so several nodes in one test JVM keep theirs apart). Writes (API calls, expiry) are synchronized
 * and publish a new immutable {@link FaultSet}; readers on the hot path do one volatile read.
 *
 * <p>Every injection is counted in {@code junction_faults_injected_total{rule,kind}} and in the
 * rule's hits, and logged: the first hit of a rule at WARN, every hit at DEBUG (logger {@code
 * junction.faults}), so a 50% drop rule under load does not flood the log.
 */
public final class Faults implements Extension {
  private static final Logger LOG = LoggerFactory.getLogger("junction.faults");

  private static final ExtensionId<Faults> ID =
      new ExtensionId<>() {
        @Override
        public Faults createExtension(ActorSystem<?> system) {
          ConfigProblems problems = new ConfigProblems();
          FaultSettings s = FaultSettings.fromConfig(system.settings().config(), problems);
          problems.throwIfAny(); // already validated by NodeSettings; only a bare system gets here
          return new Faults(s, Metrics.get(system).registry());
        }
      };

  private final FaultSettings settings;
  private final MeterRegistry registry;
  private volatile FaultSet current = FaultSet.EMPTY;
  private long nextId;

  private Faults(FaultSettings settings, MeterRegistry registry) {
    this.settings = settings;
    this.registry = registry;
    if (settings.enabled())
      LOG.warn("fault injection is enabled (junction.faults.enabled): not for production use");
  }

  public static Faults get(ActorSystem<?> system) {
    return system.registerExtension(ID);
  }

  public boolean enabled() {
    return settings.enabled();
  }

  public FaultSettings settings() {
    return settings;
  }

  /** The rules in force; cheap enough to call once per frame or delivery. */
  public FaultSet current() {
    return current;
  }

  /** Adds a rule; throws {@link IllegalStateException} when disabled or full. */
  public synchronized FaultRule add(FaultSpec spec) {
    if (!settings.enabled())
      throw new IllegalStateException("fault injection is off (junction.faults.enabled = off)");
    List<FaultRule> rules = pruned(System.currentTimeMillis());
    if (rules.size() >= settings.maxRules())
      throw new IllegalStateException(
          rules.size() + " rules are active, the most junction.faults.max-rules allows");
    String id = "f" + (++nextId);
    FaultRule rule =
        new FaultRule(
            id,
            spec,
            Instant.now(),
            registry.counter("junction.faults.injected", "rule", id, "kind", spec.kind().text()));
    rules.add(rule);
    current = new FaultSet(rules);
    LOG.info("fault rule {} added: {}", id, spec.view());
    return rule;
  }

  /** Removes rule {@code id}; empty when there is no such rule (or it already expired). */
  public synchronized Optional<FaultRule> remove(String id) {
    List<FaultRule> rules = pruned(System.currentTimeMillis());
    Optional<FaultRule> gone = rules.stream().filter(r -> r.id().equals(id)).findFirst();
    gone.ifPresent(
        r -> {
          rules.remove(r);
          current = new FaultSet(rules);
          LOG.info("fault rule {} removed after {} hits", id, r.hits());
        });
    return gone;
  }

  /** The rules in force now, expired ones dropped. */
  public synchronized List<FaultRule> list() {
    return List.copyOf(pruned(System.currentTimeMillis()));
  }

  /** Called by a reader that met an expired rule: publish a set without it. */
  public synchronized void expire() {
    pruned(System.currentTimeMillis());
  }

  /**
   * When an active rule of {@code kind} naming {@code target} hits (counted and logged): the
   * failure to inject, naming the rule; otherwise null. {@code where} is for the log and message.
   */
  public RuntimeException failure(
      FaultKind kind, FaultKind.Scope scope, String target, String where) {
    FaultRule r = hit(kind, scope, target, where, rule -> true);
    return r == null
        ? null
        : new IllegalStateException(
            "injected fault " + r.id() + " (" + kind.text() + ") at " + where);
  }

  /**
   * The first active rule of {@code kind} in {@code scope} naming {@code target} that is {@code
   * eligible} and rolls a hit, counted and logged as injected at {@code where}; null when none
   * does. Expired rules met on the way are pruned. The one matching loop for kinds that act on a
   * single event (throw, crash, a failing step); the frame and datagram stages combine several
   * kinds per event and walk the rules themselves.
   */
  FaultRule hit(
      FaultKind kind,
      FaultKind.Scope scope,
      String target,
      String where,
      java.util.function.Predicate<FaultRule> eligible) {
    List<FaultRule> rules = current.rules(scope, target);
    if (rules.isEmpty()) return null;
    long now = System.currentTimeMillis();
    for (FaultRule r : rules) {
      if (r.kind() != kind) continue;
      if (!r.active(now)) {
        expire();
        continue;
      }
      // eligibility before the roll, so an exhausted rule does not consume randomness
      if (eligible.test(r) && r.rolls()) {
        injected(r, where);
        return r;
      }
    }
    return null;
  }

  /** Counts and logs one injection of {@code rule}; {@code where} says what it hit. */
  public void injected(FaultRule rule, String where) {
    rule.count();
    if (rule.hits() == 1)
      LOG.warn("fault {} ({}) injected first at {}", rule.id(), rule.kind().text(), where);
    else if (LOG.isDebugEnabled())
      LOG.debug("fault {} ({}) injected at {}", rule.id(), rule.kind().text(), where);
  }

  // Drops expired rules (publishing the change) and returns a mutable copy of the rest.
  private List<FaultRule> pruned(long now) {
    List<FaultRule> rules = new ArrayList<>(current.all());
    if (rules.removeIf(
        r -> {
          boolean expired = !r.active(now);
          if (expired) LOG.info("fault rule {} expired after {} hits", r.id(), r.hits());
          return expired;
        })) current = new FaultSet(rules);
    return rules;
  }
}
