package io.junction.tcp;

import io.junction.logging.MessageLog;
import io.junction.message.Envelope;
import io.junction.metrics.EndpointMetrics;
import io.junction.routing.RoutingSnapshot;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.QueueOfferResult;
import org.apache.pekko.stream.UniqueKillSwitch;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.util.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One accepted TCP connection. The actor owns the connection's lifecycle, counters and limits (it
 * is listed, queried and closed through it); the bytes flow through one Pekko stream:
 *
 * <pre>
 * socket in → [idle timeout] → kill switch → framing → decode + route (replies) ─┐
 *                                      messages sent to this connection (queue) ─┴→ merge
 *   → coalesce writes (≤ write-buffer-bytes) → socket out
 * </pre>
 *
 * Frames are decoded and routed inside the stream, not one actor message per frame: that halves the
 * cost of an echo (see docs/ARCHITECTURE.md). Backpressure is the stream's own: a peer that does
 * not read stops its replies, which stops the decoding, which stops reading its socket. Messages
 * sent from elsewhere (broadcasts) wait in a bounded queue and are dropped, counted, when it is
 * full. A failure while handling one frame drops that frame and goes on ({@code restart}) or closes
 * this connection ({@code close}); it never affects any other.
 */
public final class TcpConnection extends AbstractBehavior<TcpConnection.Command> {
  private static final Logger LOG = LoggerFactory.getLogger(TcpConnection.class);
  private static final int SEND_QUEUE = 4096;

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

  private record StreamEnded(Throwable failure) implements Command {}

