package io.junction.stomp;

import static java.util.concurrent.TimeUnit.MILLISECONDS;

import io.junction.http.Scope;
import io.junction.http.Stages;
import io.junction.http.Token;
import io.junction.message.Envelope;
import io.junction.queue.QueueEntity;
import io.junction.queue.QueueSubscription;
import io.junction.queue.Queues;
import io.junction.topic.NodeTopic;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.RestartSettings;
import org.apache.pekko.stream.UniqueKillSwitch;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.MergeHub;
import org.apache.pekko.stream.javadsl.RestartSource;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.apache.pekko.util.ByteStringBuilder;

/**
 * One STOMP connection: its frames, in order, against the durable queues (docs/STOMP.md).
 *
 * <ul>
 *   <li>{@code SEND} to {@code /queue/<name>} publishes; its {@code RECEIPT} (when the frame asks
 *       for one) comes once the message is durable, as an AMQP publisher confirm.
 *   <li>{@code SUBSCRIBE} makes the connection a push subscriber of the queue with a window of
 *       {@code prefetch-count} unacknowledged messages; {@code ack} is {@code auto} (settled as it
 *       is sent), {@code client} (an ACK settles every earlier message of the subscription too) or
 *       {@code client-individual}. Each MESSAGE's {@code ack} header (also its {@code message-id},
 *       for 1.0 and 1.1 clients) names the delivery for ACK and NACK ({@code requeue:false}
 *       dead-letters it).
 *   <li>{@code BEGIN}, {@code COMMIT}, {@code ABORT}: a transaction's SENDs are written per queue
 *       in one journal write at COMMIT, its ACKs and NACKs applied after them.
 *   <li>{@code /topic/<name>} (a declared topic) instead of a queue: SEND publishes at most once
 *       (the receipt comes at once), SUBSCRIBE gets what is published from then on through the
 *       topic's subscriber buffer; ACK and NACK of its messages settle nothing.
 * </ul>
 *
 * <p>A frame the node refuses is answered by an ERROR frame, after which the connection closes;
 * unacknowledged deliveries then go back to their queues. At most {@link #MAX_UNANSWERED} frames
 * are handled at once: the next is not read (TCP pushes back on the client) until the first is
 * answered, and answers leave in the order the frames came.
 *
 * <p>Threading: {@link #handle} runs in the stream's stage, one frame at a time, and owns the
 * session's state; only a {@code client}-mode subscription's outstanding deliveries are also
 * touched by its delivery stream, under that subscription's lock.
 */
final class StompSession {
  static final int MAX_UNANSWERED = 64;
  private static final Set<String> OWN_HEADERS =
      Set.of("destination", "receipt", "transaction", "content-length", "content-type");
  private static final String OCTETS = "application/octet-stream";
  private static final Set<String> TRANSACTIONAL = Set.of("SEND", "ACK", "NACK");
  private static final Set<String> ACK_MODES = Set.of("auto", "client", "client-individual");
  // Put among the frames when connect-timeout has passed: closes a connection not yet CONNECTED.
  private static final Object CONNECT_DEADLINE = new Object();
  // Put among the frames every heart-beat interval: closes a connection whose client promised
  // heart-beats and went silent.
  private static final Object HEART_BEAT_CHECK = new Object();
  // The longest silence a client's heart-beat promise can buy (so a huge cx cannot overflow).
  private static final long DAY = Duration.ofDays(1).toMillis();
  // What the node sends as its heart-beat: an end-of-line between frames (compared by identity).
  private static final ByteString HEART_BEAT = ByteString.fromString("\n");
  private static final RestartSettings RESUBSCRIBE =
      RestartSettings.create(Duration.ofMillis(200), Duration.ofSeconds(5), 0.2);

  /** What a handled frame sends back, and whether the connection closes after it. */
  private record Out(ByteString bytes, boolean close) {
    static final Out NOTHING = new Out(ByteString.emptyByteString(), false);
  }

