package io.junction.faults;

import io.junction.routing.Deliver;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * Stands in front of one destination while fault injection is on (the router registers it in the
 * destination's place, and one more per route that names the destination): passes each {@link
 * Deliver} through, or applies the rules of its scope (the destination's, or the route's). {@code
 * fail-destination} answers {@code DeliveryFailed} as the destination itself would; {@code
 * pause-destination} holds deliveries in order, at most {@code buffer} of them (more are failed,
 * never silently dropped), and hands them over when the rule ends.
 *
 * <p>Costs one actor hop per delivery, and only exists when {@code junction.faults.enabled = on}.
 * State lost on stop: held deliveries, which are failed (answered) in PostStop.
 */
public final class FaultyDestination extends AbstractBehavior<Object> {
  private static final Duration PAUSE_CHECK = Duration.ofMillis(50);

  // The public protocol is Deliver (a record of another package); this tick is private to us, so
  // the actor takes Object and is handed out narrowed to ActorRef<Deliver>.
  private enum ResumeCheck {
    INSTANCE
  }

  private final FaultKind.Scope scope;
  private final String key;
  private final String name;
  private final String where;
  private final ActorRef<Deliver> target;
  private final Faults faults;
  private final TimerScheduler<Object> timers;
  private final Deque<Deliver> held = new ArrayDeque<>();

  /** The proxy's behavior; spawn it and hand out {@code ref.narrow()} as the destination. */
  public static Behavior<Object> create(String name, ActorRef<Deliver> target, Faults faults) {
    return create(FaultKind.Scope.DESTINATION, name, name, target, faults);
  }

  /**
   * A proxy applying the rules that name {@code key} in {@code scope}: a destination's own, or
   * (scope {@code ROUTE}, key the route's name) those of one route's deliveries to destination
   * {@code name}.
   */
  public static Behavior<Object> create(
      FaultKind.Scope scope, String key, String name, ActorRef<Deliver> target, Faults faults) {
    return Behaviors.setup(
        ctx ->
            Behaviors.withTimers(
                t -> new FaultyDestination(ctx, scope, key, name, target, faults, t)));
  }

  private FaultyDestination(
      ActorContext<Object> context,
      FaultKind.Scope scope,
      String key,
      String name,
      ActorRef<Deliver> target,
      Faults faults,
      TimerScheduler<Object> timers) {
    super(context);
    this.scope = scope;
    this.key = key;
    this.name = name;
    this.where = scope == FaultKind.Scope.ROUTE ? "route " + key + " to " + name : name;
    this.target = target;
    this.faults = faults;
    this.timers = timers;
  }

  @Override
  public Receive<Object> createReceive() {
    return newReceiveBuilder()
        .onMessageEquals(ResumeCheck.INSTANCE, this::onResumeCheck)
        .onMessage(Deliver.class, this::onDeliver)
        .onSignal(PostStop.class, s -> onPostStop())
        .build();
  }

  private Behavior<Object> onDeliver(Deliver d) {
    List<FaultRule> rules = faults.current().rules(scope, key);
    long now = System.currentTimeMillis();
    FaultRule pause = null;
    for (FaultRule r : rules) {
      if (!r.active(now)) {
        faults.expire();
        continue;
      }
      if (r.kind() == FaultKind.FAIL_DESTINATION && r.rolls()) {
        faults.injected(r, where);
        d.fail(name, "injected fault " + r.id() + " (fail-destination)");
        return this;
      }
      if (r.kind() == FaultKind.PAUSE_DESTINATION && pause == null) pause = r;
    }
    if (pause != null) return hold(pause, d);
    if (!held.isEmpty()) {
      held.addLast(d); // keep order behind deliveries held by a pause that just ended
      return onResumeCheck();
    }
    target.tell(d);
    return this;
  }

  private Behavior<Object> hold(FaultRule pause, Deliver d) {
    faults.injected(pause, where);
    if (held.size() >= pause.spec().buffer()) {
      d.fail(
          name,
          "paused by fault "
              + pause.id()
              + " and its buffer of "
              + pause.spec().buffer()
              + " is full");
      return this;
    }
    held.addLast(d);
    if (!timers.isTimerActive(ResumeCheck.INSTANCE))
      timers.startTimerWithFixedDelay(ResumeCheck.INSTANCE, ResumeCheck.INSTANCE, PAUSE_CHECK);
    return this;
  }

  private Behavior<Object> onResumeCheck() {
    if (paused()) return this;
    timers.cancel(ResumeCheck.INSTANCE);
    while (!held.isEmpty()) target.tell(held.removeFirst());
    return this;
  }

  private boolean paused() {
    long now = System.currentTimeMillis();
    for (FaultRule r : faults.current().rules(scope, key))
      if (r.kind() == FaultKind.PAUSE_DESTINATION && r.active(now)) return true;
    return false;
  }

  private Behavior<Object> onPostStop() {
    for (Deliver d : held) d.fail(name, "destination went away while paused by a fault");
    held.clear();
    return this;
  }
}
