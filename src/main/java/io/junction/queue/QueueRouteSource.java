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
 * <p>State lost on restart: the in-flight window; the queue redelivers those messages.
 */
public final class QueueRouteSource extends AbstractBehavior<QueueRouteSource.Command> {

  /** Messages the source accepts (all internal). */
  public sealed interface Command {}

  private record Incoming(QueueEntity.Delivery delivery) implements Command {}

  private record Result(Deliver.DeliveryResult result) implements Command {}

  private record RoutingUpdated(RoutingSnapshot snapshot) implements Command {}

  private record Expired(String messageId) implements Command {}

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

  private final String queue;
  private final String source;
  private final ActorRef<ShardingEnvelope<QueueEntity.Command>> queues;
  private final ActorRef<Deliver.DeliveryResult> results;
  private final TimerScheduler<Command> timers;
  private final Map<String, InFlight> inFlight = new HashMap<>();
  private RoutingSnapshot routing = RoutingSnapshot.empty();

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
    router.tell(
        new Router.Subscribe(ctx.messageAdapter(RoutingSnapshot.class, RoutingUpdated::new)));
  }

  private void subscribe() {
    ActorRef<QueueEntity.Delivery> deliveries =
        getContext().messageAdapter(QueueEntity.Delivery.class, Incoming::new);
    queues.tell(new ShardingEnvelope<>(queue, new QueueEntity.Subscribe(deliveries, PREFETCH)));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(RoutingUpdated.class, this::onRoutingUpdated)
        .onMessage(Incoming.class, this::onIncoming)
        .onMessage(Result.class, this::onResult)
        .onMessage(Expired.class, this::onExpired)
        .build();
  }

  private Behavior<Command> onRoutingUpdated(RoutingUpdated u) {
    boolean first = routing.version() == 0;
    routing = u.snapshot();
    if (first) subscribe(); // deliveries start once there is a table to route them by
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
