package io.junction.queue;

import io.junction.message.Envelope;
import io.junction.routing.Deliver;
import io.junction.routing.Router;
import io.junction.routing.RoutingSnapshot;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;

/**
 * The source of routes {@code from = "queue:<name>"}: store-and-forward. It subscribes to the queue
 * with a prefetch window, routes each delivery (its source renamed {@code queue:<name>}, the
 * original in header {@code origin}), and acks it to the queue only once every destination of every
 * matching route acknowledged it; a refusal, an absent destination or a timeout nacks it with a
 * backoff growing with its delivery count, so the queue redelivers it later and, past the queue's
 * {@code max-deliveries}, dead-letters it. A message no route matches is acked (consumed).
 *
 * <p>The subscription follows the queue: the source watches the queue actor that confirmed it, and
 * when that actor stops (its shard moved to another node, its node left or died) subscribes again
 * at once, then with a backoff until a queue confirms. It also repeats the subscription every
 * {@link #CHECK_INTERVAL} (the queue ignores a repeat), so a queue that restarted in place and
 * forgot its subscribers gets it back.
 *
 * <p>State lost on restart: the in-flight window; the queue redelivers those messages.
 */
public final class QueueRouteSource extends AbstractBehavior<QueueRouteSource.Command> {

  /** Messages the source accepts (all internal). */
  public sealed interface Command {}

  private record Incoming(QueueEntity.Delivery delivery) implements Command {}

  private record Result(Deliver.DeliveryResult result) implements Command {}

  private record RoutingUpdated(RoutingSnapshot snapshot) implements Command {}

  private record Expired(String messageId) implements Command {}

  private record Confirmed(QueueEntity.Subscribed subscribed) implements Command {}

  private record QueueStopped(ActorRef<QueueEntity.Command> queueActor) implements Command {}

  private enum Resubscribe implements Command {
    INSTANCE
  }

  private static final class InFlight {
    final QueueEntity.Delivery delivery;
    int awaiting;

    InFlight(QueueEntity.Delivery delivery, int awaiting) {
      this.delivery = delivery;
      this.awaiting = awaiting;
    }
  }

  static final int PREFETCH = 32;
  static final Duration ACK_TIMEOUT = Duration.ofSeconds(30);
  static final Duration MIN_BACKOFF = Duration.ofMillis(500);
  static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
  static final Duration CHECK_INTERVAL = Duration.ofSeconds(5);
  static final Duration MIN_RESUBSCRIBE = Duration.ofMillis(200);
  static final Duration MAX_RESUBSCRIBE = Duration.ofSeconds(10);

  private final String queue;
  private final String source;
  private final ActorRef<ShardingEnvelope<QueueEntity.Command>> queues;
  private final ActorRef<Deliver.DeliveryResult> results;
  private final ActorRef<QueueEntity.Delivery> deliveries;
  private final ActorRef<QueueEntity.Subscribed> confirmations;
  private final TimerScheduler<Command> timers;
  private final Map<String, InFlight> inFlight = new HashMap<>();
  private RoutingSnapshot routing = RoutingSnapshot.empty();
  private ActorRef<QueueEntity.Command> queueActor; // null: no queue confirmed the subscription
  private int unanswered; // subscriptions sent since the last confirmation
  private boolean subscribedBefore; // to log only the subscriptions after a move

  public static Behavior<Command> create(
      String queue,
      ActorRef<ShardingEnvelope<QueueEntity.Command>> queues,
      ActorRef<Router.Command> router) {
    return Behaviors.setup(
        ctx -> Behaviors.withTimers(t -> new QueueRouteSource(ctx, t, queue, queues, router)));
  }

  private QueueRouteSource(
      ActorContext<Command> ctx,
      TimerScheduler<Command> timers,
      String queue,
      ActorRef<ShardingEnvelope<QueueEntity.Command>> queues,
      ActorRef<Router.Command> router) {
    super(ctx);
    this.queue = queue;
    this.source = "queue:" + queue;
    this.queues = queues;
    this.timers = timers;
    this.results = ctx.messageAdapter(Deliver.DeliveryResult.class, Result::new);
    this.deliveries = ctx.messageAdapter(QueueEntity.Delivery.class, Incoming::new);
    this.confirmations = ctx.messageAdapter(QueueEntity.Subscribed.class, Confirmed::new);
    router.tell(
        new Router.Subscribe(ctx.messageAdapter(RoutingSnapshot.class, RoutingUpdated::new)));
  }

  // Always the same consumer ref, so a repeated subscription is recognised by the queue.
  private void subscribe() {
    queues.tell(
        new ShardingEnvelope<>(
            queue, new QueueEntity.Subscribe(deliveries, PREFETCH, confirmations)));
    unanswered++;
    Duration next = queueActor != null ? CHECK_INTERVAL : resubscribeBackoff(unanswered);
    timers.startSingleTimer(Resubscribe.INSTANCE, Resubscribe.INSTANCE, next);
  }

