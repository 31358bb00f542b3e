package io.junction.http;

import io.junction.message.Envelope;
import io.junction.routing.Deliver;
import io.junction.routing.Destination;
import io.junction.routing.Router;
import io.junction.routing.RoutingSnapshot;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands messages published over HTTP to their destination, as a source would: it follows the
 * router's snapshots and sends {@link Deliver} with the caller as {@code replyTo}, so the
 * destination's acknowledgement goes straight back to the HTTP request, not through this actor.
 */
public final class Publisher extends AbstractBehavior<Publisher.Command> {

  /** Messages the publisher accepts. */
  public sealed interface Command {}

  /**
   * Deliver {@code envelope} to {@code destination}; {@code replyTo} gets a {@link
   * Deliver.DeliveryResult}, or {@link NoSuchDestination} when nothing is registered under it.
   */
  public record Publish(Destination destination, Envelope envelope, ActorRef<Object> replyTo)
      implements Command {}

  /** Which of {@code expected} (destination names) are not registered with the router yet. */
  public record GetMissing(
      java.util.List<String> expected, ActorRef<java.util.List<String>> replyTo)
      implements Command {}

  /** No destination of that name is up (not configured, or its endpoint is restarting). */
  public record NoSuchDestination(String destination) {}

  private record RoutingUpdated(RoutingSnapshot snapshot) implements Command {}

  private static final Logger MESSAGE_LOG = LoggerFactory.getLogger("junction.messages");
  private RoutingSnapshot routing = RoutingSnapshot.empty();

  public static Behavior<Command> create(ActorRef<Router.Command> router) {
    return Behaviors.setup(ctx -> new Publisher(ctx, router));
  }

  private Publisher(ActorContext<Command> context, ActorRef<Router.Command> router) {
    super(context);
    router.tell(
        new Router.Subscribe(context.messageAdapter(RoutingSnapshot.class, RoutingUpdated::new)));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Publish.class, this::onPublish)
        .onMessage(GetMissing.class, this::onGetMissing)
        .onMessage(RoutingUpdated.class, u -> onRoutingUpdated(u.snapshot()))
        .build();
  }

  private Behavior<Command> onRoutingUpdated(RoutingSnapshot snapshot) {
    routing = snapshot;
    return this;
  }

  private Behavior<Command> onGetMissing(GetMissing g) {
    g.replyTo().tell(g.expected().stream().filter(d -> routing.destination(d).isEmpty()).toList());
    return this;
  }

  private Behavior<Command> onPublish(Publish p) {
    if (p.destination() == Destination.Discard.INSTANCE) {
      p.replyTo().tell(new Deliver.Delivered(p.envelope().id(), "discard"));
      return this;
    }
    if (p.destination() == Destination.Log.INSTANCE) {
      MESSAGE_LOG.info(
          "{} {} ({} bytes)",
          p.envelope().source(),
          p.envelope().type(),
          p.envelope().payload().size());
      p.replyTo().tell(new Deliver.Delivered(p.envelope().id(), "log"));
      return this;
    }
    String name = p.destination().text();
    routing
        .destination(name)
        .ifPresentOrElse(
            ref -> ref.tell(new Deliver(p.envelope(), p.replyTo().narrow())),
            () -> p.replyTo().tell(new NoSuchDestination(name)));
    return this;
  }
}
