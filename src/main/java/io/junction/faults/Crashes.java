package io.junction.faults;

import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.BehaviorInterceptor;
import org.apache.pekko.actor.typed.TypedActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Crash rules ({@code crash-endpoint}, {@code crash-queue}): the actor throws {@link InjectedCrash}
 * while handling a command, so that its supervisor, not a fault-aware shortcut, decides what
 * happens. A rule crashes its target at most {@code count} times over its life.
 */
public final class Crashes {
  private Crashes() {}

  /** Thrown on purpose by a crash rule; the message names the rule. */
  public static final class InjectedCrash extends RuntimeException {
    private static final long serialVersionUID = 1L;

    InjectedCrash(FaultRule rule, String where) {
      super("injected fault " + rule.id() + " (" + rule.kind().text() + ") at " + where);
    }
  }

  /**
   * Wraps an endpoint's behavior so that a {@code crash-endpoint} rule naming {@code endpoint}
   * makes it throw on the next command it handles. Returns {@code behavior} itself when fault
   * injection is off: nothing is added then.
   */
  public static <T> Behavior<T> endpoint(
      ActorSystem<?> system, String endpoint, Behavior<T> behavior) {
    Faults faults = Faults.get(system);
    if (!faults.enabled()) return behavior;
    return Behaviors.intercept(() -> new CrashInterceptor<>(faults, endpoint), behavior);
  }

  /**
   * Throws {@link InjectedCrash} when a rule of {@code kind} in {@code scope} naming {@code target}
   * is active, still has crashes left and rolls a hit; {@code where} is for the log.
   */
  public static void maybeCrash(
      Faults faults, FaultKind kind, FaultKind.Scope scope, String target, String where) {
    // one actor handles a target's commands one at a time, so check-then-count does not race
    FaultRule r = faults.hit(kind, scope, target, where, rule -> rule.hits() < rule.spec().count());
    if (r != null) throw new InjectedCrash(r, where);
  }

  private static final class CrashInterceptor<T> extends BehaviorInterceptor<T, T> {
    private final Faults faults;
    private final String endpoint;

    @SuppressWarnings("unchecked")
    CrashInterceptor(Faults faults, String endpoint) {
      super((Class<T>) (Class<?>) Object.class);
      this.faults = faults;
      this.endpoint = endpoint;
    }

    @Override
    public Behavior<T> aroundReceive(TypedActorContext<T> ctx, T msg, ReceiveTarget<T> target) {
      maybeCrash(
          faults,
          FaultKind.CRASH_ENDPOINT,
          FaultKind.Scope.ENDPOINT,
          endpoint,
          "endpoint " + endpoint + " handling " + msg.getClass().getSimpleName());
      return target.apply(ctx, msg);
    }
  }
}