  static Duration resubscribeBackoff(int unanswered) {
    Duration d = MIN_RESUBSCRIBE.multipliedBy(1L << Math.min(Math.max(unanswered - 1, 0), 10));
    return d.compareTo(MAX_RESUBSCRIBE) > 0 ? MAX_RESUBSCRIBE : d;
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(RoutingUpdated.class, this::onRoutingUpdated)
        .onMessage(Incoming.class, this::onIncoming)
        .onMessage(Result.class, this::onResult)
        .onMessage(Expired.class, this::onExpired)
        .onMessage(Confirmed.class, this::onConfirmed)
        .onMessage(QueueStopped.class, this::onQueueStopped)
        .onMessageEquals(Resubscribe.INSTANCE, this::onResubscribe)
        .build();
  }

  private Behavior<Command> onRoutingUpdated(RoutingUpdated u) {
    boolean first = routing.version() == 0;
    routing = u.snapshot();
    if (first) subscribe(); // deliveries start once there is a table to route them by
    return this;
  }

  private Behavior<Command> onConfirmed(Confirmed c) {
    unanswered = 0;
    ActorRef<QueueEntity.Command> actor = c.subscribed().queueActor();
    if (actor.equals(queueActor)) return this;
    if (queueActor != null) getContext().unwatch(queueActor);
    if (subscribedBefore) getContext().getLog().info("{}: subscribed to {}", source, actor.path());
    subscribedBefore = true;
    queueActor = actor;
    getContext().watchWith(actor, new QueueStopped(actor));
    // a retry may be due soon: from now on only the periodic check
    timers.startSingleTimer(Resubscribe.INSTANCE, Resubscribe.INSTANCE, CHECK_INTERVAL);
    return this;
  }

  // The queue's leases died with it: what was in flight is delivered again by its successor, and
  // the receipts held here mean nothing to it.
  private Behavior<Command> onQueueStopped(QueueStopped s) {
    if (!s.queueActor().equals(queueActor)) return this;
    getContext()
        .getLog()
        .info(
            "{}: queue stopped ({}), subscribing again; {} deliveries in flight will come again",
            source,
            s.queueActor().path(),
            inFlight.size());
    queueActor = null;
    for (String id : inFlight.keySet()) timers.cancel(id);
    inFlight.clear();
    unanswered = 0;
    subscribe();
    return this;
  }

  private Behavior<Command> onResubscribe() {
    subscribe();
    return this;
  }

  private Behavior<Command> onIncoming(Incoming in) {
    QueueEntity.Delivery d = in.delivery();
    Envelope original = d.envelope();
    Envelope message =
        new Envelope(
                original.id(),
                source,
                original.connection(),
                original.type(),
                original.headers(),
                original.payload(),
                original.fields(),
                original.timestamp())
            .withHeader("origin", original.source());
    RoutingSnapshot.Outcome o = routing.route(message, reply -> {}, results);
    if (o.failed() > 0) nack(d, "a destination is not up");
    else if (o.delivered() == 0) ack(d);
    else {
      inFlight.put(message.id(), new InFlight(d, o.delivered()));
      timers.startSingleTimer(message.id(), new Expired(message.id()), ACK_TIMEOUT);
    }
    return this;
  }

  private Behavior<Command> onResult(Result r) {
    InFlight f = inFlight.get(r.result().messageId());
    if (f == null) return this; // already settled (a failure or a timeout came first)
    if (r.result() instanceof Deliver.DeliveryFailed failed) {
      settle(r.result().messageId());
      nack(f.delivery, failed.destination() + ": " + failed.reason());
    } else if (--f.awaiting == 0) {
      settle(r.result().messageId());
      ack(f.delivery);
    }
    return this;
  }

  private Behavior<Command> onExpired(Expired e) {
    InFlight f = inFlight.remove(e.messageId());
    if (f != null) nack(f.delivery, "no acknowledgement within " + ACK_TIMEOUT);
    return this;
  }

  private void settle(String messageId) {
    inFlight.remove(messageId);
    timers.cancel(messageId);
  }

  private void ack(QueueEntity.Delivery d) {
    queues.tell(new ShardingEnvelope<>(queue, new QueueEntity.Ack(List.of(d.receiptId()), null)));
  }

  private void nack(QueueEntity.Delivery d, String reason) {
    long factor = 1L << Math.min(d.deliveryCount() - 1, 10);
    Duration delay = MIN_BACKOFF.multipliedBy(factor);
    if (delay.compareTo(MAX_BACKOFF) > 0) delay = MAX_BACKOFF;
    getContext()
        .getLog()
        .warn(
            "{}: message {} not delivered ({}); again in {} ms",
            source,
            d.envelope().id(),
            reason,
            delay.toMillis());
    queues.tell(
        new ShardingEnvelope<>(
            queue, new QueueEntity.Nack(List.of(d.receiptId()), true, delay, null)));
  }
}
