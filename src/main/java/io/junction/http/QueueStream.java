package io.junction.http;

import io.junction.queue.QueueEntity;
import io.junction.queue.QueueSubscription;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.ResponseEntity;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * {@code GET /v1/queues/{q}/stream?prefetch=N}: the queue's deliveries pushed as server-sent events
 * ({@code event: message}, {@code id:} the receipt, data the delivery as a lease shows it), at most
 * {@code prefetch} unacknowledged at a time; the client acks (or nacks) receipts with {@code POST
 * .../ack}, which frees window slots. Each client is one push subscriber of the queue: when the
 * client disconnects its subscriber stops, and the queue redelivers its unacknowledged messages
 * (counted as a failed delivery, as for any consumer that went away). When the queue actor stops
 * (in a cluster: its shard moved to another node, or its node left or died) the stream ends after
 * the deliveries it holds: their receipts mean nothing to the queue's next incarnation, which
 * delivers them again; the client connects again.
 *
 * <p>The client's buffer holds {@code prefetch} deliveries, which is all the queue sends before an
 * ack, so it never overflows; a slow reader only holds its own window.
 */
final class QueueStream {
  // Also how soon an orderly client close is noticed: the server learns it on a failed write.
  private static final Duration KEEP_ALIVE = Duration.ofSeconds(5);
  // What Pekko renders for ServerSentEvent.heartbeat(), which every client here already skips.
  private static final ByteString HEARTBEAT = ByteString.fromString("data:\n\n");
  private static final ContentType EVENT_STREAM = MediaTypes.TEXT_EVENT_STREAM.toContentType();
  private final ActorRef<ShardingEnvelope<QueueEntity.Command>> queues;
  private final ActorSystem<?> system;

  QueueStream(ActorRef<ShardingEnvelope<QueueEntity.Command>> queues, ActorSystem<?> system) {
    this.queues = queues;
    this.system = system;
  }

  /**
   * The response entity: the event stream of one new subscriber of {@code queue}. Close-delimited
   * rather than chunked: chunking copied every event once more to frame it, and a stream that ends
   * closes its connection either way.
   */
  ResponseEntity entity(String queue, int prefetch) {
    return HttpEntities.createCloseDelimited(EVENT_STREAM, source(queue, prefetch));
  }

  private Source<ByteString, NotUsed> source(String queue, int prefetch) {
    return deliveries(queue, prefetch)
        .map(QueueStream::event)
        .keepAlive(KEEP_ALIVE, () -> HEARTBEAT);
  }

  /**
   * The deliveries of one new subscriber of {@code queue}, at most {@code prefetch} unacknowledged;
   * the subscription ends when the stream is cancelled, and the stream completes when the queue
   * actor stops. Also what a {@link QueueSocket} pushes.
   */
  Source<QueueEntity.Delivery, NotUsed> deliveries(String queue, int prefetch) {
    return QueueSubscription.deliveries(queues, system, queue, prefetch);
  }

  /**
   * One delivery as the bytes of its server-sent event, the same bytes Pekko's {@code
   * ServerSentEvent} would render ({@code data:} the JSON on one line, {@code event:message},
   * {@code id:} the receipt, a blank line) but written straight into one array: rendering through
   * {@code ServerSentEvent} went delivery, String, StringBuilder, String, bytes, a fifth of the
   * node's garbage on a busy stream.
   */
  static ByteString event(QueueEntity.Delivery d) {
    Frame out = new Frame(d.envelope().payload().size() + 320);
    out.writeAscii("data:");
    MessageView.writeJson(d, out); // compact JSON: newlines inside strings are escaped
    out.writeAscii("\nevent:message\nid:");
    out.writeBytes(d.receiptId().getBytes(StandardCharsets.UTF_8));
    out.writeAscii("\n\n");
    return out.bytes();
  }

  /** An output stream whose bytes become a ByteString without another copy. */
  private static final class Frame extends OutputStream {
    private byte[] buf;
    private int count;

    Frame(int size) {
      buf = new byte[size];
    }

    @Override
    public void write(int b) {
      ensure(1);
      buf[count++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) {
      ensure(len);
      System.arraycopy(b, off, buf, count, len);
      count += len;
    }

    void writeBytes(byte[] b) {
      write(b, 0, b.length);
    }

    void writeAscii(String s) {
      ensure(s.length());
      for (int i = 0; i < s.length(); i++) buf[count++] = (byte) s.charAt(i);
    }

    private void ensure(int more) {
      if (count + more > buf.length)
        buf = Arrays.copyOf(buf, Math.max(buf.length * 2, count + more));
    }

    ByteString bytes() {
      return ByteString.fromArrayUnsafe(buf, 0, count);
    }
  }
}
