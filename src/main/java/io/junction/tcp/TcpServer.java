package io.junction.tcp;

import io.junction.endpoint.EndpointStatus;
import io.junction.metrics.EndpointMetrics;
import io.junction.metrics.Metrics;
import io.junction.routing.Deliver;
import io.junction.routing.Router;
import io.junction.routing.RoutingSnapshot;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.PreRestart;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.stream.typed.javadsl.ActorSink;

/**
 * A listening TCP endpoint. Binds once the first route table arrived, spawns one {@link
 * TcpConnection} child per accepted socket, enforces {@code max-connections} (an extra connection
 * is accepted and closed at once, logged and counted), and as destination {@code tcp:<name>}
 * broadcasts each message to all its connections.
 *
 * <p>A failing connection never affects its siblings or the listener. State lost on restart: the
 * binding (released, then bound again to the same port) and all connections (closed).
 */
public final class TcpServer extends AbstractBehavior<TcpServer.Command> {

  /** Messages a TCP server endpoint accepts. */
  public sealed interface Command {}

  /** Ask for the endpoint's status. */
  public record GetStatus(ActorRef<EndpointStatus> replyTo) implements Command {}

  /** Ask for the refs of live connections, by id (for the API, tests and fault injection). */
  public record GetConnections(ActorRef<Map<String, ActorRef<TcpConnection.Command>>> replyTo)
      implements Command {}

  /** Stop accepting; connections stay until they close or {@link Drain} closes them. */
  public record Unbind(ActorRef<Done> replyTo) implements Command {}

  /** Close every connection after its pending writes; answers when all have stopped. */
  public record Drain(ActorRef<Done> replyTo) implements Command {}

  /** Answer to {@link Unbind} and {@link Drain}. */
  public enum Done {
    INSTANCE
  }

  private record Delivery(Deliver deliver) implements Command {}

  private record RoutingUpdated(RoutingSnapshot snapshot) implements Command {}

  private record Bound(Tcp.ServerBinding binding) implements Command {}

  private record BindFailed(Throwable cause) implements Command {}

  private record AcceptStarted(ActorRef<ConnectionStream.Ack> ack) implements Command {}

  private record Accepted(ActorRef<ConnectionStream.Ack> ack, Tcp.IncomingConnection connection)
      implements Command {}

  private enum AcceptEnded implements Command {
    INSTANCE
  }

  private record AcceptFailed(Throwable cause) implements Command {}

  private record ConnectionEnded(String id) implements Command {}

  private static final int BACKLOG = 1024;
  private final TcpSettings.Server settings;
  private final EndpointMetrics metrics;
  private final Map<String, ActorRef<TcpConnection.Command>> connections = new HashMap<>();
  private final List<ActorRef<Done>> drainWaiters = new java.util.ArrayList<>();
  private RoutingSnapshot routing;
  private Tcp.ServerBinding binding;
  private String state = "starting";
  private String detail = "";
  private long nextConnection;

  /** Creates the endpoint; it subscribes to {@code router} and registers as {@code tcp:<name>}. */
  public static Behavior<Command> create(
      TcpSettings.Server settings, ActorRef<Router.Command> router) {
    return Behaviors.setup(ctx -> new TcpServer(ctx, settings, router));
  }

  private TcpServer(
      ActorContext<Command> context, TcpSettings.Server settings, ActorRef<Router.Command> router) {
    super(context);
    this.settings = settings;
    this.metrics = Metrics.get(context.getSystem()).endpoint(settings.name(), "tcp-server");
    router.tell(
        new Router.Subscribe(context.messageAdapter(RoutingSnapshot.class, RoutingUpdated::new)));
    router.tell(
        new Router.RegisterDestination(
            "tcp:" + settings.name(), context.messageAdapter(Deliver.class, Delivery::new)));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(RoutingUpdated.class, this::onRoutingUpdated)
        .onMessage(Bound.class, this::onBound)
        .onMessage(BindFailed.class, this::onBindFailed)
        .onMessage(AcceptStarted.class, this::onAcceptStarted)
        .onMessage(Accepted.class, this::onAccepted)
        .onMessage(ConnectionEnded.class, this::onConnectionEnded)
        .onMessage(Delivery.class, this::onDelivery)
        .onMessage(GetStatus.class, g -> onStatus(g.replyTo()))
        .onMessage(GetConnections.class, this::onGetConnections)
        .onMessage(Unbind.class, this::onUnbind)
        .onMessage(Drain.class, this::onDrain)
        .onMessageEquals(AcceptEnded.INSTANCE, this::onAcceptEnded)
        .onMessage(AcceptFailed.class, this::onAcceptFailed)
        .onSignal(PostStop.class, s -> onPostStop())
        // a restart (the endpoint failed) stops the connections, as children; the listening
        // socket is not a child: release the port for the next incarnation to bind again
        .onSignal(PreRestart.class, s -> onPostStop())
        .build();
  }

  private Behavior<Command> onRoutingUpdated(RoutingUpdated u) {
    boolean first = routing == null;
    routing = u.snapshot();
    connections.values().forEach(c -> c.tell(new TcpConnection.UpdateRouting(routing)));
    if (first) bind();
    return this;
  }

  private void bind() {
    var system = getContext().getSystem();
    getContext()
        .pipeToSelf(
            source()
                .to(
                    ActorSink
                        .<Tcp.IncomingConnection, Command, ConnectionStream.Ack>
                            actorRefWithBackpressure(
                                getContext().getSelf(),
                                Accepted::new,
                                AcceptStarted::new,
                                ConnectionStream.Ack.INSTANCE,
                                AcceptEnded.INSTANCE,
                                AcceptFailed::new))
                .run(Materializer.matFromSystem(system)),
            (b, failure) -> failure == null ? new Bound(b) : new BindFailed(failure));
  }

