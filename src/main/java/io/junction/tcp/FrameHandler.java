package io.junction.tcp;

import io.junction.codec.CodecException;
import io.junction.codec.PayloadCodec;
import io.junction.framing.Framing;
import io.junction.logging.MessageLog;
import io.junction.message.Envelope;
import io.junction.metrics.EndpointMetrics;
import io.junction.routing.RoutingSnapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.apache.pekko.util.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a TCP connection does with each frame it reads (decode, wrap in an {@link Envelope}, route)
 * and how it turns a message back into wire bytes.
 *
 * <p>Frames are handled by one thread at a time (the connection's stream); the route table is
 * swapped by the owning actor and the counters are read by it, hence the volatile and the adders.
 */
final class FrameHandler {
  private static final Logger LOG = LoggerFactory.getLogger(FrameHandler.class);
  private final String endpoint;
  private final String connection;
  private final Framing framing;
  private final PayloadCodec codec;
  private final EndpointMetrics metrics;
  private final Consumer<Envelope> collect = this::collect;
  private volatile RoutingSnapshot routing;
  final LongAdder framesIn = new LongAdder();
  final LongAdder bytesIn = new LongAdder();
  final LongAdder framesOut = new LongAdder();
  final LongAdder bytesOut = new LongAdder();
  private long offset;
  private List<ByteString> replies;

  FrameHandler(
      String endpoint,
      String connection,
      Framing framing,
      PayloadCodec codec,
      RoutingSnapshot routing,
      EndpointMetrics metrics) {
    this.endpoint = endpoint;
    this.connection = connection;
    this.framing = framing;
    this.codec = codec;
    this.routing = routing;
    this.metrics = metrics;
  }

  void routing(RoutingSnapshot snapshot) {
    this.routing = snapshot;
  }

  /** Handles one frame and returns the wire bytes of the replies its routes produced. */
  List<ByteString> repliesTo(ByteString frame) {
    replies = null;
    handle(frame, collect);
    List<ByteString> out = replies == null ? List.of() : replies;
    replies = null;
    return out;
  }

  private void collect(Envelope reply) {
    if (replies == null) replies = new ArrayList<>(1);
    replies.add(toWire(reply));
  }

  /** Decodes and routes one frame; a frame that does not decode is counted, logged and skipped. */
  void handle(ByteString frame, Consumer<Envelope> reply) {
    long frameOffset = offset;
    framesIn.increment();
    bytesIn.add(frame.size());
    offset += frame.size();
    metrics.framesIn.increment();
    metrics.bytesIn.increment(frame.size());
    PayloadCodec.Decoded decoded;
    try {
      decoded = codec.decode(frame);
    } catch (CodecException e) {
      metrics.decodeErrors.increment();
      try (var mdc =
          MessageLog.with(MessageLog.ENDPOINT, endpoint, MessageLog.CONNECTION, connection)) {
        LOG.warn(
            "{} {}: frame {} at stream offset {} does not decode: {}",
            endpoint,
            connection,
            framesIn.sum(),
            frameOffset,
            e.getMessage());
      }
      return;
    }
    Envelope message = Envelope.of(endpoint, connection, decoded.type(), frame, decoded.fields());
    RoutingSnapshot.Outcome outcome = routing.route(message, reply);
    if (outcome.failed() > 0) metrics.routeErrors.increment(outcome.failed());
  }

  /** The wire bytes for {@code message}: encoded by this endpoint's codec, then framed. */
  ByteString toWire(Envelope message) {
    ByteString bytes = framing.encode(codec.encode(message));
    framesOut.increment();
    bytesOut.add(bytes.size());
    metrics.framesOut.increment();
    metrics.bytesOut.increment(bytes.size());
    return bytes;
  }
}
