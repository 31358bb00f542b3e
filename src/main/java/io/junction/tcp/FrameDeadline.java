package io.junction.tcp;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.NotUsed;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.FlowShape;
import org.apache.pekko.stream.Inlet;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.stage.AbstractInHandler;
import org.apache.pekko.stream.stage.AbstractOutHandler;
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
    return Flow.fromGraph(new Bytes());
  }

  /** Goes after the decoder: each frame stops the clock. */
  Flow<ByteString, ByteString, NotUsed> frames() {
    return Flow.fromGraph(new Frames());
  }

  private final class Bytes extends GraphStage<FlowShape<ByteString, ByteString>> {
    private final Inlet<ByteString> in = Inlet.create("FrameDeadline.bytes.in");
    private final Outlet<ByteString> out = Outlet.create("FrameDeadline.bytes.out");
    private final FlowShape<ByteString, ByteString> shape = FlowShape.of(in, out);

    @Override
    public FlowShape<ByteString, ByteString> shape() {
      return shape;
    }

    @Override
    public GraphStageLogic createLogic(Attributes attributes) {
      return new TimerGraphStageLogic(shape) {
        {
          setHandler(
              in,
              new AbstractInHandler() {
                @Override
                public void onPush() {
                  ByteString bytes = grab(in);
                  if (!bytes.isEmpty() && startedAt.compareAndSet(IDLE, System.nanoTime()))
                    scheduleOnce("deadline", timeout);
                  push(out, bytes);
                }
              });
          setHandler(
              out,
              new AbstractOutHandler() {
                @Override
                public void onPull() {
                  pull(in);
                }
              });
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
      };
    }
  }

  private final class Frames extends GraphStage<FlowShape<ByteString, ByteString>> {
    private final Inlet<ByteString> in = Inlet.create("FrameDeadline.frames.in");
    private final Outlet<ByteString> out = Outlet.create("FrameDeadline.frames.out");
    private final FlowShape<ByteString, ByteString> shape = FlowShape.of(in, out);

    @Override
    public FlowShape<ByteString, ByteString> shape() {
      return shape;
    }

    @Override
    public GraphStageLogic createLogic(Attributes attributes) {
      return new GraphStageLogic(shape) {
        {
          setHandler(
              in,
              new AbstractInHandler() {
                @Override
                public void onPush() {
                  startedAt.set(IDLE);
                  busy.set(true);
                  push(out, grab(in));
                }
              });
          setHandler(
              out,
              new AbstractOutHandler() {
                @Override
                public void onPull() {
                  // The node was busy until now: a frame in progress gets the whole timeout.
                  busy.set(false);
                  long started = startedAt.get();
                  if (started != IDLE) startedAt.compareAndSet(started, System.nanoTime());
                  pull(in);
                }
              });
        }
      };
    }
  }
}