  private org.apache.pekko.stream.javadsl.Source<
          Tcp.IncomingConnection, java.util.concurrent.CompletionStage<Tcp.ServerBinding>>
      source() {
    Tcp tcp = Tcp.get(getContext().getSystem());
    if (settings.tls().isPresent()) {
      io.junction.tls.TlsSettings tls = settings.tls().get();
      return tcp.bindWithTls(
          settings.host(),
          settings.port(),
          tls::serverEngine,
          BACKLOG,
          List.of(),
          Optional.empty(),
          session -> Optional.empty(),
          // a peer's close still lets the replies to what it sent be written, as without TLS
          org.apache.pekko.stream.IgnoreCancel$.MODULE$);
    }
    return tcp.bind(
        settings.host(),
        settings.port(),
        BACKLOG,
        List.of(),
        true, // half-close: a peer's FIN still lets us flush replies, then we close
        Optional.empty());
  }

  private Behavior<Command> onBound(Bound b) {
    binding = b.binding();
    state = "bound";
    getContext().getLog().info("{} listening on {}", settings.name(), address());
    return this;
  }

  private Behavior<Command> onBindFailed(BindFailed f) {
    // Fail the endpoint: its supervisor restarts it with backoff (the port may come free).
    throw new EndpointBindException(
        settings.name() + ": cannot bind " + settings.host() + ":" + settings.port(), f.cause());
  }

  private Behavior<Command> onAcceptStarted(AcceptStarted s) {
    s.ack().tell(ConnectionStream.Ack.INSTANCE);
    return this;
  }

  private Behavior<Command> onAccepted(Accepted a) {
    if (connections.size() >= settings.maxConnections() || !drainWaiters.isEmpty()) {
      metrics.connectionsRejected.increment();
      getContext()
          .getLog()
          .warn(
              "{}: refusing connection from {}: {} connections is the maximum",
              settings.name(),
              a.connection().remoteAddress(),
              settings.maxConnections());
      a.connection()
          .handleWith(
              org.apache.pekko.stream.javadsl.Flow.fromSinkAndSource(
                  org.apache.pekko.stream.javadsl.Sink.cancelled(),
                  org.apache.pekko.stream.javadsl.Source.empty()),
              Materializer.matFromSystem(getContext().getSystem()));
    } else {
      String id = settings.name() + "-" + (++nextConnection);
      metrics.connectionsAccepted.increment();
      ActorRef<TcpConnection.Command> conn =
          getContext()
              .spawn(TcpConnection.create(settings, id, a.connection(), routing, metrics), id);
      getContext().watchWith(conn, new ConnectionEnded(id));
      connections.put(id, conn);
    }
    a.ack().tell(ConnectionStream.Ack.INSTANCE);
    return this;
  }

  private Behavior<Command> onConnectionEnded(ConnectionEnded e) {
    connections.remove(e.id());
    if (connections.isEmpty() && !drainWaiters.isEmpty()) {
      drainWaiters.forEach(w -> w.tell(Done.INSTANCE));
      drainWaiters.clear();
    }
    return this;
  }

  private Behavior<Command> onDelivery(Delivery d) {
    connections.values().forEach(c -> c.tell(new TcpConnection.Send(d.deliver().envelope())));
    d.deliver().succeed("tcp:" + settings.name());
    return this;
  }

  private Behavior<Command> onStatus(ActorRef<EndpointStatus> replyTo) {
    replyTo.tell(
        new EndpointStatus(
            settings.name(),
            "tcp-server",
            address(),
            state,
            connections.size(),
            detail,
            Map.of(
                "frames_in", metrics.framesIn.count(),
                "frames_out", metrics.framesOut.count(),
                "bytes_in", metrics.bytesIn.count(),
                "bytes_out", metrics.bytesOut.count(),
                "decode_errors", metrics.decodeErrors.count(),
                "frame_errors", metrics.frameErrors.count(),
                "connections_accepted", metrics.connectionsAccepted.count(),
                "connections_rejected", metrics.connectionsRejected.count(),
                "idle_timeouts", metrics.idleTimeouts.count(),
                "frame_timeouts", metrics.frameTimeouts.count())));
    return this;
  }

  private Behavior<Command> onGetConnections(GetConnections g) {
    g.replyTo().tell(Map.copyOf(connections));
    return this;
  }

  private Behavior<Command> onUnbind(Unbind u) {
    state = "stopping";
    if (binding != null) binding.unbind();
    u.replyTo().tell(Done.INSTANCE);
    return this;
  }

  private Behavior<Command> onDrain(Drain d) {
    if (connections.isEmpty()) {
      d.replyTo().tell(Done.INSTANCE);
      return this;
    }
    drainWaiters.add(d.replyTo());
    connections.values().forEach(c -> c.tell(TcpConnection.Close.INSTANCE));
    return this;
  }

  private Behavior<Command> onAcceptEnded() {
    return this;
  }

  private Behavior<Command> onAcceptFailed(AcceptFailed f) {
    detail = String.valueOf(f.cause().getMessage());
    throw new EndpointBindException(settings.name() + ": accepting failed", f.cause());
  }

  private Behavior<Command> onPostStop() {
    if (binding != null) binding.unbind();
    return this;
  }

  private String address() {
    if (binding != null) {
      InetSocketAddress a = binding.localAddress();
      return a.getHostString() + ":" + a.getPort();
    }
    return settings.host() + ":" + settings.port();
  }
}
