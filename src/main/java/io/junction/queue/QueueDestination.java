package io.junction.queue;

import io.junction.logging.MessageLog;
import io.junction.message.Envelope;
import io.junction.routing.Deliver;
import io.junction.routing.Router;
import java.time.Duration;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.pattern.StatusReply;

/**
 * Destination {@code queue:<name>}: publishes each delivered message to the queue and acknowledges
 * the delivery only once the queue answered that the message is durable.
 */
public final class QueueDestination {
  private static final Duration PUBLISH_TIMEOUT = Duration.ofSeconds(30);

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
              return Behaviors.receive(Object.class)
                  .onMessage(QueueEntity.QueueStats.class, s -> Behaviors.same())
                  .onMessage(
                      Deliver.class,
                      d -> {
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
                        onPublished(ctx.getLog(), queue, p);
                        return Behaviors.same();
                      })
                  .build();
            })
        .narrow();
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
