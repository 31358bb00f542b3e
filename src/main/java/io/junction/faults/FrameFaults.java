package io.junction.faults;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
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
 * The fault stage of one connection's stream, placed right after framing: applies the endpoint's
 * frame rules ({@code drop}, {@code delay}, {@code duplicate}, {@code corrupt}, {@code
 * close-after}, {@code stall}) to each incoming frame. While no rule names the endpoint it costs
 * one volatile read and a map lookup per frame; it is not in the stream at all when fault injection
 * is off.
 *
 * <p>Delays and stalls hold the frame with a stage timer and do not pull meanwhile, so they block
 * no thread, keep the frames' order, and backpressure the socket exactly like a slow handler.
 */
public final class FrameFaults extends GraphStage<FlowShape<ByteString, ByteString>> {
  private final Inlet<ByteString> in = Inlet.create("FrameFaults.in");
  private final Outlet<ByteString> out = Outlet.create("FrameFaults.out");
  private final FlowShape<ByteString, ByteString> shape = FlowShape.of(in, out);
  private final Faults faults;
  private final String endpoint;
  private final String connection;

  private FrameFaults(Faults faults, String endpoint, String connection) {
    this.faults = faults;
    this.endpoint = endpoint;
    this.connection = connection;
  }

  /** The stage for one connection of {@code endpoint}. */
  public static Flow<ByteString, ByteString, NotUsed> flow(
      Faults faults, String endpoint, String connection) {
    return Flow.fromGraph(new FrameFaults(faults, endpoint, connection));
  }

  /** Should the handler of this frame throw? (the {@code throw} kind, checked by the handler) */
  public static boolean shouldThrow(Faults faults, String endpoint, String connection) {
    return faults.hit(
            FaultKind.THROW,
            FaultKind.Scope.ENDPOINT,
            endpoint,
            endpoint + " " + connection,
            r -> true)
        != null;
  }

  @Override
  public FlowShape<ByteString, ByteString> shape() {
    return shape;
  }

  @Override
  public GraphStageLogic createLogic(Attributes attributes) {
    return new Logic();
  }

  private final class Logic extends TimerGraphStageLogic {
    private final Map<String, Long> framesSeen = new HashMap<>(); // per close-after rule
    private final Set<String> stalled = new HashSet<>(); // stall rules already applied here
    private ByteString held;
    private boolean heldTwice;
    private boolean closeAfterHeld;
    private boolean upstreamDone;
    private boolean closeNow; // set by other() while the current frame's rules are walked

    Logic() {
      super(shape);
      setHandler(
          in,
          new AbstractInHandler() {
            @Override
            public void onPush() {
              onFrame(grab(in));
            }

            @Override
            public void onUpstreamFinish() {
              if (held == null) completeStage();
              else upstreamDone = true; // finish after the held frame is out
            }
          });
      setHandler(
          out,
          new AbstractOutHandler() {
            @Override
            public void onPull() {
              if (held == null && !hasBeenPulled(in) && !isClosed(in)) pull(in);
            }
          });
    }

    private void onFrame(ByteString frame) {
      List<FaultRule> rules = faults.current().endpoint(endpoint);
      if (rules.isEmpty()) {
        push(out, frame);
        return;
      }
      closeNow = false;
      DatagramFaults.Verdict v =
          EventFaults.apply(faults, rules, frame, endpoint + " " + connection, this::other);
      if (v.copies().isEmpty()) {
        pull(in); // dropped
        return;
      }
      frame = v.copies().get(0);
      boolean twice = v.copies().size() == 2, close = closeNow;
      Duration wait = v.delay();
      if (wait.isZero()) emitFrame(frame, twice, close);
      else {
        held = frame;
        heldTwice = twice;
        closeAfterHeld = close;
        scheduleOnce("held", wait);
      }
    }

    @Override
    public void onTimer(Object key) {
      ByteString frame = held;
      held = null;
      emitFrame(frame, heldTwice, closeAfterHeld || upstreamDone);
    }

    // The frame-only kinds, in their turn of EventFaults' walk; close-after sets closeNow.
    private Duration other(FaultRule r) {
      switch (r.kind()) {
        case STALL -> {
          if (!stalled.contains(r.id()) && r.rolls()) {
            stalled.add(r.id());
            injected(r);
            return r.spec().duration();
          }
        }
        case CLOSE_AFTER -> {
          long seen = framesSeen.merge(r.id(), 1L, Long::sum);
          if (seen == r.spec().count()) {
            injected(r);
            closeNow = true;
          }
        }
        default -> {}
      }
      return Duration.ZERO;
    }

    private void emitFrame(ByteString frame, boolean twice, boolean close) {
      org.apache.pekko.japi.function.Effect then = close ? this::closeConnection : () -> {};
      if (twice) emitMultiple(out, List.of(frame, frame).iterator(), then);
      else emit(out, frame, then);
    }

    // Complete (not fail): replies already produced are still written, then the socket closes.
    private void closeConnection() {
      completeStage();
    }

    private void injected(FaultRule r) {
      faults.injected(r, endpoint + " " + connection);
    }
  }

  /** {@code frame} with {@code bytes} random bytes flipped (never the same value again). */
  static ByteString corrupt(ByteString frame, int bytes) {
    if (frame.isEmpty()) return frame;
    byte[] b = frame.toArray();
    ThreadLocalRandom random = ThreadLocalRandom.current();
    for (int i = 0; i < bytes; i++) b[random.nextInt(b.length)] ^= (byte) (1 + random.nextInt(255));
    return ByteString.fromArrayUnsafe(b);
  }
}
