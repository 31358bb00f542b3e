package io.junction.tcp;

import io.junction.message.Envelope;
import io.junction.metrics.EndpointMetrics;
import io.junction.routing.RoutingSnapshot;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.util.ByteString;

/**
 * One accepted TCP connection: owns its stream, counters, write buffer and lifecycle. Frames are
 * decoded and routed here; replies are framed and written here.
 *
 * <p>Backpressure: when more than {@code write-buffer-bytes} wait to be written (the peer does not
 * read), the connection stops acknowledging inbound frames, so the socket is no longer read.
 * Messages from elsewhere (broadcasts) that arrive while the buffer is full are dropped and
 * counted. A failure while handling data closes or restarts this connection only, as configured.
 */
public final class TcpConnection extends AbstractBehavior<TcpConnection.Command> {

  /** Messages a connection accepts. */
  public sealed interface Command {}

  /** Write {@code message} to the peer (a broadcast or a delivery from a route). */
  public record Send(Envelope message) implements Command {}

  /** Close after pending writes are flushed. */
  public enum Close implements Command {
    INSTANCE
  }

  /** Ask for this connection's counters. */
  public record GetInfo(ActorRef<ConnectionInfo> replyTo) implements Command {}

  /** A new route table is in force. */
  public record UpdateRouting(RoutingSnapshot snapshot) implements Command {}

  /** Make the handling of the next frame fail (fault injection and supervision tests). */
  public enum InjectFailure implements Command {
    INSTANCE
  }

  private record Frames(ActorRef<ConnectionStream.Ack> ack, List<ByteString> frames)
      implements Command {}

  private record InboundStarted(ActorRef<ConnectionStream.Ack> ack) implements Command {}

  private enum InboundCompleted implements Command {
    INSTANCE
  }

  private record InboundFailed(Throwable cause) implements Command {}

  private enum OutboundAck implements Command {
    INSTANCE
  }

