package io.junction.http;

import io.junction.queue.QueueEntity;
import java.time.Duration;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.http.javadsl.model.sse.ServerSentEvent;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.javadsl.Source;

/**
 * {@code GET /v1/queues/{q}/stream?prefetch=N}: the queue's deliveries pushed as server-sent events
 * ({@code event: message}, {@code id:} the receipt, data the delivery as a lease shows it), at most
 * {@code prefetch} unacknowledged at a time; the client acks (or nacks) receipts with {@code POST
 * .../ack}, which frees window slots. Each client is one push subscriber of the queue: when the
 * client disconnects its subscriber stops, and the queue redelivers its unacknowledged messages
 * (counted as a failed delivery, as for any consumer that went away). When the queue actor stops
 * (in a cluster: its shard moved to another node, or its node left or died) the stream ends after
 * the deliveries it holds: their receipts mean nothing to the queue's next incarnation, which
 * delivers them again; the client connects again.
 *
 * <p>The client's buffer holds {@code prefetch} deliveries, which is all the queue sends before an
 * ack, so it never overflows; a slow reader only holds its own window.
 */
final class QueueStream {
  // Also how soon an orderly client close is noticed: the server learns it on a failed write.
  private static final Duration KEEP_ALIVE = Duration.ofSeconds(5);
  private final ActorRef<ShardingEnvelope<QueueEntity.Command>> queues;
  private final ActorSystem<?> system;
  private long subscribers;

  private enum Stop {
    INSTANCE
  }

  private enum QueueGone {
    INSTANCE
  }

  QueueStream(ActorRef<ShardingEnvelope<QueueEntity.Command>> queues, ActorSystem<?> system) {
    this.queues = queues;
    this.system = system;
  }

  Source<ServerSentEvent, NotUsed> source(String queue, int prefetch) {
    return Source.<QueueEntity.Delivery>queue(prefetch)
        .mapMaterializedValue(buffer -> subscribe(queue, prefetch, buffer))
        .watchTermination((stop, done) -> done.whenComplete((d, e) -> stop.tell(Stop.INSTANCE)))
        .map(QueueStream::event)
        .keepAlive(KEEP_ALIVE, ServerSentEvent::heartbeat)
        .mapMaterializedValue(x -> NotUsed.getInstance());
  }

  private static ServerSentEvent event(QueueEntity.Delivery d) {
    return ServerSentEvent.create(MessageView.json(d), "message", d.receiptId());
  }

  // One subscriber actor per client; the queue watches it, so its end is the client's end.
  private ActorRef<Object> subscribe(
      String queue, int prefetch, BoundedSourceQueue<QueueEntity.Delivery> buffer) {
    Behavior<Object> subscriber =
        Behaviors.setup(
            ctx -> {
              queues.tell(
                  new ShardingEnvelope<>(
                      queue,
                      new QueueEntity.Subscribe(
                          ctx.getSelf().narrow(), prefetch, ctx.getSelf().narrow())));
              return Behaviors.receive(Object.class)
                  .onMessage(QueueEntity.Delivery.class, d -> offer(buffer, d))
                  .onMessage(QueueEntity.Subscribed.class, s -> watch(ctx, s))
                  .onMessageEquals(QueueGone.INSTANCE, () -> end(buffer))
                  .onMessageEquals(Stop.INSTANCE, Behaviors::stopped)
                  .build();
            });
    return system.systemActorOf(subscriber, "queue-stream-" + next(), Props.empty());
  }

  private static Behavior<Object> watch(ActorContext<Object> ctx, QueueEntity.Subscribed s) {
    ctx.watchWith(s.queueActor(), QueueGone.INSTANCE);
    return Behaviors.same();
  }

  private static Behavior<Object> end(BoundedSourceQueue<QueueEntity.Delivery> buffer) {
    buffer.complete();
    return Behaviors.stopped();
  }

  // Cannot overflow while the queue honours the prefetch window; if it ever did, the delivery's
  // lease expires and the queue redelivers it, so dropping it here loses nothing.
  private static Behavior<Object> offer(
      BoundedSourceQueue<QueueEntity.Delivery> buffer, QueueEntity.Delivery d) {
    buffer.offer(d);
    return Behaviors.same();
  }

  private synchronized long next() {
    return ++subscribers;
  }
}