  private final StompServer.Shared shared;
  private final String connectionId;
  private final Sink<ByteString, NotUsed> deliveries;
  private final StompParser parser; // owned by the parsing stage
  private boolean unreadable; // the parser refused a frame: nothing after it is read
  // owned by the stage that runs answer(); set when a frame is refused: none after it is handled
  private boolean refused;
  // Heart-beats, as CONNECT and the node's heart-beat setting agreed: whether the node sends
  // them (read by the output's filter), and how long the client may be silent (0: no limit).
  private volatile boolean sendsHeartBeats;
  private volatile long silenceLimitNanos;
  private volatile long lastReadNanos = System.nanoTime(); // set by the parsing stage
  // owned by the stage that runs handle()
  private String version; // null until CONNECTED
  private final Map<String, Subscription> subscriptions = new HashMap<>();
  private final Map<Integer, Subscription> bySeq = new HashMap<>();
  private final Map<String, List<StompFrame>> transactions = new HashMap<>();
  private int nextSeq;

  private StompSession(
      StompServer.Shared shared,
      String connectionId,
      Sink<ByteString, NotUsed> deliveries,
      StompParser parser) {
    this.shared = shared;
    this.connectionId = connectionId;
    this.deliveries = deliveries;
    this.parser = parser;
  }

  /** The connection's handler: answers to the client's frames, merged with its deliveries. */
  static Flow<ByteString, ByteString, NotUsed> flow(
      StompServer.Shared shared, String connectionId) {
    var hub =
        MergeHub.of(ByteString.class, 16).preMaterialize(shared.system()); // deliveries go in here
    StompSession session =
        new StompSession(
            shared,
            connectionId,
            hub.first(),
            new StompParser(64 * 1024, shared.settings().maxFrameBytes()));
    // Refusals travel as elements, never as stream failures: a failed stage cancels the socket's
    // reading side with an error, and Pekko then resets the connection, racing the ERROR frame.
    Source<Object, ?> deadlines =
        Source.<Object>single(CONNECT_DEADLINE)
            .initialDelay(shared.settings().connectTimeout())
            .concat(Source.never());
    var heartBeat = shared.settings().heartBeat();
    if (heartBeat.isPresent())
      deadlines = deadlines.merge(Source.tick(heartBeat.get(), heartBeat.get(), HEART_BEAT_CHECK));
    Flow<ByteString, ByteString, NotUsed> answers =
        Flow.of(ByteString.class)
            .mapConcat(session::parse)
            // eager, and never completing itself: the client's end of the stream ends the frames
            .merge(deadlines, true)
            .mapAsync(MAX_UNANSWERED, session::answer)
            .takeWhile(out -> !out.close(), true)
            .map(Out::bytes)
            .filter(b -> !b.isEmpty());
    Flow<ByteString, ByteString, NotUsed> out =
        answers.merge(hub.second(), true); // eager: the answers ending (ERROR, DISCONNECT) end it
    if (heartBeat.isPresent())
      out =
          out.keepAlive(heartBeat.get(), () -> HEART_BEAT)
              .filter(b -> b != HEART_BEAT || session.sendsHeartBeats);
    return out.watchTermination(
        (mat, done) -> {
          shared.opened();
          done.whenComplete((d, e) -> session.closed());
          return mat;
        });
  }

  private void closed() {
    shared.closed();
    // Stops each subscriber: the queue delivers its unacknowledged messages again.
    for (Subscription s : bySeq.values()) s.stop.shutdown();
  }

  // The frames in the bytes and, after the good ones, the refusal of the first bad one (then
  // nothing more is read).
  private List<Object> parse(ByteString bytes) {
    lastReadNanos = System.nanoTime(); // heart-beats included
    if (unreadable) return List.of();
    List<Object> out = new ArrayList<>(1);
    try {
      parser.feed(bytes, out);
    } catch (StompException e) {
      unreadable = true;
      out.add(e);
    }
    return out.size() > 1 ? grouped(out) : out;
  }

