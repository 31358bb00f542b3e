package io.junction.http;

import io.junction.message.Envelope;
import io.junction.routing.Deliver;
import io.junction.routing.Destination;
import io.junction.routing.Router;
import io.junction.routing.RoutingSnapshot;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the router's snapshots for the HTTP API, as a source would, and publishes the latest one
 * for the routes to read. A published message then goes from the request straight to its
 * destination ({@link #deliver}): the destination acknowledges to the request's own ask, and no
 * actor sits between all requests and all destinations (that hop, one mailbox for every publish of
 * the node, cost about a fifth of the API's publish rate).
 */
public final class Publisher extends AbstractBehavior<Publisher.Command> {

  /** Messages the publisher accepts. */
  public sealed interface Command {}

  /** Which of {@code expected} (destination names) are not registered with the router yet. */
  public record GetMissing(
      java.util.List<String> expected, ActorRef<java.util.List<String>> replyTo)
      implements Command {}

  /** No destination of that name is up (not configured, or its endpoint is restarting). */
  public record NoSuchDestination(String destination) {}

  private record RoutingUpdated(RoutingSnapshot snapshot) implements Command {}

  private static final Logger MESSAGE_LOG = LoggerFactory.getLogger("junction.messages");

  /** The routing table last received; written by the actor only, read by request threads. */
  private final AtomicReference<RoutingSnapshot> routing;

  public static Behavior<Command> create(
      ActorRef<Router.Command> router, AtomicReference<RoutingSnapshot> latest) {
    return Behaviors.setup(ctx -> new Publisher(ctx, router, latest));
  }

  private Publisher(
      ActorContext<Command> context,
      ActorRef<Router.Command> router,
      AtomicReference<RoutingSnapshot> latest) {
    super(context);
    this.routing = latest;
    router.tell(
        new Router.Subscribe(context.messageAdapter(RoutingSnapshot.class, RoutingUpdated::new)));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(GetMissing.class, this::onGetMissing)
        .onMessage(RoutingUpdated.class, u -> onRoutingUpdated(u.snapshot()))
        .build();
  }

  private Behavior<Command> onRoutingUpdated(RoutingSnapshot snapshot) {
    routing.set(snapshot);
    return this;
  }

  private Behavior<Command> onGetMissing(GetMissing g) {
    RoutingSnapshot r = routing.get();
    g.replyTo().tell(g.expected().stream().filter(d -> r.destination(d).isEmpty()).toList());
    return this;
  }

  /**
   * Hands {@code envelope} to {@code destination} with the routing table in {@code latest}; the
   * stage completes with a {@link Deliver.DeliveryResult}, or {@link NoSuchDestination} when
   * nothing is registered under it, or fails after {@code timeout}. Discard and log accept at once.
   */
  static CompletionStage<Object> deliver(
      RoutingSnapshot latest,
      Destination destination,
      Envelope envelope,
      Duration timeout,
      ActorSystem<?> system) {
    if (destination == Destination.Discard.INSTANCE)
      return CompletableFuture.completedFuture(new Deliver.Delivered(envelope.id(), "discard"));
    if (destination == Destination.Log.INSTANCE) {
      MESSAGE_LOG.info(
          "{} {} ({} bytes)", envelope.source(), envelope.type(), envelope.payload().size());
      return CompletableFuture.completedFuture(new Deliver.Delivered(envelope.id(), "log"));
    }
    String name = destination.text();
    return latest
        .destination(name)
        .<CompletionStage<Object>>map(
            ref ->
                Stages.on(
                        AskPattern.<Deliver, Deliver.DeliveryResult>ask(
                            ref,
                            replyTo -> new Deliver(envelope, replyTo),
                            timeout,
                            system.scheduler()),
                        system.executionContext())
                    .thenApply(result -> (Object) result))
        .orElseGet(() -> CompletableFuture.completedFuture(new NoSuchDestination(name)));
  }
}
