package io.junction.tcp;

import io.junction.endpoint.EndpointStatus;
import io.junction.message.Envelope;
import io.junction.metrics.EndpointMetrics;
import io.junction.metrics.Metrics;
import io.junction.routing.Deliver;
import io.junction.routing.Router;
import io.junction.routing.RoutingSnapshot;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.util.ByteString;

/**
 * An outbound TCP endpoint, destination {@code tcp:<name>}: keeps one connection to host:port up,
 * reconnecting with exponential backoff and jitter, and writes every message delivered to it, in
 * order. While disconnected (or while the peer reads slowly) messages wait in a bounded buffer;
 * when it is full the configured overflow policy drops the oldest, drops the newest, or fails the
 * sender. Frames the peer sends back are routed with this endpoint as their source.
 *
 * <p>A message is "delivered" once it is handed to the socket; TCP itself confirms nothing, so
 * bytes in flight when a connection drops are lost (use a queue in front for store-and-forward).
 */
public final class TcpClient extends AbstractBehavior<TcpClient.Command> {

  /** Messages a TCP client endpoint accepts. */
  public sealed interface Command {}

  /** Ask for the endpoint's status. */
  public record GetStatus(ActorRef<EndpointStatus> replyTo) implements Command {}

  private record Delivery(Deliver deliver) implements Command {}

  private record RoutingUpdated(RoutingSnapshot snapshot) implements Command {}

  private record Connected(long generation) implements Command {}

  private record ConnectFailed(long generation, Throwable cause) implements Command {}

  private record Frames(
      long generation, ActorRef<ConnectionStream.Ack> ack, List<ByteString> frames)
      implements Command {}

  private record InboundStarted(long generation, ActorRef<ConnectionStream.Ack> ack)
      implements Command {}

  private record InboundEnded(long generation, Throwable cause) implements Command {}

  private record OutboundAck(long generation) implements Command {}

  private enum Reconnect implements Command {
    INSTANCE
  }

  private final TcpSettings.Client settings;
  private final TimerScheduler<Command> timers;
  private final EndpointMetrics metrics;
  private final ArrayDeque<Deliver> buffer = new ArrayDeque<>();
  private RoutingSnapshot routing = RoutingSnapshot.empty();
  private long generation;
  private Outbound outbound;
  private FrameHandler handler;
  private Instant connectedAt;
  private int attempt;
  private String state = "connecting";
  private String detail = "";

  public static Behavior<Command> create(
      TcpSettings.Client settings, ActorRef<Router.Command> router) {
    return Behaviors.setup(
        ctx -> Behaviors.withTimers(timers -> new TcpClient(ctx, timers, settings, router)));
  }