  /**
   * SENDs that arrived together (one read), one after another, to the same destination and outside
   * a transaction: one element, so the queue gets one {@code PublishBatch} (one ask, one command,
   * one event) instead of one of each per message. They are stored all together or not at all;
   * their receipts leave together once they are durable.
   */
  private record Sends(List<StompFrame> frames) {}

  static final int MAX_GROUPED_SENDS = 100;

  private static List<Object> grouped(List<Object> items) {
    List<Object> out = new ArrayList<>(items.size());
    List<StompFrame> run = new ArrayList<>();
    for (Object item : items) {
      if (item instanceof StompFrame f && groupable(f)) {
        if (!run.isEmpty()
            && (run.size() == MAX_GROUPED_SENDS
                || !run.get(0).header("destination").equals(f.header("destination")))) {
          flush(run, out);
          run = new ArrayList<>();
        }
        run.add(f);
      } else {
        flush(run, out);
        run = new ArrayList<>();
        out.add(item);
      }
    }
    flush(run, out);
    return out;
  }

  private static boolean groupable(StompFrame f) {
    return f.command().equals("SEND")
        && f.header("transaction") == null
        && f.header("destination") != null;
  }

  private static void flush(List<StompFrame> run, List<Object> out) {
    if (run.size() == 1) out.add(run.get(0));
    else if (run.size() > 1) out.add(new Sends(List.copyOf(run)));
  }

  // What an element from the parser (or the connect deadline) sends back.
  private CompletionStage<Out> answer(Object item) {
    if (refused) return done(Out.NOTHING);
    try {
      if (item instanceof StompException e) throw e;
      if (item == CONNECT_DEADLINE) {
        if (version != null) return done(Out.NOTHING);
        throw new StompException(
            "connect-timeout",
            "no CONNECT within " + shared.settings().connectTimeout() + " of connecting");
      }
      if (item == HEART_BEAT_CHECK) {
        long limit = silenceLimitNanos, silent = System.nanoTime() - lastReadNanos;
        if (limit == 0 || silent <= limit) return done(Out.NOTHING);
        throw new StompException(
            "heart-beat-timeout",
            "nothing from the client for "
                + silent / 1_000_000
                + " ms; its heart-beats were due every "
                + limit / 2_000_000
                + " ms");
      }
      CompletionStage<Out> answered =
          item instanceof Sends g ? sendAll(g.frames()) : handle((StompFrame) item);
      return answered.exceptionally(e -> new Out(error(e), true));
    } catch (StompException e) {
      refused = true;
      return done(new Out(error(e), true));
    }
  }

  private CompletionStage<Out> handle(StompFrame f) {
    shared.frame(f.command());
    if (version == null) {
      if (f.command().equals("CONNECT") || f.command().equals("STOMP")) return connect(f);
      throw refused(
          "not-connected", "the first frame must be CONNECT (or STOMP), was " + f.command(), f);
    }
    String tx = f.header("transaction");
    if (tx != null && TRANSACTIONAL.contains(f.command())) return enlist(tx, f);
    return switch (f.command()) {
      case "SEND" -> send(f);
      case "SUBSCRIBE" -> subscribe(f);
      case "UNSUBSCRIBE" -> unsubscribe(f);
      case "ACK", "NACK" -> settle(f);
      case "BEGIN" -> begin(f);
      case "COMMIT" -> commit(f);
      case "ABORT" -> abort(f);
      case "DISCONNECT" -> done(new Out(receipt(f), true));
      default -> throw refused("bad-frame", "already connected: " + f.command() + " again", f);
    };
  }

  // --- CONNECT ---