  /** Thrown on purpose by {@link InjectFailure}. */
  static final class InjectedFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    InjectedFailure() {
      super("injected handler failure");
    }
  }

  private final TcpSettings.Server settings;
  private final String id;
  private final String peer;
  private final Instant since = Instant.now();
  private final EndpointMetrics metrics;
  private final FrameHandler handler;
  private final Outbound outbound;
  private ActorRef<ConnectionStream.Ack> heldAck;
  private boolean failNext;
  private boolean closing; // flushing what is pending, then stopping

  public static Behavior<Command> create(
      TcpSettings.Server settings,
      String id,
      Tcp.IncomingConnection connection,
      RoutingSnapshot routing,
      EndpointMetrics metrics) {
    return Behaviors.setup(
        ctx -> new TcpConnection(ctx, settings, id, connection, routing, metrics));
  }

  private TcpConnection(
      ActorContext<Command> context,
      TcpSettings.Server settings,
      String id,
      Tcp.IncomingConnection connection,
      RoutingSnapshot routing,
      EndpointMetrics metrics) {
    super(context);
    this.settings = settings;
    this.id = id;
    this.peer = connection.remoteAddress().toString();
    this.metrics = metrics;
    this.handler =
        new FrameHandler(
            settings.name(),
            id,
            settings.framing(),
            settings.codec(),
            routing,
            metrics,
            context.getLog());
    ActorRef<ConnectionStream.Out> out =
        connection.handleWith(
            ConnectionStream.<Command>flow(
                context.getSelf(),
                settings.framing(),
                settings.idleTimeout(),
                Frames::new,
                InboundStarted::new,
                InboundCompleted.INSTANCE,
                InboundFailed::new,
                OutboundAck.INSTANCE),
            Materializer.matFromSystem(context.getSystem()));
    this.outbound = new Outbound(out);
    metrics.connectionsActive.incrementAndGet();
    context.getLog().debug("{} {} connected from {}", settings.name(), id, peer);
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Frames.class, this::onFrames)
        .onMessage(InboundStarted.class, this::onInboundStarted)
        .onMessageEquals(OutboundAck.INSTANCE, this::onOutboundAck)
        .onMessage(Send.class, this::onSend)
        .onMessage(UpdateRouting.class, this::onUpdateRouting)
        .onMessage(GetInfo.class, this::onGetInfo)
        .onMessageEquals(Close.INSTANCE, this::onClose)
        .onMessageEquals(InjectFailure.INSTANCE, this::onInjectFailure)
        .onMessageEquals(InboundCompleted.INSTANCE, this::onInboundCompleted)
        .onMessage(InboundFailed.class, this::onInboundFailed)
        .onSignal(PostStop.class, s -> onPostStop())
        .build();
  }

  private Behavior<Command> onInboundStarted(InboundStarted s) {
    s.ack().tell(ConnectionStream.Ack.INSTANCE);
    return this;
  }

  private Behavior<Command> onFrames(Frames batch) {
    for (ByteString frame : batch.frames()) {
      try {
        if (failNext) {
          failNext = false;
          throw new InjectedFailure();
        }
        handler.handle(frame, this::reply);
      } catch (RuntimeException e) {
        metrics.handlerFailures.increment();
        if (settings.onFailure() == TcpSettings.OnFailure.CLOSE) {
          getContext()
              .getLog()
              .error("{} {}: handler failed, closing: {}", settings.name(), id, e.toString());
          outbound.closeNow();
          return Behaviors.stopped();
        }
        getContext()
            .getLog()
            .error(
                "{} {}: handler failed, frame dropped, connection goes on: {}",
                settings.name(),
                id,
                e.toString());
      }
    }
    if (outbound.pendingBytes() <= settings.writeBufferBytes())
      batch.ack().tell(ConnectionStream.Ack.INSTANCE);
    else heldAck = batch.ack(); // the peer is not reading: stop reading from it too
    return this;
  }

  private void reply(Envelope message) {
    outbound.write(handler.toWire(message));
  }

  private Behavior<Command> onOutboundAck() {
    outbound.onAck();
    if (closing && outbound.isClosed()) return Behaviors.stopped();
    if (heldAck != null && outbound.pendingBytes() <= settings.writeBufferBytes()) {
      heldAck.tell(ConnectionStream.Ack.INSTANCE);
      heldAck = null;
    }
    return this;
  }

  private Behavior<Command> onSend(Send s) {
    if (outbound.pendingBytes() > settings.writeBufferBytes()) {
      metrics.dropped.increment();
      return this;
    }
    try {
      outbound.write(handler.toWire(s.message()));
    } catch (RuntimeException e) {
      metrics.handlerFailures.increment();
      getContext()
          .getLog()
          .warn(
              "{} {}: cannot encode message {}: {}",
              settings.name(),
              id,
              s.message().id(),
              e.getMessage());
    }
    return this;
  }

  private Behavior<Command> onUpdateRouting(UpdateRouting u) {
    handler.routing(u.snapshot());
    return this;
  }

  private Behavior<Command> onGetInfo(GetInfo g) {
    g.replyTo()
        .tell(
            new ConnectionInfo(
                id,
                settings.name(),
                peer,
                since,
                handler.bytesIn,
                handler.bytesOut,
                handler.framesIn,
                handler.framesOut));
    return this;
  }

  private Behavior<Command> onClose() {
    closing = true;
    outbound.closeAfterFlush();
    return outbound.isClosed() ? Behaviors.stopped() : this;
  }

  private Behavior<Command> onInjectFailure() {
    failNext = true;
    return this;
  }

  private Behavior<Command> onInboundCompleted() {
    getContext().getLog().debug("{} {}: peer {} closed its side", settings.name(), id, peer);
    closing = true;
    outbound.closeAfterFlush();
    return outbound.isClosed() ? Behaviors.stopped() : this;
  }

  private Behavior<Command> onInboundFailed(InboundFailed f) {
    if (f.cause() instanceof TimeoutException) {
      getContext()
          .getLog()
          .info(
              "{} {}: idle for {}, closing",
              settings.name(),
              id,
              settings.idleTimeout().orElse(null));
    } else {
      metrics.frameErrors.increment();
      getContext()
          .getLog()
          .warn(
              "{} {}: closing connection from {}: {}",
              settings.name(),
              id,
              peer,
              f.cause().getMessage());
    }
    return Behaviors.stopped();
  }

  private Behavior<Command> onPostStop() {
    outbound.closeNow();
    metrics.connectionsActive.decrementAndGet();
    return this;
  }
}