  /** Thrown on purpose by {@link InjectFailure}. */
  static final class InjectedFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    InjectedFailure() {
      super("injected handler failure");
    }
  }

  /** Ends the stream when the policy is {@code close}; carries the handler's failure. */
  static final class HandlerFailed extends RuntimeException {
    private static final long serialVersionUID = 1L;

    HandlerFailed(Throwable cause) {
      super("handler failed: " + cause, cause);
    }
  }

  private final TcpSettings.Server settings;
  private final String id;
  private final String peer;
  private final Instant since = Instant.now();
  private final EndpointMetrics metrics;
  private final FrameHandler handler;
  private final io.junction.faults.Faults faults; // null unless fault injection is on
  private final AtomicBoolean failNext = new AtomicBoolean();
  private final java.util.concurrent.atomic.AtomicLong queuedBytes =
      new java.util.concurrent.atomic.AtomicLong();
  private final BoundedSourceQueue<ByteString> sends;
  private final UniqueKillSwitch killSwitch;
  private boolean ended;

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
    io.junction.faults.Faults f = io.junction.faults.Faults.get(context.getSystem());
    this.faults = f.enabled() ? f : null;
    this.handler =
        new FrameHandler(
            settings.name(), id, settings.framing(), settings.codec(), routing, metrics);
    Pair<Pair<UniqueKillSwitch, BoundedSourceQueue<ByteString>>, CompletionStage<Done>> mat =
        connection.handleWith(flow(), Materializer.matFromSystem(context.getSystem()));
    this.killSwitch = mat.first().first();
    this.sends = mat.first().second();
    context.pipeToSelf(mat.second(), (done, failure) -> new StreamEnded(failure));
    metrics.connectionsActive.incrementAndGet();
    LOG.debug("{} {} connected from {}", settings.name(), id, peer);
  }

  private Flow<
          ByteString,
          ByteString,
          Pair<Pair<UniqueKillSwitch, BoundedSourceQueue<ByteString>>, CompletionStage<Done>>>
      flow() {
    Flow<ByteString, ByteString, ?> in =
        settings.idleTimeout().isPresent()
            ? Flow.of(ByteString.class).idleTimeout(settings.idleTimeout().get())
            : Flow.of(ByteString.class);
    Flow<ByteString, ByteString, NotUsed> frames = settings.framing().decoder();
    if (settings.frameTimeout().isPresent()) {
      FrameDeadline deadline = new FrameDeadline(settings.frameTimeout().get());
      frames = deadline.bytes().via(frames).via(deadline.frames());
    }
    if (faults != null)
      frames = frames.via(io.junction.faults.FrameFaults.flow(faults, settings.name(), id));
    return in.viaMat(KillSwitches.single(), Keep.right())
        .via(frames)
        .mapConcat(this::onFrame)
        .mergeMat(Source.<ByteString>queue(SEND_QUEUE).map(this::leftSendQueue), Keep.both(), true)
        .batchWeighted(
            settings.writeBufferBytes(), b -> (long) b.size(), b -> b, ByteString::concat)
        .watchTermination(Keep.both());
  }

  // Runs in the stream as a sent message leaves the queue for the socket.
  private ByteString leftSendQueue(ByteString bytes) {
    queuedBytes.addAndGet(-bytes.size());
    return bytes;
  }

  // Runs inside the connection's stream, one frame at a time.
  private List<ByteString> onFrame(ByteString frame) {
    try {
      if (failNext.getAndSet(false)
          || faults != null
              && io.junction.faults.FrameFaults.shouldThrow(faults, settings.name(), id))
        throw new InjectedFailure();
      return handler.repliesTo(frame);
    } catch (RuntimeException e) {
      metrics.handlerFailures.increment();
      if (settings.onFailure() == TcpSettings.OnFailure.CLOSE) throw new HandlerFailed(e);
      try (var mdc =
          MessageLog.with(MessageLog.ENDPOINT, settings.name(), MessageLog.CONNECTION, id)) {
        LOG.error(
            "{} {}: handler failed, frame dropped, connection goes on: {}",
            settings.name(),
            id,
            e.toString());
      }
      return List.of();
    }
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Send.class, this::onSend)
        .onMessage(UpdateRouting.class, this::onUpdateRouting)
        .onMessage(GetInfo.class, this::onGetInfo)
        .onMessageEquals(Close.INSTANCE, this::onClose)
        .onMessageEquals(InjectFailure.INSTANCE, this::onInjectFailure)
        .onMessage(StreamEnded.class, this::onStreamEnded)
        .onSignal(PostStop.class, s -> onPostStop())
        .build();
  }

  private Behavior<Command> onSend(Send s) {
    ByteString bytes;
    try {
      bytes = handler.toWire(s.message());
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
      return this;
    }
    // Bounded in bytes (write-buffer-bytes), not only in messages: a peer that does not read
    // must not make this connection hold more than that, whatever the message size.
    if (queuedBytes.get() + bytes.size() > settings.writeBufferBytes()
        || sends.offer(bytes) != QueueOfferResult.enqueued()) {
      metrics.dropped.increment();
      return this;
    }
    queuedBytes.addAndGet(bytes.size());
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
                handler.bytesIn.sum(),
                handler.bytesOut.sum(),
                handler.framesIn.sum(),
                handler.framesOut.sum()));
    return this;
  }

  private Behavior<Command> onClose() {
    killSwitch.shutdown(); // stop reading; replies already produced are still written
    return this;
  }

  private Behavior<Command> onInjectFailure() {
    failNext.set(true);
    return this;
  }

  private Behavior<Command> onStreamEnded(StreamEnded e) {
    ended = true;
    try (var mdc =
        MessageLog.with(MessageLog.ENDPOINT, settings.name(), MessageLog.CONNECTION, id)) {
      logEnd(e.failure());
    }
    return Behaviors.stopped();
  }

  private void logEnd(Throwable f) {
    if (f == null) {
      getContext().getLog().debug("{} {}: closed ({})", settings.name(), id, peer);
    } else if (f instanceof FrameDeadline.Expired) {
      metrics.frameTimeouts.increment();
      getContext()
          .getLog()
          .info("{} {}: closing connection from {}: {}", settings.name(), id, peer, f.getMessage());
    } else if (f instanceof TimeoutException) {
      metrics.idleTimeouts.increment();
      getContext()
          .getLog()
          .info(
              "{} {}: idle for {}, closed",
              settings.name(),
              id,
              settings.idleTimeout().orElse(null));
    } else if (f instanceof HandlerFailed) {
      getContext()
          .getLog()
          .error("{} {}: {}, connection closed", settings.name(), id, f.getMessage());
    } else if (isFramingError(f)) {
      metrics.frameErrors.increment();
      getContext()
          .getLog()
          .warn("{} {}: closing connection from {}: {}", settings.name(), id, peer, f.getMessage());
    } else {
      getContext()
          .getLog()
          .debug("{} {}: connection from {} ended: {}", settings.name(), id, peer, f.toString());
    }
  }

  private static boolean isFramingError(Throwable f) {
    return f instanceof io.junction.framing.FramingException
        || f instanceof org.apache.pekko.stream.scaladsl.Framing.FramingException;
  }

  private Behavior<Command> onPostStop() {
    if (!ended) killSwitch.abort(new IllegalStateException("connection actor stopped"));
    if (!sends.isCompleted()) sends.complete();
    metrics.connectionsActive.decrementAndGet();
    return this;
  }
}