  private CompletionStage<Out> connect(StompFrame f) {
    String v = StompParser.negotiate(f.header("accept-version"));
    if (v == null)
      throw refused(
          "unsupported-version",
          "accept-version '" + f.header("accept-version") + "': this node speaks 1.0, 1.1, 1.2",
          f);
    if (shared.settings().authRequired() && !authorized(f.header("passcode")))
      throw refused(
          "access-refused",
          "CONNECT needs a passcode: one of the node's API tokens with the publish scope",
          f);
    long[] client = heartBeats(f);
    version = v;
    long node = shared.settings().heartBeat().map(Duration::toMillis).orElse(0L);
    // The client's cx,cy against the node's own interval both ways (STOMP 1.1): the node sends
    // every `node` ms if the client wants heart-beats at all (at least as often as it asked), and
    // expects the client's every max(cx, node) ms, closing the connection after twice that.
    sendsHeartBeats = node > 0 && client[1] > 0;
    if (node > 0 && client[0] > 0)
      silenceLimitNanos = 2 * Duration.ofMillis(Math.min(Math.max(client[0], node), DAY)).toNanos();
    ByteString connected =
        new StompFrame.Writer("CONNECTED", false)
            .header("version", v)
            .header("server", "Junction")
            .header("session", connectionId)
            .header("heart-beat", node + "," + node)
            .body(ByteString.emptyByteString());
    return done(new Out(connected, false));
  }

  /** CONNECT's {@code heart-beat: cx,cy} in ms ({@code 0,0} when absent, as in STOMP 1.0). */
  private long[] heartBeats(StompFrame f) {
    String h = f.header("heart-beat");
    if (h == null) return new long[] {0, 0};
    String[] parts = h.split(",", -1);
    try {
      if (parts.length == 2) {
        long cx = Long.parseLong(parts[0].trim()), cy = Long.parseLong(parts[1].trim());
        if (cx >= 0 && cy >= 0) return new long[] {cx, cy};
      }
    } catch (NumberFormatException e) {
      // refused below
    }
    throw refused("bad-frame", "heart-beat '" + h + "': expected two non-negative ms, cx,cy", f);
  }

  private boolean authorized(String passcode) {
    if (passcode == null) return false;
    for (Token t : shared.settings().tokens())
      if (t.scopes().contains(Scope.PUBLISH) && t.matches(passcode)) return true;
    return false;
  }

  // --- SEND ---

  private CompletionStage<Out> send(StompFrame f) {
    NodeTopic topic = topic(f);
    if (topic != null) {
      topic.publish(envelope(f));
      return done(new Out(receipt(f), false));
    }
    String queue = queue(f);
    Envelope e = envelope(f);
    return this.<StatusReply<QueueEntity.Enqueued>>ask(queue, r -> QueueEntity.Publish.of(e, r))
        .thenApply(
            reply -> {
              if (reply.isError())
                throw refused("publish-refused", reply.getError().getMessage(), f);
              return new Out(receipt(f), false);
            });
  }

  private CompletionStage<Out> sendAll(List<StompFrame> frames) {
    for (StompFrame f : frames) shared.frame(f.command());
    StompFrame first = frames.get(0);
    if (version == null)
      throw refused("not-connected", "the first frame must be CONNECT (or STOMP), was SEND", first);
    NodeTopic topic = topic(first); // one destination for all
    if (topic != null) {
      ByteStringBuilder receipts = new ByteStringBuilder();
      for (StompFrame f : frames) {
        topic.publish(envelope(f));
        receipts.append(receipt(f));
      }
      return done(new Out(receipts.result(), false));
    }
    String queue = queue(first);
    List<Envelope> envelopes = new ArrayList<>(frames.size());
    StompFrame named = first; // the frame an ERROR names: the first with a receipt
    for (StompFrame f : frames) {
      envelopes.add(envelope(f));
      if (named.header("receipt") == null && f.header("receipt") != null) named = f;
    }
    StompFrame refusedFrame = named;
    return this.<StatusReply<QueueEntity.EnqueuedBatch>>ask(
            queue, r -> new QueueEntity.PublishBatch(envelopes, r))
        .thenApply(
            reply -> {
              if (reply.isError())
                throw refused("publish-refused", reply.getError().getMessage(), refusedFrame);
              ByteStringBuilder receipts = new ByteStringBuilder();
              for (StompFrame f : frames) receipts.append(receipt(f));
              return new Out(receipts.result(), false);
            });
  }

