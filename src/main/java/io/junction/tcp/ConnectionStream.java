package io.junction.tcp;

import io.junction.framing.Framing;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.japi.function.Function;
import org.apache.pekko.japi.function.Function2;
import org.apache.pekko.stream.CompletionStrategy;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.typed.javadsl.ActorSink;
import org.apache.pekko.stream.typed.javadsl.ActorSource;
import org.apache.pekko.util.ByteString;

/**
 * Bridges one TCP connection's byte stream to the actor that owns the connection, without losing
 * backpressure in either direction.
 *
 * <p>Inbound: bytes are cut into frames by the endpoint's framing, then handed to the actor in
 * batches (as many frames as arrived while the actor was busy, at most {@link #MAX_BATCH}); the
 * next batch is read only after the actor acknowledged the previous one. An actor that stops
 * acknowledging stops the socket from being read.
 *
 * <p>Outbound: the actor sends {@link Out.Bytes} to the materialized source and may send the next
 * only after it received its {@code outboundAck}; see {@link Outbound}.
 */
final class ConnectionStream {
  /** Most frames handed to the actor in one message. */
  static final int MAX_BATCH = 64;

  /** Acknowledges an inbound batch; the stream then reads on. */
  enum Ack {
    INSTANCE
  }

  /** What the actor sends to the outbound side. */
  sealed interface Out {
    /** Bytes for the wire, already framed. */
    record Bytes(ByteString bytes) implements Out {}

    /** Close the write side after what was sent before (and so the connection). */
    enum Complete implements Out {
      INSTANCE
    }
  }

  private ConnectionStream() {}

  /** The connection's flow; materializes to the ref the actor writes to. */
  static <M> Flow<ByteString, ByteString, ActorRef<Out>> flow(
      ActorRef<M> owner,
      Framing framing,
      Optional<Duration> idleTimeout,
      Function2<ActorRef<Ack>, List<ByteString>, M> onFrames,
      Function<ActorRef<Ack>, M> onInit,
      M onComplete,
      Function<Throwable, M> onFailure,
      M outboundAck) {
    Flow<ByteString, ByteString, ?> in =
        idleTimeout.isPresent()
            ? Flow.of(ByteString.class).idleTimeout(idleTimeout.get()).via(framing.decoder())
            : framing.decoder();
    Sink<ByteString, ?> toActor =
        in.batch(MAX_BATCH, ConnectionStream::firstOf, ConnectionStream::append)
            .to(
                ActorSink.<List<ByteString>, M, Ack>actorRefWithBackpressure(
                    owner, onFrames, onInit, Ack.INSTANCE, onComplete, onFailure));
    Source<ByteString, ActorRef<Out>> fromActor =
        ActorSource.<Out, M>actorRefWithBackpressure(
                owner,
                outboundAck,
                o ->
                    o == Out.Complete.INSTANCE
                        ? Optional.of(CompletionStrategy.draining())
                        : Optional.empty(),
                o -> Optional.empty())
            .collectType(Out.Bytes.class)
            .map(Out.Bytes::bytes);
    // Not coupled: when the peer half-closes, the replies to what it sent are still written.
    return Flow.fromSinkAndSourceMat(toActor, fromActor, Keep.right());
  }

  // The list is handed over to the actor when emitted and never touched by the stream again.
  private static List<ByteString> firstOf(ByteString frame) {
    List<ByteString> batch = new ArrayList<>(8);
    batch.add(frame);
    return batch;
  }

  private static List<ByteString> append(List<ByteString> batch, ByteString frame) {
    batch.add(frame);
    return batch;
  }
}
