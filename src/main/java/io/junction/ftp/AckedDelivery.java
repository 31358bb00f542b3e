package io.junction.ftp;

import io.junction.message.Envelope;
import io.junction.metrics.EndpointMetrics;
import io.junction.routing.Deliver;
import io.junction.routing.RoutingSnapshot;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.typed.javadsl.ActorSink;

/**
 * Routes one polled file's messages with {@link RoutingSnapshot#route(Envelope,
 * java.util.function.Consumer, ActorRef)} (the one place routes are evaluated), itself as the
 * acknowledgement address, and tells {@code replyTo} once every destination acknowledged every
 * message, so the poller marks a file taken only when all of it is in safe hands.
 *
 * <p>It is the {@link #sink} of the file's message stream: at most {@value #MAX_UNACKED} messages
 * wait for acknowledgements at once (backpressure beyond). It reports a failure, and stops, at the
 * first destination that refused or is not up, or when nothing was acknowledged for {@code
 * ackTimeout}; stopping cancels the stream and so the download. {@code reply} means nothing for a
 * file: it is counted as a route error and logged. State lost on restart: none (it is not
 * restarted; the file is routed again at the next poll).
 */
final class AckedDelivery extends AbstractBehavior<AckedDelivery.Command> {
  static final int MAX_UNACKED = 16;

  /** Messages the delivery accepts (all from its sink, its destinations and its timer). */
  sealed interface Command {}

  /** The outcome for the file: {@code failure} is null when every message was acknowledged. */
  record Finished(RemoteFile file, Throwable failure) {}

  private record Started(ActorRef<Ack> stream) implements Command {}

  private record Next(ActorRef<Ack> stream, Envelope message) implements Command {}

  private enum Completed implements Command {
    INSTANCE
  }

  private record StreamFailed(Throwable cause) implements Command {}

  private record Acked(Deliver.DeliveryResult result) implements Command {}

  private enum Timeout implements Command {
    INSTANCE
  }

  private enum Ack {
    INSTANCE
  }

  private final RoutingSnapshot routing;
  private final RemoteFile file;
  private final Duration ackTimeout;
  private final EndpointMetrics metrics;
  private final ActorRef<Finished> replyTo;
  private final TimerScheduler<Command> timers;
  private final ActorRef<Deliver.DeliveryResult> ackTo;
  private final Map<String, Integer> unacked = new HashMap<>(); // message id -> acks to wait for
  private ActorRef<Ack> heldStream; // the stream's ack, held back while MAX_UNACKED wait
  private boolean completed;

  static Behavior<Command> create(
      RoutingSnapshot routing,
      RemoteFile file,
      Duration ackTimeout,
      EndpointMetrics metrics,
      ActorRef<Finished> replyTo) {
    return Behaviors.setup(
        ctx ->
            Behaviors.withTimers(
                t -> new AckedDelivery(ctx, t, routing, file, ackTimeout, metrics, replyTo)));
  }

  /** The sink that feeds {@code delivery} one message at a time. */
  static Sink<Envelope, NotUsed> sink(ActorRef<Command> delivery) {
    return ActorSink.actorRefWithBackpressure(
        delivery, Next::new, Started::new, Ack.INSTANCE, Completed.INSTANCE, StreamFailed::new);
  }

  private AckedDelivery(
      ActorContext<Command> context,
      TimerScheduler<Command> timers,
      RoutingSnapshot routing,
      RemoteFile file,
      Duration ackTimeout,
      EndpointMetrics metrics,
      ActorRef<Finished> replyTo) {
    super(context);
    this.routing = routing;
    this.file = file;
    this.ackTimeout = ackTimeout;
    this.metrics = metrics;
    this.replyTo = replyTo;
    this.timers = timers;
    this.ackTo = context.messageAdapter(Deliver.DeliveryResult.class, Acked::new);
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Started.class, s -> ackStream(s.stream()))
        .onMessage(Next.class, this::onNext)
        .onMessageEquals(Completed.INSTANCE, this::onCompleted)
        .onMessage(StreamFailed.class, f -> fail(f.cause()))
        .onMessage(Acked.class, this::onAcked)
        .onMessageEquals(Timeout.INSTANCE, this::onTimeout)
        .build();
  }

  private Behavior<Command> onNext(Next n) {
    metrics.framesIn.increment();
    RoutingSnapshot.Outcome outcome = routing.route(n.message(), this::noReply, ackTo);
    if (outcome.failed() > 0) {
      return fail(
          new IllegalStateException(
              outcome.failed() + " destination(s) not up or failed for " + n.message().id()));
    }
    if (outcome.delivered() > 0) {
      unacked.put(n.message().id(), outcome.delivered());
      timers.startSingleTimer(Timeout.INSTANCE, ackTimeout);
    }
    if (unacked.size() < MAX_UNACKED) return ackStream(n.stream());
    heldStream = n.stream();
    return this;
  }

  private Behavior<Command> onAcked(Acked a) {
    Deliver.DeliveryResult r = a.result();
    Integer waiting = unacked.get(r.messageId());
    if (waiting == null) return this; // not ours (cannot happen: the adapter is this actor's)
    if (r instanceof Deliver.DeliveryFailed f) {
      return fail(new IllegalStateException(f.destination() + " refused: " + f.reason()));
    }
    if (waiting > 1) unacked.put(r.messageId(), waiting - 1);
    else unacked.remove(r.messageId());
    timers.startSingleTimer(Timeout.INSTANCE, ackTimeout); // progress: the clock starts again
    if (heldStream != null && unacked.size() < MAX_UNACKED) {
      ActorRef<Ack> stream = heldStream;
      heldStream = null;
      ackStream(stream);
    }
    return completed && unacked.isEmpty() ? succeed() : this;
  }

  private Behavior<Command> onCompleted() {
    completed = true;
    return unacked.isEmpty() ? succeed() : this;
  }

  private Behavior<Command> onTimeout() {
    return fail(
        new IllegalStateException(
            "no acknowledgement within " + ackTimeout + " (" + unacked.size() + " waiting)"));
  }

  private Behavior<Command> ackStream(ActorRef<Ack> stream) {
    stream.tell(Ack.INSTANCE);
    return this;
  }

  private Behavior<Command> succeed() {
    replyTo.tell(new Finished(file, null));
    return Behaviors.stopped();
  }

  private Behavior<Command> fail(Throwable cause) {
    replyTo.tell(new Finished(file, cause));
    return Behaviors.stopped(); // the sink sees this actor stop and cancels the download
  }

  private void noReply(Envelope m) {
    // A polled file has no peer to answer; a route to `reply` is a configuration slip.
    metrics.routeErrors.increment();
    getContext().getLog().warn("{}: `reply` from a polled ftp source goes nowhere", m.source());
  }
}