  private Envelope envelope(StompFrame f) {
    Map<String, String> headers = new LinkedHashMap<>();
    f.headers()
        .forEach(
            (k, v) -> {
              if (!OWN_HEADERS.contains(k)) headers.put(k, v);
            });
    String type = f.header("content-type");
    return new Envelope(
        Envelope.newId(),
        "stomp",
        connectionId,
        type == null || type.isBlank() ? OCTETS : type,
        headers,
        f.body(),
        Map.of(),
        System.currentTimeMillis());
  }

  // --- SUBSCRIBE, UNSUBSCRIBE, ACK, NACK ---

  private final class Subscription {
    final int seq;
    final String id;
    final String queue; // null for a topic's
    final String mode; // auto | client | client-individual
    final ArrayDeque<String> outstanding = new ArrayDeque<>(); // client mode only, under lock
    UniqueKillSwitch stop;
    private long topicMessages; // numbers a topic's MESSAGEs; touched by its delivery stream only

    Subscription(int seq, String id, String queue, String mode) {
      this.seq = seq;
      this.id = id;
      this.queue = queue;
      this.mode = mode;
    }

    // A topic's message: nothing to settle, so its ack header only names it.
    ByteString message(String topic, Envelope e) {
      StompFrame.Writer w = head(seq + ".t" + (++topicMessages), "/topic/" + topic, e);
      e.headers().forEach(w::header);
      return w.body(e.payload());
    }

    // The headers every MESSAGE of this subscription starts with.
    private StompFrame.Writer head(String ack, String destination, Envelope e) {
      return new StompFrame.Writer("MESSAGE", escapes())
          .header("subscription", id)
          .header("message-id", ack)
          .header("ack", ack)
          .header("destination", destination)
          .header("content-type", e.type())
          .header("junction-message-id", e.id());
    }

    ByteString message(QueueEntity.Delivery d) {
      String ack = seq + "." + d.receiptId();
      if (mode.equals("client"))
        synchronized (outstanding) {
          outstanding.add(d.receiptId());
        }
      Envelope e = d.envelope();
      StompFrame.Writer w = head(ack, "/queue/" + queue, e);
      if (d.redelivered()) w.header("redelivered", "true");
      w.header("junction-delivery-count", Integer.toString(d.deliveryCount()));
      e.headers().forEach(w::header);
      ByteString bytes = w.body(e.payload());
      if (mode.equals("auto"))
        shared
            .queues()
            .tell(
                new ShardingEnvelope<>(
                    queue,
                    new QueueEntity.Ack(List.of(d.receiptId()), shared.system().ignoreRef())));
      return bytes;
    }

    // The receipts an ACK or NACK of `receipt` settles: in client mode, every earlier one too.
    List<String> through(String receipt) {
      if (!mode.equals("client")) return List.of(receipt);
      synchronized (outstanding) {
        if (!outstanding.contains(receipt)) return List.of(receipt);
        List<String> out = new ArrayList<>();
        String r;
        do {
          r = outstanding.poll();
          out.add(r);
        } while (!r.equals(receipt));
        return out;
      }
    }
  }

