package io.junction.topic;

import io.junction.message.Envelope;
import io.junction.routing.Deliver;
import io.junction.routing.Router;
import io.junction.routing.RoutingSnapshot;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.pubsub.Topic;

/**
 * The node's topics: for each declared topic a Pekko {@link Topic} actor (which finds the topic's
 * actors on other nodes once there is a cluster), a destination {@code topic:<name>} that publishes
 * to it, and a source that routes what is published with source {@code topic:<name>}.
 *
 * <p>Delivery is at most once: publishing is acknowledged at once, and a subscriber that is gone or
 * full misses messages. Each subscriber has its own bound (a TCP connection's send queue, an SSE
 * client's buffer), so a slow one never slows the others.
 */
public final class Topics {
  private Topics() {}

  /** Spawns everything for {@code topics} under {@code ctx}; returns the topics by name. */
  public static Map<String, NodeTopic> start(
      ActorContext<?> ctx, List<TopicSettings> topics, ActorRef<Router.Command> router) {
    Map<String, NodeTopic> out = new LinkedHashMap<>();
    for (TopicSettings t : topics) {
      ActorRef<Topic.Command<Envelope>> ref =
          ctx.spawn(Topic.create(Envelope.class, t.name()), "topic-" + t.name());
      NodeTopic topic = new NodeTopic(t.name(), ref, t.subscriberBuffer(), ctx.getSystem());
      out.put(t.name(), topic);
      ctx.spawn(destination(topic, router), "topic-destination-" + t.name());
      ctx.spawn(source(t.name(), ref, router), "topic-source-" + t.name());
    }
    return Map.copyOf(out);
  }

  /** Destination {@code topic:<name>}: publish, acknowledge at once. */
  static Behavior<Deliver> destination(NodeTopic topic, ActorRef<Router.Command> router) {
    String name = "topic:" + topic.name();
    return Behaviors.setup(
        ctx -> {
          router.tell(new Router.RegisterDestination(name, ctx.getSelf()));
          return Behaviors.receiveMessage(
              d -> {
                topic.publish(d.envelope());
                d.succeed(name);
                return Behaviors.same();
              });
        });
  }

  /** The source of routes {@code from = "topic:<name>"}. */
  static Behavior<Object> source(
      String name, ActorRef<Topic.Command<Envelope>> topic, ActorRef<Router.Command> router) {
    String source = "topic:" + name;
    return Behaviors.setup(
        ctx -> {
          router.tell(new Router.Subscribe(ctx.getSelf().narrow()));
          topic.tell(Topic.subscribe(ctx.getSelf().narrow()));
          RoutingSnapshot[] routing = {RoutingSnapshot.empty()}; // this actor's own state
          return Behaviors.receive(Object.class)
              .onMessage(
                  RoutingSnapshot.class,
                  s -> {
                    routing[0] = s;
                    return Behaviors.same();
                  })
              .onMessage(
                  Envelope.class,
                  e -> {
                    routing[0].route(asFromTopic(e, source), reply -> {});
                    return Behaviors.same();
                  })
              .build();
        });
  }

  private static Envelope asFromTopic(Envelope e, String source) {
    return new Envelope(
            e.id(),
            source,
            e.connection(),
            e.type(),
            e.headers(),
            e.payload(),
            e.fields(),
            e.timestamp())
        .withHeader("origin", e.source());
  }
}
