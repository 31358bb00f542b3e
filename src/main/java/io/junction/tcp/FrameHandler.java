package io.junction.tcp;

import io.junction.codec.CodecException;
import io.junction.codec.PayloadCodec;
import io.junction.framing.Framing;
import io.junction.message.Envelope;
import io.junction.metrics.EndpointMetrics;
import io.junction.routing.RoutingSnapshot;
import java.util.function.Consumer;
import org.apache.pekko.util.ByteString;
import org.slf4j.Logger;

/**
 * What a TCP connection does with each frame it reads (decode, wrap in an {@link Envelope}, route)
 * and how it turns a message back into wire bytes. Owned by one connection actor.
 */
final class FrameHandler {
  private final String endpoint;
  private final String connection;
  private final Framing framing;
  private final PayloadCodec codec;
  private final EndpointMetrics metrics;
  private final Logger log;
  private RoutingSnapshot routing;
  long framesIn;
  long bytesIn;
  long framesOut;
  long bytesOut;
  private long offset;

  FrameHandler(
      String endpoint,
      String connection,
      Framing framing,
      PayloadCodec codec,
      RoutingSnapshot routing,
      EndpointMetrics metrics,
      Logger log) {
    this.endpoint = endpoint;
    this.connection = connection;
    this.framing = framing;
    this.codec = codec;
    this.routing = routing;
    this.metrics = metrics;
    this.log = log;
  }

  void routing(RoutingSnapshot snapshot) {
    this.routing = snapshot;
  }

  /** Decodes and routes one frame; a frame that does not decode is counted, logged and skipped. */
  void handle(ByteString frame, Consumer<Envelope> reply) {
    long frameOffset = offset;
    framesIn++;
    bytesIn += frame.size();
    offset += frame.size();
    metrics.framesIn.increment();
    metrics.bytesIn.increment(frame.size());
    PayloadCodec.Decoded decoded;
    try {
      decoded = codec.decode(frame);
    } catch (CodecException e) {
      metrics.decodeErrors.increment();
      log.warn(
          "{} {}: frame {} at stream offset {} does not decode: {}",
          endpoint,
          connection,
          framesIn,
          frameOffset,
          e.getMessage());
      return;
    }
    Envelope message = Envelope.of(endpoint, connection, decoded.type(), frame, decoded.fields());
    RoutingSnapshot.Outcome outcome = routing.route(message, reply);
    if (outcome.failed() > 0) metrics.routeErrors.increment(outcome.failed());
  }

  /** The wire bytes for {@code message}: encoded by this endpoint's codec, then framed. */
  ByteString toWire(Envelope message) {
    ByteString bytes = framing.encode(codec.encode(message));
    framesOut++;
    bytesOut += bytes.size();
    metrics.framesOut.increment();
    metrics.bytesOut.increment(bytes.size());
    return bytes;
  }
}
