package io.junction.queue;

import io.junction.logging.MessageLog;
import io.junction.message.Envelope;
import io.junction.metrics.Metrics;
import io.junction.routing.Deliver;
import io.junction.routing.Router;
import io.micrometer.core.instrument.Counter;
import java.time.Duration;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.pattern.StatusReply;

/**
 * Destination {@code queue:<name>}: publishes each delivered message to the queue and acknowledges
 * the delivery only once the queue answered that the message is durable.
 *
 * <p>At most {@value #MAX_IN_FLIGHT} publishes wait for the queue at a time; beyond, a delivery is
 * refused at once (answered {@code DeliveryFailed}, counted in {@code
 * junction_queue_publishes_refused_total}). The queue stashes what arrives while it writes, and
 * Pekko drops stashed commands past {@code pekko.persistence.typed.stash-capacity} (4096) with only
 * a log line: without this bound a source that cannot be told (raw TCP, UDP) flooding a queue whose
 * journal is slow lost messages uncounted.
 */
public final class QueueDestination {
  private static final Duration PUBLISH_TIMEOUT = Duration.ofSeconds(30);
  // Under the queue's stash (4096), leaving room for HTTP publishes, leases and acks; several nodes
  // routing to one clustered queue share that stash, which this node cannot see.
  private static final int MAX_IN_FLIGHT = 3500;

  private QueueDestination() {}

  private record Published(
      Deliver deliver, StatusReply<QueueEntity.Enqueued> reply, Throwable failure) {}

  /** Registers itself with {@code router} as {@code queue:<queue>}. */
  public static Behavior<Deliver> create(
      String queue,
      ActorRef<ShardingEnvelope<QueueEntity.Command>> queues,
      ActorRef<Router.Command> router) {
    String name = "queue:" + queue;
    return Behaviors.<Object>setup(
            ctx -> {
              router.tell(new Router.RegisterDestination(name, ctx.getSelf().narrow()));
              // Start the queue now, wherever it lives (sharded: on the node its shard is
              // allocated to), so it recovers and runs its timers before the first message.
              queues.tell(
                  new ShardingEnvelope<>(queue, new QueueEntity.GetStats(ctx.getSelf().narrow())));
              int[] inFlight = {0}; // publishes asked and not yet answered (this actor only)
              Counter refused =
                  Metrics.get(ctx.getSystem())
                      .registry()
                      .counter("junction.queue.publishes.refused", "queue", queue);
              return Behaviors.receive(Object.class)
                  .onMessage(QueueEntity.QueueStats.class, s -> Behaviors.same())
                  .onMessage(
                      Deliver.class,
                      d -> {
                        if (inFlight[0] >= MAX_IN_FLIGHT) {
                          refuse(ctx.getLog(), name, d, refused);
                          return Behaviors.same();
                        }
                        inFlight[0]++;
                        ctx
                            .<ShardingEnvelope<QueueEntity.Command>,
                                StatusReply<QueueEntity.Enqueued>>
                                ask(
                                    statusReplyClass(),
                                    queues,
                                    PUBLISH_TIMEOUT,
                                    replyTo ->
                                        new ShardingEnvelope<>(
                                            queue, QueueEntity.Publish.of(d.envelope(), replyTo)),
                                    (reply, failure) -> new Published(d, reply, failure));
                        return Behaviors.same();
                      })
                  .onMessage(
                      Published.class,
                      p -> {
                        inFlight[0]--;
                        onPublished(ctx.getLog(), queue, p);
                        return Behaviors.same();
                      })
                  .build();
            })
        .narrow();
  }

  // Logged at the first refusal and every 1000th: a flood must not flood the log too.
  private static void refuse(org.slf4j.Logger log, String name, Deliver d, Counter refused) {
    refused.increment();
    long n = (long) refused.count();
    if (n == 1 || n % 1000 == 0)
      log.warn(
          "{}: {} publishes wait for the queue; message {} from {} refused ({} so far)",
          name,
          MAX_IN_FLIGHT,
          d.envelope().id(),
          d.envelope().source(),
          n);
    d.fail(name, MAX_IN_FLIGHT + " publishes wait for the queue to store them; refused");
  }

  // A refused publish is logged with the message's id, so it can be found next to its trace.
  private static void onPublished(org.slf4j.Logger log, String queue, Published p) {
    String name = "queue:" + queue;
    String error =
        p.failure() != null
            ? p.failure().getMessage()
            : p.reply().isError() ? p.reply().getError().getMessage() : null;
    if (error == null) {
      p.deliver().succeed(name);
      return;
    }
    Envelope m = p.deliver().envelope();
    try (var mdc =
        MessageLog.with(
            MessageLog.MESSAGE_ID,
            m.id(),
            MessageLog.QUEUE,
            queue,
            MessageLog.SOURCE,
            m.source())) {
      log.warn("{}: message {} from {} not stored: {}", name, m.id(), m.source(), error);
    }
    p.deliver().fail(name, error);
  }

  @SuppressWarnings("unchecked")
  private static Class<StatusReply<QueueEntity.Enqueued>> statusReplyClass() {
    return (Class<StatusReply<QueueEntity.Enqueued>>) (Class<?>) StatusReply.class;
  }
}
