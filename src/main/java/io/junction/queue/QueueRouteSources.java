package io.junction.queue;

import io.junction.routing.Router;
import io.junction.routing.RoutingSnapshot;
import java.util.HashMap;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;

/**
 * Keeps one {@link QueueRouteSource} running for each queue some route takes messages from,
 * following the route table (a reload that adds or drops {@code from = "queue:q"} starts or stops
 * its consumer). A failing consumer is restarted; the queue redelivers what it had in flight.
 */
public final class QueueRouteSources {
  private QueueRouteSources() {}

  public static Behavior<RoutingSnapshot> create(
      ActorRef<ShardingEnvelope<QueueEntity.Command>> queues, ActorRef<Router.Command> router) {
    return Behaviors.setup(
        ctx -> {
          router.tell(new Router.Subscribe(ctx.getSelf()));
          Map<String, ActorRef<QueueRouteSource.Command>> running = new HashMap<>();
          return Behaviors.receiveMessage(
              snapshot -> {
                for (String source : snapshot.sources()) {
                  if (!source.startsWith("queue:") || running.containsKey(source)) continue;
                  String queue = source.substring("queue:".length());
                  running.put(
                      source,
                      ctx.spawn(
                          Behaviors.supervise(QueueRouteSource.create(queue, queues, router))
                              .onFailure(RuntimeException.class, SupervisorStrategy.restart()),
                          "source-" + queue));
                }
                running
                    .entrySet()
                    .removeIf(
                        e -> {
                          if (snapshot.sources().contains(e.getKey())) return false;
                          ctx.stop(e.getValue()); // its unacked deliveries become ready again
                          return true;
                        });
                return Behaviors.same();
              });
        });
  }
}
