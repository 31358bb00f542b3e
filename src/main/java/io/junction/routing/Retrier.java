package io.junction.routing;

import io.junction.message.Envelope;
import java.util.HashMap;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers one route's messages to its acknowledging destinations under the route's {@link Retry}
 * policy, one child of the {@link Router} per route that has {@code retry}. Pending messages are
 * bounded: beyond {@link #MAX_PENDING} a message fails at once (to {@code on-error}).
 *
 * <p>State lost on restart or on a reload that drops the route: the pending retries (the sources
 * that asked for an acknowledgement get none, and count them failed after their own timeout).
 */
final class Retrier extends AbstractBehavior<Retrier.Command> {
  private static final Logger LOG = LoggerFactory.getLogger(Retrier.class);
  static final int MAX_PENDING = 10_000;

  sealed interface Command {}

  /** Deliver {@code message} to {@code destination}; report the final outcome to {@code ackTo}. */
  record Attempt(
      Destination.Named destination, Envelope message, ActorRef<Deliver.DeliveryResult> ackTo)
      implements Command {}

  /** The live destinations, sent by the router whenever they change. */
  record Destinations(Map<String, ActorRef<Deliver>> refs) implements Command {}

  private record Answer(Deliver.DeliveryResult result) implements Command {}

  private record Again(String key) implements Command {}

  private record Expired(String key, int attempt) implements Command {}

  private static final class Pending {
    final Attempt attempt;
    int attempts;

    Pending(Attempt attempt) {
      this.attempt = attempt;
    }
  }

  private final String route;
  private final Retry policy;
  private final java.util.Optional<Destination> onError;
  private final TimerScheduler<Command> timers;
  private final ActorRef<Deliver.DeliveryResult> answers;
  private final Map<String, Pending> pending = new HashMap<>();
  private Map<String, ActorRef<Deliver>> destinations = Map.of();

  static Behavior<Command> create(Route route) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(t -> new Retrier(ctx, t, route)));
  }

  private Retrier(ActorContext<Command> ctx, TimerScheduler<Command> timers, Route route) {
    super(ctx);
    this.route = route.name();
    this.policy = route.options().retry().orElseThrow();
    this.onError = route.options().onError();
    this.timers = timers;
    this.answers = ctx.messageAdapter(Deliver.DeliveryResult.class, Answer::new);
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(
            Destinations.class,
            d -> {
              destinations = d.refs();
              return this;
            })
        .onMessage(Attempt.class, this::onAttempt)
        .onMessage(Answer.class, this::onAnswer)
        .onMessage(Again.class, a -> send(a.key()))
        .onMessage(Expired.class, this::onExpired)
        .build();
  }

  private static String key(String messageId, String destination) {
    return messageId + "|" + destination;
  }

  private Behavior<Command> onAttempt(Attempt a) {
    String key = key(a.message().id(), a.destination().text());
    if (pending.size() >= MAX_PENDING && !pending.containsKey(key)) {
      giveUp(new Pending(a), route + " has " + MAX_PENDING + " messages waiting for retries");
      return this;
    }
    pending.put(key, new Pending(a));
    return send(key);
  }

  private Behavior<Command> send(String key) {
    Pending p = pending.get(key);
    if (p == null) return this;
    p.attempts++;
    ActorRef<Deliver> ref = destinations.get(p.attempt.destination().text());
    if (ref == null) return failed(key, p, p.attempt.destination().text() + " is not up");
    ref.tell(new Deliver(p.attempt.message(), answers));
    timers.startSingleTimer(key, new Expired(key, p.attempts), policy.timeout());
    return this;
  }

  private Behavior<Command> onAnswer(Answer a) {
    String key = key(a.result().messageId(), a.result().destination());
    Pending p = pending.get(key);
    if (p == null) return this; // a late answer to an attempt that already timed out
    if (a.result() instanceof Deliver.DeliveryFailed f) return failed(key, p, f.reason());
    timers.cancel(key);
    pending.remove(key);
    if (p.attempt.ackTo() != null) p.attempt.ackTo().tell(a.result());
    return this;
  }

  private Behavior<Command> onExpired(Expired e) {
    Pending p = pending.get(e.key());
    if (p == null || p.attempts != e.attempt()) return this;
    return failed(e.key(), p, "no acknowledgement within " + policy.timeout());
  }

  private Behavior<Command> failed(String key, Pending p, String reason) {
    if (p.attempts < policy.maxAttempts()) {
      timers.startSingleTimer(key, new Again(key), policy.backoff(p.attempts));
      return this;
    }
    pending.remove(key);
    timers.cancel(key);
    giveUp(p, "gave up after " + p.attempts + " attempts: " + reason);
    return this;
  }

  private void giveUp(Pending p, String reason) {
    Envelope m = p.attempt.message();
    LOG.warn("{} {}: {} {}", route, m.id(), p.attempt.destination().text(), reason);
    if (p.attempt.ackTo() != null)
      p.attempt
          .ackTo()
          .tell(new Deliver.DeliveryFailed(m.id(), p.attempt.destination().text(), reason));
    onError.ifPresent(
        d -> {
          ActorRef<Deliver> ref = destinations.get(d.text());
          if (ref != null) ref.tell(new Deliver(m.withHeader("error", reason), null));
          else if (d == Destination.Log.INSTANCE) LOG.warn("{} {}: {}", route, m.id(), reason);
        });
  }
}
