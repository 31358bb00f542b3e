package io.junction.tcp;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.apache.pekko.NotUsed;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.FlowShape;
import org.apache.pekko.stream.Inlet;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.stage.AbstractInOutHandler;
import org.apache.pekko.stream.stage.GraphStage;
import org.apache.pekko.stream.stage.GraphStageLogic;
import org.apache.pekko.stream.stage.TimerGraphStageLogic;
import org.apache.pekko.util.ByteString;

/**
 * A server endpoint's {@code frame-timeout} for one connection: once a peer has sent the first byte
 * of a frame, the frame must be complete within the timeout, else the connection fails with {@link
 * Expired}. The idle timeout alone cannot stop a peer that dribbles one byte just inside it and so
 * holds a connection (and a partial frame) for ever.
 *
 * <p>Two stages around the framing decoder share one clock: {@link #bytes()} starts it when bytes
 * arrive while no frame is in progress, {@link #frames()} stops it when the decoder completes a
 * frame. The clock only runs while the node waits for the peer: when the node's side is slow (its
 * handler, a destination, a fault rule holds the frames) the decoder is not asked for a frame, and
 * the peer's clock restarts when it is.
 */
final class FrameDeadline {
  private static final long IDLE = Long.MIN_VALUE;

  /** The connection's failure when a started frame was not completed in time. */
  static final class Expired extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Expired(Duration timeout) {
      super(
          "a frame was started and not completed within frame-timeout " + timeout,
          null,
          false,
          false);
    }
  }

  private final Duration timeout;
  private final long timeoutNanos;
  // System.nanoTime() when the frame in progress started (IDLE: none). Both stages run in the
  // connection's stream; atomic in case they are ever not fused into one island.
  private final AtomicLong startedAt = new AtomicLong(IDLE);
  // A frame was handed on and the node has not asked for the next: the node is the slow side.
  private final AtomicBoolean busy = new AtomicBoolean();

  FrameDeadline(Duration timeout) {
    this.timeout = timeout;
    this.timeoutNanos = timeout.toNanos();
  }

  /** Goes before the decoder: starts the clock and fails the stream when it runs out. */
  Flow<ByteString, ByteString, NotUsed> bytes() {
    return Flow.fromGraph(new Stage("FrameDeadline.bytes", BytesLogic::new));
  }

  /** Goes after the decoder: each frame stops the clock. */
  Flow<ByteString, ByteString, NotUsed> frames() {
    return Flow.fromGraph(new Stage("FrameDeadline.frames", FramesLogic::new));
  }

  /** A pass-through stage; its logic only watches what goes by. */
  private static final class Stage extends GraphStage<FlowShape<ByteString, ByteString>> {
    private final FlowShape<ByteString, ByteString> shape;
    private final Function<FlowShape<ByteString, ByteString>, GraphStageLogic> logic;

    Stage(String name, Function<FlowShape<ByteString, ByteString>, GraphStageLogic> logic) {
      this.shape = FlowShape.of(Inlet.create(name + ".in"), Outlet.create(name + ".out"));
      this.logic = logic;
    }

    @Override
    public FlowShape<ByteString, ByteString> shape() {
      return shape;
    }

    @Override
    public GraphStageLogic createLogic(Attributes attributes) {
      return logic.apply(shape);
    }
  }

  /** Pushes each element on as it comes and pulls when pulled, calling the hooks first. */
  private abstract static class Watch extends TimerGraphStageLogic {
    Watch(FlowShape<ByteString, ByteString> shape) {
      super(shape);
      setHandlers(
          shape.in(),
          shape.out(),
          new AbstractInOutHandler() {
            @Override
            public void onPush() {
              ByteString bytes = grab(shape.in());
              pushed(bytes);
              push(shape.out(), bytes);
            }

            @Override
            public void onPull() {
              pulled();
              pull(shape.in());
            }
          });
    }

    abstract void pushed(ByteString bytes);

    void pulled() {}
  }

  private final class BytesLogic extends Watch {
    BytesLogic(FlowShape<ByteString, ByteString> shape) {
      super(shape);
    }

    @Override
    void pushed(ByteString bytes) {
      if (!bytes.isEmpty() && startedAt.compareAndSet(IDLE, System.nanoTime()))
        scheduleOnce("deadline", timeout);
    }

    @Override
    public void onTimer(Object key) {
      long started = startedAt.get();
      if (started == IDLE) return; // completed; the next frame starts a new timer
      if (busy.get()) { // not the peer's fault; its clock restarts when the node asks again
        scheduleOnce("deadline", timeout);
        return;
      }
      long left = started + timeoutNanos - System.nanoTime();
      if (left <= 0) failStage(new Expired(timeout));
      else scheduleOnce("deadline", Duration.ofNanos(left));
    }
  }

  private final class FramesLogic extends Watch {
    FramesLogic(FlowShape<ByteString, ByteString> shape) {
      super(shape);
    }

    @Override
    void pushed(ByteString frame) {
      startedAt.set(IDLE);
      busy.set(true);
    }

    @Override
    void pulled() {
      // The node was busy until now: a frame in progress gets the whole timeout.
      busy.set(false);
      long started = startedAt.get();
      if (started != IDLE) startedAt.compareAndSet(started, System.nanoTime());
    }
  }
}