  private TcpClient(
      ActorContext<Command> context,
      TimerScheduler<Command> timers,
      TcpSettings.Client settings,
      ActorRef<Router.Command> router) {
    super(context);
    this.settings = settings;
    this.timers = timers;
    this.metrics = Metrics.get(context.getSystem()).endpoint(settings.name(), "tcp-client");
    router.tell(
        new Router.Subscribe(context.messageAdapter(RoutingSnapshot.class, RoutingUpdated::new)));
    router.tell(
        new Router.RegisterDestination(
            "tcp:" + settings.name(), context.messageAdapter(Deliver.class, Delivery::new)));
    connect();
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Delivery.class, this::onDelivery)
        .onMessage(OutboundAck.class, this::onOutboundAck)
        .onMessage(Frames.class, this::onFrames)
        .onMessage(InboundStarted.class, this::onInboundStarted)
        .onMessage(Connected.class, this::onConnected)
        .onMessage(ConnectFailed.class, f -> onLost(f.generation(), f.cause()))
        .onMessage(InboundEnded.class, e -> onLost(e.generation(), e.cause()))
        .onMessageEquals(Reconnect.INSTANCE, this::onReconnect)
        .onMessage(RoutingUpdated.class, this::onRoutingUpdated)
        .onMessage(GetStatus.class, this::onGetStatus)
        .onSignal(PostStop.class, s -> onPostStop())
        .build();
  }

  private void connect() {
    long gen = ++generation;
    state = "connecting";
    String id = settings.name() + "-" + gen;
    handler =
        new FrameHandler(
            settings.name(), id, settings.framing(), settings.codec(), routing, metrics);
    var tcp = outgoing();
    Pair<
            ActorRef<ConnectionStream.Out>,
            java.util.concurrent.CompletionStage<Tcp.OutgoingConnection>>
        mat =
            ConnectionStream.<Command>flow(
                    getContext().getSelf(),
                    settings.framing(),
                    Optional.empty(),
                    (ack, frames) -> new Frames(gen, ack, frames),
                    ack -> new InboundStarted(gen, ack),
                    new InboundEnded(gen, null),
                    cause -> new InboundEnded(gen, cause),
                    new OutboundAck(gen))
                .joinMat(tcp, Keep.both())
                .run(Materializer.matFromSystem(getContext().getSystem()));
    outbound = new Outbound(mat.first());
    getContext()
        .pipeToSelf(
            mat.second(),
            (c, failure) -> failure == null ? new Connected(gen) : new ConnectFailed(gen, failure));
  }

  private org.apache.pekko.stream.javadsl.Flow<
          ByteString, ByteString, java.util.concurrent.CompletionStage<Tcp.OutgoingConnection>>
      outgoing() {
    Tcp tcp = Tcp.get(getContext().getSystem());
    InetSocketAddress to = InetSocketAddress.createUnresolved(settings.host(), settings.port());
    if (settings.tls().isPresent()) {
      io.junction.tls.TlsSettings tls = settings.tls().get();
      return tcp.outgoingConnectionWithTls(
          to,
          () -> tls.clientEngine(settings.host(), settings.port()),
          Optional.empty(),
          List.of(),
          Optional.of(settings.connectTimeout()),
          Optional.empty(),
          session -> Optional.empty(),
          org.apache.pekko.stream.IgnoreCancel$.MODULE$);
    }
    return tcp.outgoingConnection(
        to,
        Optional.empty(),
        List.of(),
        false,
        Optional.of(settings.connectTimeout()),
        Optional.empty());
  }

  private Behavior<Command> onConnected(Connected c) {
    if (c.generation() != generation) return this;
    state = "connected";
    detail = "";
    connectedAt = Instant.now();
    metrics.connectionsAccepted.increment();
    metrics.connectionsActive.set(1);
    getContext()
        .getLog()
        .info("{} connected to {}:{}", settings.name(), settings.host(), settings.port());
    drainBuffer();
    return this;
  }

  private Behavior<Command> onLost(long gen, Throwable cause) {
    if (gen != generation) return this;
    generation++; // ignore the other half of this connection's end
    boolean wasConnected = connectedAt != null;
    if (wasConnected
        && Duration.between(connectedAt, Instant.now()).compareTo(settings.resetAfter()) >= 0)
      attempt = 0;
    connectedAt = null;
    outbound.closeNow();
    outbound = null;
    metrics.connectionsActive.set(0);
    Duration delay = backoff(attempt++);
    state = "disconnected";
    detail = cause == null ? "closed by peer" : rootMessage(cause);
    // Log the first failures and then only every power of two, so a long outage stays readable.
    boolean loud = attempt <= 2 || Integer.bitCount(attempt - 1) == 1;
    getContext()
        .getLog()
        .atLevel(loud ? org.slf4j.event.Level.WARN : org.slf4j.event.Level.DEBUG)
        .log(
            "{} {} {}:{} ({}); reconnecting in {} ms",
            settings.name(),
            wasConnected ? "lost" : "cannot reach",
            settings.host(),
            settings.port(),
            detail,
            delay.toMillis());
    timers.startSingleTimer(Reconnect.INSTANCE, delay);
    return this;
  }

  private static String rootMessage(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) root = root.getCause();
    return root.getClass().getSimpleName() + ": " + root.getMessage();
  }

  private Duration backoff(int n) {
    double base = settings.minBackoff().toMillis() * Math.pow(2, Math.min(n, 30));
    double capped = Math.min(base, settings.maxBackoff().toMillis());
    double jitter = 1 + ThreadLocalRandom.current().nextDouble() * settings.randomFactor();
    return Duration.ofMillis((long) (capped * jitter));
  }

  private Behavior<Command> onReconnect() {
    connect();
    return this;
  }

  private Behavior<Command> onDelivery(Delivery d) {
    if (buffer.size() >= settings.bufferMessages()) {
      metrics.dropped.increment();
      switch (settings.overflow()) {
        case DROP_OLDEST ->
            buffer
                .pollFirst()
                .fail(dest(), "dropped: buffer of " + settings.bufferMessages() + " messages full");
        case DROP_NEWEST -> {
          d.deliver()
              .fail(dest(), "dropped: buffer of " + settings.bufferMessages() + " messages full");
          return this;
        }
        case FAIL -> {
          d.deliver().fail(dest(), settings.name() + " is " + state + " and its buffer is full");
          return this;
        }
      }
    }
    buffer.addLast(d.deliver());
    drainBuffer();
    return this;
  }

  private void drainBuffer() {
    if (!"connected".equals(state)) return;
    int limit = 1 << 20; // keep at most ~1 MiB handed to the stream; the rest waits, bounded
    while (!buffer.isEmpty() && outbound.pendingBytes() < limit) {
      Deliver next = buffer.pollFirst();
      try {
        outbound.write(handler.toWire(next.envelope()));
        next.succeed(dest());
      } catch (RuntimeException e) {
        metrics.handlerFailures.increment();
        next.fail(dest(), "cannot encode: " + e.getMessage());
      }
    }
  }

  private Behavior<Command> onOutboundAck(OutboundAck a) {
    if (a.generation() != generation || outbound == null) return this;
    outbound.onAck();
    drainBuffer();
    return this;
  }

  private Behavior<Command> onInboundStarted(InboundStarted s) {
    s.ack().tell(ConnectionStream.Ack.INSTANCE);
    return this;
  }

  private Behavior<Command> onFrames(Frames f) {
    if (f.generation() != generation) return this;
    for (ByteString frame : f.frames()) {
      try {
        handler.handle(frame, this::replyToPeer);
      } catch (RuntimeException e) {
        metrics.handlerFailures.increment();
        getContext()
            .getLog()
            .error("{}: handler failed, frame dropped: {}", settings.name(), e.toString());
      }
    }
    f.ack().tell(ConnectionStream.Ack.INSTANCE);
    return this;
  }

  private void replyToPeer(Envelope message) {
    if (outbound != null) outbound.write(handler.toWire(message));
  }

  private Behavior<Command> onRoutingUpdated(RoutingUpdated u) {
    routing = u.snapshot();
    if (handler != null) handler.routing(routing);
    return this;
  }

  private Behavior<Command> onGetStatus(GetStatus g) {
    g.replyTo()
        .tell(
            new EndpointStatus(
                settings.name(),
                "tcp-client",
                settings.host() + ":" + settings.port(),
                state,
                "connected".equals(state) ? 1 : 0,
                detail,
                Map.of(
                    "buffered", (double) buffer.size(),
                    "frames_out", metrics.framesOut.count(),
                    "frames_in", metrics.framesIn.count(),
                    "dropped", metrics.dropped.count(),
                    "connects", metrics.connectionsAccepted.count())));
    return this;
  }

  private Behavior<Command> onPostStop() {
    if (outbound != null) outbound.closeNow();
    metrics.connectionsActive.set(0);
    return this;
  }

  private String dest() {
    return "tcp:" + settings.name();
  }
}