  private CompletionStage<Out> subscribe(StompFrame f) {
    String id = required(f, "id");
    NodeTopic topic = topic(f);
    String queue = topic == null ? queue(f) : null;
    if (subscriptions.containsKey(id))
      throw refused("bad-frame", "subscription id '" + id + "' is already in use", f);
    if (subscriptions.size() >= shared.settings().maxSubscriptions())
      throw refused(
          "too-many-subscriptions",
          "a connection holds at most " + shared.settings().maxSubscriptions() + " subscriptions",
          f);
    String mode = f.headers().getOrDefault("ack", "auto");
    if (!ACK_MODES.contains(mode))
      throw refused("bad-frame", "ack must be auto, client or client-individual, was " + mode, f);
    int prefetch = prefetch(f);
    Subscription s = new Subscription(++nextSeq, id, queue, mode);
    // A queue's subscription outlives the queue actor: when it stops (a crash, or in a cluster its
    // shard moved) the stream subscribes again, to the queue's next incarnation, which delivers
    // again what was unacknowledged (acks of the old deliveries then count as unknown).
    // A topic's subscription is answered once the topic has it, so a receipt means subscribed.
    CompletableFuture<Done> subscribed = new CompletableFuture<>();
    Source<ByteString, NotUsed> messages;
    if (topic != null)
      messages =
          topic
              .subscribe()
              .mapMaterializedValue(
                  stage -> {
                    stage.thenRun(() -> subscribed.complete(Done.getInstance()));
                    return NotUsed.getInstance();
                  })
              .map(e -> s.message(topic.name(), e));
    else {
      subscribed.complete(Done.getInstance());
      messages =
          RestartSource.withBackoff(
                  RESUBSCRIBE,
                  () ->
                      QueueSubscription.deliveries(
                          shared.queues(), shared.system(), queue, prefetch))
              .map(s::message);
    }
    s.stop =
        messages.viaMat(KillSwitches.single(), Keep.right()).to(deliveries).run(shared.system());
    subscriptions.put(id, s);
    bySeq.put(s.seq, s);
    return subscribed
        .completeOnTimeout(Done.getInstance(), timeoutMillis(), MILLISECONDS)
        .thenApply(d -> new Out(receipt(f), false));
  }

  private int prefetch(StompFrame f) {
    String p = f.header("prefetch-count"); // RabbitMQ's name
    if (p == null) p = f.header("activemq.prefetchSize"); // ActiveMQ's
    if (p == null) return shared.settings().prefetch();
    try {
      int n = Integer.parseInt(p.strip());
      if (n >= 1 && n <= StompSettings.MAX_PREFETCH) return n;
    } catch (NumberFormatException e) {
      // refused below
    }
    throw refused(
        "bad-frame", "prefetch-count must be 1 to " + StompSettings.MAX_PREFETCH + ", was " + p, f);
  }

  private CompletionStage<Out> unsubscribe(StompFrame f) {
    String id = required(f, "id");
    Subscription s = subscriptions.remove(id);
    if (s == null) throw refused("bad-frame", "no subscription with id '" + id + "'", f);
    bySeq.remove(s.seq);
    s.stop.shutdown();
    return done(new Out(receipt(f), false));
  }

  private CompletionStage<Out> settle(StompFrame f) {
    return settle(f, f.header("receipt") != null);
  }

  // answered: wait for the queue's answer (a receipt to send, or a COMMIT that must follow it)
  private CompletionStage<Out> settle(StompFrame f, boolean answered) {
    boolean ack = f.command().equals("ACK");
    String id = f.header("id"); // 1.2
    if (id == null) id = f.header("message-id"); // 1.0, 1.1
    if (id == null) throw refused("bad-frame", f.command() + " needs an id header", f);
    int dot = id.indexOf('.');
    int seq = dot > 0 ? subscriptionNumber(id.substring(0, dot)) : 0;
    if (seq <= 0) throw refused("bad-frame", "'" + id + "' is not the ack header of a MESSAGE", f);
    Subscription s = bySeq.get(seq);
    if (s == null) { // its subscription ended: the queue delivers the message again anyway
      shared.error("unknown-ack");
      return done(new Out(receipt(f), false));
    }
    if (s.mode.equals("auto"))
      throw refused("bad-frame", "subscription '" + s.id + "' acknowledges automatically", f);
    if (s.queue == null) return done(new Out(receipt(f), false)); // a topic's: nothing held
    List<String> receipts = s.through(id.substring(dot + 1));
    boolean requeue = !"false".equals(f.header("requeue"));
    Function<ActorRef<QueueEntity.Settled>, QueueEntity.Command> cmd =
        ack
            ? r -> new QueueEntity.Ack(receipts, r)
            : r -> new QueueEntity.Nack(receipts, requeue, Duration.ZERO, r);
    if (!answered) { // nothing waits for it: told, not asked (no ask per ack)
      shared.queues().tell(new ShardingEnvelope<>(s.queue, cmd.apply(shared.system().ignoreRef())));
      return done(Out.NOTHING);
    }
    return ask(s.queue, cmd).thenApply(settled -> new Out(receipt(f), false));
  }

