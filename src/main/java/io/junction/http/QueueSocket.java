package io.junction.http;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import io.junction.message.Envelope;
import io.junction.queue.QueueEntity;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.http.javadsl.model.ws.TextMessage;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * {@code GET /v1/queues/{q}/socket[?prefetch=N]}: publish, consume and settle on one WebSocket, as
 * an AMQP channel does, instead of an HTTP request per publish and per ack. Every frame is one JSON
 * object in a text frame (docs/HTTP.md has the protocol):
 *
 * <ul>
 *   <li>{@code {"publish": [messages], "tag": T}} is answered once every message is durable by
 *       {@code {"published": [{"id", "seq"}], "tag": T}}, or by an error frame;
 *   <li>{@code {"ack": [receipts]}} and {@code {"nack": [receipts], "requeue": bool}} settle
 *       deliveries; with a {@code tag} they are answered by {@code {"settled", "unknown", "tag"}};
 *   <li>with {@code prefetch} the socket is also a push subscriber of the queue, and each delivery
 *       arrives as {@code {"delivery": {...}}}, the same object the event stream sends, at most
 *       {@code prefetch} unacknowledged;
 *   <li>a frame that cannot be read is answered by {@code {"error", "detail"[, "tag"]}} and
 *       counted; the socket stays open.
 * </ul>
 *
 * <p>Backpressure: at most {@link #MAX_UNANSWERED} frames are being handled at once; the next frame
 * is not read (so TCP pushes back on the client) until one is answered. Deliveries are bounded by
 * the prefetch window, answers by that limit, so a client that stops reading holds only its own
 * socket's buffers.
 */
final class QueueSocket {
  static final int MAX_UNANSWERED = 64;

  /** Asks a queue, as {@link QueueRoutes} does for every call (its timeout, off the actor). */
  interface Asker {
    <R> CompletionStage<R> ask(String queue, Function<ActorRef<R>, QueueEntity.Command> cmd);
  }

  private final Asker queues;
  private final QueueStream stream;
  private final ActorSystem<?> system;
  private final Duration timeout;
  private final long maxFrameChars;
  private final int maxBatch;
  private final Counter publishFrames;
  private final Counter settleFrames;
  private final Counter badFrames;
  private final AtomicInteger open = new AtomicInteger();

  QueueSocket(
      Asker queues,
      QueueStream stream,
      ActorSystem<?> system,
      Duration timeout,
      long maxFrameChars,
      int maxBatch,
      MeterRegistry registry) {
    this.queues = queues;
    this.stream = stream;
    this.system = system;
    this.timeout = timeout;
    this.maxFrameChars = maxFrameChars;
    this.maxBatch = maxBatch;
    String frames = "junction.http.socket.frames";
    this.publishFrames = registry.counter(frames, "kind", "publish");
    this.settleFrames = registry.counter(frames, "kind", "settle");
    this.badFrames = registry.counter(frames, "kind", "bad");
    registry.gauge("junction.http.sockets", open);
  }

  /** The socket's handler: answers to the client's frames, merged with the queue's deliveries. */
  Flow<Message, Message, NotUsed> flow(String queue, int prefetch) {
    Flow<Message, Message, NotUsed> answers =
        Flow.<Message>create()
            // a stage completed with null emits nothing: acks without a tag
            .mapAsync(MAX_UNANSWERED, m -> answer(queue, m))
            .watchTermination(
                (mat, done) -> {
                  open.incrementAndGet();
                  done.whenComplete((d, e) -> open.decrementAndGet());
                  return mat;
                });
    if (prefetch == 0) return answers;
    // eager: the client closing its side ends the subscription (its unacked messages go back)
    return answers.merge(stream.deliveries(queue, prefetch).map(QueueSocket::delivery), true);
  }

  private CompletionStage<Message> answer(String queue, Message m) {
    if (!m.isText()) {
      m.asBinaryMessage().getStreamedData().runWith(Sink.ignore(), system); // read past it
      return refuse(null, "bad-frame", "binary frames are not read: send JSON text frames");
    }
    TextMessage t = m.asTextMessage();
    if (t.isStrict()) return handle(queue, t.getStrictText());
    // A frame in parts: collected up to the limit; beyond it read and dropped.
    return t.getStreamedText()
        .runFold(new Parts(maxFrameChars), Parts::add, system)
        .thenCompose(parts -> handle(queue, parts.text()));
  }

  // text == null: the frame was longer than the limit
  private CompletionStage<Message> handle(String queue, String text) {
    if (text == null || text.length() > maxFrameChars)
      return refuse(
          null, "frame-too-large", "a frame holds at most " + maxFrameChars + " characters");
    final Frame f;
    try {
      f = Frame.parse(text, maxBatch);
    } catch (BadFrame e) {
      return refuse(e.tag, "bad-frame", e.getMessage());
    }
    if (f.publish != null) {
      publishFrames.increment();
      return queues
          .<StatusReply<QueueEntity.EnqueuedBatch>>ask(
              queue, r -> new QueueEntity.PublishBatch(f.publish, r))
          .thenApply(reply -> published(f.tag, reply))
          .exceptionally(e -> unanswered(f.tag, e));
    }
    settleFrames.increment();
    Function<ActorRef<QueueEntity.Settled>, QueueEntity.Command> cmd =
        f.ack
            ? r -> new QueueEntity.Ack(f.receipts, r)
            : r -> new QueueEntity.Nack(f.receipts, f.requeue, Duration.ZERO, r);
    // Asked even without a tag: the answer bounds how many settles a client has outstanding.
    return queues
        .ask(queue, cmd)
        .thenApply(s -> f.tag == null ? (Message) null : settled(f.tag, s))
        .exceptionally(e -> unanswered(f.tag, e));
  }

  private static final class Parts {
    private final long max;
    private StringBuilder text = new StringBuilder();

    Parts(long max) {
      this.max = max;
    }

    Parts add(String part) {
      if (text != null && text.length() + part.length() > max) text = null;
      else if (text != null) text.append(part);
      return this;
    }

    String text() {
      return text == null ? null : text.toString();
    }
  }

  private CompletionStage<Message> refuse(Object tag, String error, String detail) {
    badFrames.increment();
    return CompletableFuture.completedFuture(error(tag, error, detail));
  }

  private Message unanswered(Object tag, Throwable e) {
    return error(tag, "queue-busy", "no answer within " + timeout + ": " + e.getMessage());
  }

  private static Message published(Object tag, StatusReply<QueueEntity.EnqueuedBatch> reply) {
    if (reply.isError()) return error(tag, "publish-refused", reply.getError().getMessage());
    return text(
        g -> {
          QueueRoutes.writeEnqueued(g, "published", reply.getValue().messages());
          writeTag(g, tag);
        });
  }

  private static Message settled(Object tag, QueueEntity.Settled s) {
    return text(
        g -> {
          g.writeNumberField("settled", s.settled());
          g.writeArrayFieldStart("unknown");
          for (String r : s.unknownReceipts()) g.writeString(r);
          g.writeEndArray();
          writeTag(g, tag);
        });
  }

  private static Message error(Object tag, String error, String detail) {
    return text(
        g -> {
          g.writeStringField("error", error);
          g.writeStringField("detail", detail);
          writeTag(g, tag);
        });
  }

  private static void writeTag(JsonGenerator g, Object tag) throws IOException {
    if (tag != null) {
      g.writeFieldName("tag");
      g.writeObject(tag);
    }
  }

  // An answer: one small JSON object.
  private static Message text(Json.Fields fields) {
    return TextMessage.create(new String(Json.object(fields), StandardCharsets.UTF_8));
  }

  // A delivery, written once as bytes (payloads are escaped from their bytes, never decoded), then
  // the one String a text frame needs.
  private static Message delivery(QueueEntity.Delivery d) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(d.envelope().payload().size() + 320);
    out.writeBytes(DELIVERY_PREFIX);
    MessageView.writeJson(d, out);
    out.write('}');
    return TextMessage.create(out.toString(StandardCharsets.UTF_8));
  }

  private static final byte[] DELIVERY_PREFIX =
      "{\"delivery\":".getBytes(StandardCharsets.US_ASCII);

  private static final class BadFrame extends Exception {
    private static final long serialVersionUID = 1L;
    final transient Object tag;

    BadFrame(Object tag, String detail) {
      super(detail, null, false, false);
      this.tag = tag;
    }
  }

  /** One client frame, read with Jackson's streaming parser (payloads go straight to bytes). */
  private static final class Frame {
    Object tag; // a String or a Number, echoed in the answer
    List<Envelope> publish;
    List<String> receipts;
    boolean ack;
    boolean requeue = true;

    static Frame parse(String text, int maxBatch) throws BadFrame {
      Frame f = new Frame();
      int ops = 0;
      try (JsonParser p = Json.MAPPER.getFactory().createParser(text)) {
        if (p.nextToken() != JsonToken.START_OBJECT)
          throw new BadFrame(null, "a frame is one JSON object");
        String problem = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String field = p.currentName();
          JsonToken value = p.nextToken();
          switch (field) {
            case "tag" -> {
              if (value == JsonToken.VALUE_STRING) f.tag = p.getText();
              else if (value.isNumeric()) f.tag = p.getNumberValue();
              else {
                p.skipChildren();
                problem = "tag must be a string or a number";
              }
            }
            case "publish" -> {
              ops++;
              JsonStreamContext frame = p.getParsingContext().getParent();
              try {
                f.publish = BatchRequest.messages(p, maxBatch);
              } catch (IllegalArgumentException e) {
                problem = "publish: " + e.getMessage();
                // read past the rest of the array, so that a tag after it is still found
                while (p.getParsingContext() != frame && p.nextToken() != null) {}
              }
            }
            case "ack", "nack" -> {
              ops++;
              f.ack = field.equals("ack");
              f.receipts = receipts(p, field);
              if (f.receipts == null) problem = field + " must be a non-empty array of receipts";
            }
            case "requeue" -> {
              if (!value.isBoolean()) problem = "requeue must be true or false";
              else f.requeue = p.getBooleanValue();
            }
            default -> p.skipChildren();
          }
        }
        if (problem == null && p.nextToken() != null)
          problem = "a frame is one JSON object, with nothing after it";
        if (problem == null && ops != 1) problem = "a frame has exactly one of publish, ack, nack";
        if (problem != null) throw new BadFrame(f.tag, problem);
        return f;
      } catch (IOException e) {
        throw new BadFrame(f.tag, "not JSON: " + e.getMessage());
      }
    }

    // null if not a non-empty array of strings; always read up to the array's end
    private static List<String> receipts(JsonParser p, String field) throws IOException {
      if (p.currentToken() != JsonToken.START_ARRAY) {
        p.skipChildren();
        return null;
      }
      List<String> out = new ArrayList<>();
      boolean ok = true;
      while (p.nextToken() != JsonToken.END_ARRAY) {
        if (p.currentToken() == JsonToken.VALUE_STRING) out.add(p.getText());
        else {
          ok = false;
          p.skipChildren();
        }
      }
      return ok && !out.isEmpty() ? out : null;
    }
  }
}
