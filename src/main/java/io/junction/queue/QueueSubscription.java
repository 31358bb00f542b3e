package io.junction.queue;

import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.javadsl.Source;

/**
 * A queue's deliveries as a stream: one push subscriber of the queue per materialization, at most
 * {@code prefetch} unacknowledged. What the HTTP event stream and socket and the STOMP listener
 * consume from.
 *
 * <p>Cancelling the stream stops the subscriber, and the queue, which watches it, delivers its
 * unacknowledged messages again (counted as a failed delivery, as for any consumer that went away).
 * When the queue actor stops (in a cluster: its shard moved, or its node left or died) the stream
 * completes after the deliveries it holds: their receipts mean nothing to the queue's next
 * incarnation, which delivers them again; the consumer subscribes again.
 */
public final class QueueSubscription {
  private static final AtomicLong SUBSCRIBERS = new AtomicLong();

  private enum Stop {
    INSTANCE
  }

  private enum QueueGone {
    INSTANCE
  }

  private enum Repeat {
    INSTANCE
  }

  static final java.time.Duration REPEAT = java.time.Duration.ofSeconds(5);

  private QueueSubscription() {}

  /** The deliveries of one new subscriber of {@code queue}. */
  public static Source<QueueEntity.Delivery, NotUsed> deliveries(
      ActorRef<ShardingEnvelope<QueueEntity.Command>> queues,
      ActorSystem<?> system,
      String queue,
      int prefetch) {
    return Source.<QueueEntity.Delivery>queue(prefetch)
        .mapMaterializedValue(buffer -> subscribe(queues, system, queue, prefetch, buffer))
        .watchTermination((stop, done) -> done.whenComplete((d, e) -> stop.tell(Stop.INSTANCE)))
        .mapMaterializedValue(x -> NotUsed.getInstance());
  }

  // One subscriber actor per stream; the queue watches it, so its end is the consumer's end. It
  // repeats its subscription every REPEAT (the queue ignores a repeat), so a queue that restarted
  // in
  // place after a crash, forgetting its subscribers, gets it back, as a route source does.
  private static ActorRef<Object> subscribe(
      ActorRef<ShardingEnvelope<QueueEntity.Command>> queues,
      ActorSystem<?> system,
      String queue,
      int prefetch,
      BoundedSourceQueue<QueueEntity.Delivery> buffer) {
    Behavior<Object> subscriber =
        Behaviors.setup(
            ctx ->
                Behaviors.withTimers(
                    timers -> {
                      Runnable subscribe =
                          () ->
                              queues.tell(
                                  new ShardingEnvelope<>(
                                      queue,
                                      new QueueEntity.Subscribe(
                                          ctx.getSelf().narrow(),
                                          prefetch,
                                          ctx.getSelf().narrow())));
                      subscribe.run();
                      timers.startTimerWithFixedDelay(Repeat.INSTANCE, REPEAT);
                      return Behaviors.receive(Object.class)
                          .onMessage(QueueEntity.Delivery.class, d -> offer(buffer, d))
                          .onMessage(QueueEntity.Subscribed.class, s -> watch(ctx, s))
                          .onMessageEquals(
                              Repeat.INSTANCE,
                              () -> {
                                subscribe.run();
                                return Behaviors.same();
                              })
                          .onMessageEquals(QueueGone.INSTANCE, () -> end(buffer))
                          .onMessageEquals(Stop.INSTANCE, Behaviors::stopped)
                          .build();
                    }));
    return system.systemActorOf(
        subscriber, "queue-subscriber-" + SUBSCRIBERS.incrementAndGet(), Props.empty());
  }

  private static Behavior<Object> watch(ActorContext<Object> ctx, QueueEntity.Subscribed s) {
    ctx.watchWith(s.queueActor(), QueueGone.INSTANCE); // a repeat watches the same actor again
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
}