  // The <n> of an ack header "<n>.<receipt>"; 0 if it is not a number.
  private static int subscriptionNumber(String s) {
    try {
      return Integer.parseInt(s);
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  // --- BEGIN, COMMIT, ABORT ---

  private CompletionStage<Out> begin(StompFrame f) {
    String tx = required(f, "transaction");
    if (transactions.containsKey(tx))
      throw refused("bad-frame", "transaction '" + tx + "' has already begun", f);
    transactions.put(tx, new ArrayList<>());
    return done(new Out(receipt(f), false));
  }

  private CompletionStage<Out> enlist(String tx, StompFrame f) {
    List<StompFrame> frames = transactions.get(tx);
    if (frames == null) throw refused("bad-frame", "no transaction '" + tx + "' has begun", f);
    if (frames.size() >= shared.settings().maxTransactionFrames())
      throw refused(
          "transaction-too-large",
          "a transaction holds at most " + shared.settings().maxTransactionFrames() + " frames",
          f);
    if (f.command().equals("SEND") && topic(f) == null)
      queue(f); // a bad destination is refused now, not at COMMIT
    frames.add(f);
    return done(new Out(receipt(f), false));
  }

  private CompletionStage<Out> commit(StompFrame f) {
    String tx = required(f, "transaction");
    List<StompFrame> frames = transactions.remove(tx);
    if (frames == null) throw refused("bad-frame", "no transaction '" + tx + "' has begun", f);
    Map<String, List<Envelope>> sends = new LinkedHashMap<>();
    List<Map.Entry<NodeTopic, Envelope>> broadcasts = new ArrayList<>();
    List<StompFrame> settles = new ArrayList<>();
    for (StompFrame x : frames) {
      NodeTopic topic = x.command().equals("SEND") ? topic(x) : null;
      if (!x.command().equals("SEND")) settles.add(x);
      else if (topic != null) broadcasts.add(Map.entry(topic, envelope(x)));
      else sends.computeIfAbsent(queue(x), q -> new ArrayList<>()).add(envelope(x));
    }
    List<CompletableFuture<?>> writes = new ArrayList<>();
    sends.forEach(
        (queue, envelopes) ->
            writes.add(
                this.<StatusReply<QueueEntity.EnqueuedBatch>>ask(
                        queue, r -> new QueueEntity.PublishBatch(envelopes, r))
                    .thenApply(
                        reply -> {
                          if (reply.isError())
                            throw refused("publish-refused", reply.getError().getMessage(), f);
                          return reply;
                        })
                    .toCompletableFuture()));
    CompletableFuture<Void> published =
        CompletableFuture.allOf(writes.toArray(new CompletableFuture<?>[0]));
    return published.thenCompose(
        x -> {
          // Topics after the queues: only once every queue of the transaction stored its messages.
          broadcasts.forEach(b -> b.getKey().publish(b.getValue()));
          List<CompletableFuture<?>> settled = new ArrayList<>();
          for (StompFrame s : settles) settled.add(settle(s, true).toCompletableFuture());
          return CompletableFuture.allOf(settled.toArray(new CompletableFuture<?>[0]))
              .thenApply(y -> new Out(receipt(f), false));
        });
  }

  private CompletionStage<Out> abort(StompFrame f) {
    String tx = required(f, "transaction");
    if (transactions.remove(tx) == null)
      throw refused("bad-frame", "no transaction '" + tx + "' has begun", f);
    return done(new Out(receipt(f), false));
  }

  // --- helpers ---

  // The declared topic a /topic/<name> destination names, or null for any other destination.
  private NodeTopic topic(StompFrame f) {
    String d = required(f, "destination");
    if (!d.startsWith("/topic/")) return null;
    NodeTopic topic = shared.topics().get(d.substring(7));
    if (topic == null)
      throw refused(
          "unknown-destination",
          "no topic '" + d.substring(7) + "' is declared in junction.topics",
          f);
    return topic;
  }

  private String queue(StompFrame f) {
    String d = required(f, "destination");
    String name =
        d.startsWith("/queue/")
            ? d.substring(7)
            : d.startsWith("/amq/queue/") ? d.substring(11) : null; // RabbitMQ clients' form
    if (name == null)
      throw refused(
          "unknown-destination",
          "destination '" + d + "' is not /queue/<name> or /topic/<name>",
          f);
    if (!Queues.NAME.matcher(name).matches())
      throw refused(
          "unknown-destination",
          "'" + name + "' is not a queue name (" + Queues.NAME.pattern() + ")",
          f);
    return name;
  }

  private static String required(StompFrame f, String header) {
    String v = f.header(header);
    if (v == null || v.isEmpty())
      throw refused("bad-frame", f.command() + " needs a " + header + " header", f);
    return v;
  }

  private boolean escapes() {
    return version != null && !version.equals("1.0");
  }

  private ByteString receipt(StompFrame f) {
    String r = f.header("receipt");
    if (r == null) return ByteString.emptyByteString();
    return new StompFrame.Writer("RECEIPT", escapes())
        .header("receipt-id", r)
        .body(ByteString.emptyByteString());
  }

  private static StompException refused(String reason, String detail, StompFrame f) {
    return new StompException(reason, detail, f.header("receipt"));
  }

  private static CompletionStage<Out> done(Out out) {
    return CompletableFuture.completedFuture(out);
  }

  private long timeoutMillis() {
    return shared.settings().requestTimeout().toMillis();
  }

  private <R> CompletableFuture<R> ask(
      String queue, Function<ActorRef<R>, QueueEntity.Command> cmd) {
    Duration timeout = shared.settings().requestTimeout();
    return Stages.on( // one hop to the dispatcher, not a thread per callback (see Stages)
            AskPattern.ask(
                shared.queues(),
                (ActorRef<R> replyTo) -> new ShardingEnvelope<>(queue, cmd.apply(replyTo)),
                timeout,
                shared.system().scheduler()),
            shared.system().executionContext())
        .exceptionally(
            e -> {
              Throwable cause = unwrap(e);
              if (cause instanceof TimeoutException)
                throw new StompException(
                    "queue-busy", "queue " + queue + " did not answer within " + timeout);
              throw cause instanceof RuntimeException r ? r : new CompletionException(cause);
            });
  }

  private static Throwable unwrap(Throwable e) {
    while (e instanceof CompletionException && e.getCause() != null) e = e.getCause();
    return e;
  }

  // The ERROR frame that ends the connection.
  private ByteString error(Throwable failure) {
    Throwable e = unwrap(failure);
    StompException s =
        e instanceof StompException x
            ? x
            : new StompException("internal-error", String.valueOf(e.getMessage()));
    shared.error(s.reason());
    StompFrame.Writer w =
        new StompFrame.Writer("ERROR", escapes())
            .header("message", s.reason())
            .header("content-type", "text/plain");
    if (s.receipt() != null) w.header("receipt-id", s.receipt());
    return w.body(ByteString.fromString(s.getMessage()));
  }

  /** The one frame a connection over the limit gets before it is closed. */
  static Source<ByteString, NotUsed> refusal(int max) {
    return Source.single(
        new StompFrame.Writer("ERROR", false)
            .header("message", "too-many-connections")
            .header("content-type", "text/plain")
            .body(
                ByteString.fromString("this node accepts at most " + max + " STOMP connections")));
  }
}
