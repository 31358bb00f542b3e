package io.junction.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Producers and consumers over Junction's WebSocket queue API ({@code --api ws}): {@code
 * ws://host:port/v1/queues/q/socket}, one JSON object per text frame. A producer is one thread and
 * one publish-only socket with {@code window} permits (one per unconfirmed message), as the fast
 * client and the RabbitMQ producer: it waits for its next message's turn and a permit, adds every
 * further message already due while permits last (never waiting to fill a batch), and sends them
 * in one tagged {@code {"publish":[...]}} frame without waiting for its answer. The socket's
 * listener counts them published and returns their permits when the {@code published} answer of
 * that tag arrives (sent once all are durable), so one connection carries up to {@code window}
 * unconfirmed messages in as many frames, as one AMQP channel does. (The node answers at most 64
 * frames at a time and reads no further meanwhile: a window above 64 only waits in TCP.)
 *
 * <p>A consumer opens {@code .../socket?prefetch=batch} (at most {@code batch} unacked, as the
 * fast client's stream and RabbitMQ's prefetch). The socket's listener records each delivery and
 * queues its receipt; the consumer's own thread sends the acks, as the fast client's ack
 * connection does, so the deliveries are never held up by an ack being written: one untagged
 * {@code {"ack":[...]}} frame with every receipt queued since the previous frame was written (one
 * per delivery while deliveries are sparse, more when they come faster than frames are written).
 * An untagged ack gets no answer, so it counts as acked once written, as RabbitMQ's basicAck does.
 */
final class JunctionSocketQueueLoad implements QueueLoad {
  private static final int MAX_PER_FRAME = 1000; // messages per publish frame, receipts per ack
  private static final long SEND_TIMEOUT_S = 30; // a frame not written by then: the node is stuck
  private static final long CLOSE_TIMEOUT_S = 5;
  // as MiniHttp.AUTH: a node listening beyond loopback requires a token
  private static final String TOKEN =
      System.getenv("JUNCTION_API_TOKEN") == null || System.getenv("JUNCTION_API_TOKEN").isBlank()
          ? null
          : System.getenv("JUNCTION_API_TOKEN").strip();

  private final JunctionQueueLoad classic;
  private final InetSocketAddress target;
  private final String queue;
  private final int batch;

  JunctionSocketQueueLoad(InetSocketAddress target, String queue, int batch) {
    this.classic = new JunctionQueueLoad(target, queue, batch);
    this.target = target;
    this.queue = queue;
    this.batch = batch;
  }

  @Override
  public void setUp() throws IOException {
    classic.setUp();
  }

  @Override
  public List<Runnable> producer(int id, int window, QueueRun run) {
    return List.of(() -> publishLoop(id, window, run));
  }

  private void publishLoop(int id, int window, QueueRun run) {
    Semaphore permits = new Semaphore(window);
    Confirms confirms = new Confirms(run, "producer " + id, permits);
    WebSocket ws = connect("", confirms);
    if (ws == null) return;
    int perFrame = Math.min(window, MAX_PER_FRAME);
    StringBuilder frame = new StringBuilder(perFrame * (run.size + 16) + 32);
    long tag = 0;
    try {
      while (run.producing && !confirms.closed.isDone()) {
        long seq = run.nextSeq(id);
        long stamp = run.awaitTurn(id, seq);
        if (stamp < 0 || !acquire(permits, run, confirms)) break;
        frame.setLength(0);
        frame.append("{\"publish\":[{\"payload\":\"");
        frame.append(ascii(run.payload(id, seq, stamp))).append("\"}");
        int n = 1;
        while (n < perFrame && permits.tryAcquire()) {
          long[] due = run.takeDue(id);
          if (due == null) {
            permits.release();
            break;
          }
          frame.append(",{\"payload\":\"").append(ascii(run.payload(id, due[0], due[1]))).append("\"}");
          n++;
        }
        frame.append("],\"tag\":").append(++tag).append('}');
        confirms.expect(tag, n); // before sending: the answer may come before sendText returns
        try {
          // one send at a time (the JDK refuses concurrent ones); the answer comes to the listener
          ws.sendText(frame.toString(), true).get(SEND_TIMEOUT_S, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
          run.error("producer " + id + ": publish: " + cause(e));
          confirms.forget(tag);
          break;
        }
      }
      // the last answers before the socket closes: what the node made durable counts as published
      if (!permits.tryAcquire(window, 10, TimeUnit.SECONDS))
        run.error("producer " + id + ": " + (window - permits.availablePermits())
            + " publishes unanswered 10 s after the end");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      close(ws, confirms);
    }
  }

  private static boolean acquire(Semaphore permits, QueueRun run, Frames socket)
      throws InterruptedException {
    while (!permits.tryAcquire(50, TimeUnit.MILLISECONDS))
      if (!run.producing || socket.closed.isDone()) return false;
    return true;
  }

  private static String ascii(byte[] payload) {
    return new String(payload, StandardCharsets.US_ASCII); // m:<p>:<seq>:<stamp>: padded with x
  }

  @Override
  public Runnable consumer(int id, QueueRun run) {
    return () -> consumeLoop(id, run);
  }

  private void consumeLoop(int id, QueueRun run) {
    LatencyHistogram histogram = run.newHistogram();
    BlockingQueue<String> toAck = new LinkedBlockingQueue<>();
    Deliveries deliveries = new Deliveries(run, "consumer " + id, histogram, toAck);
    WebSocket ws = connect("?prefetch=" + batch, deliveries);
    if (ws == null) return;
    List<String> receipts = new ArrayList<>(Math.min(batch, MAX_PER_FRAME));
    StringBuilder frame = new StringBuilder(64 * Math.min(batch, MAX_PER_FRAME));
    try {
      while (run.consuming && !deliveries.closed.isDone()) {
        String first = toAck.poll(50, TimeUnit.MILLISECONDS);
        if (first == null) continue;
        receipts.clear();
        receipts.add(first);
        toAck.drainTo(receipts, MAX_PER_FRAME - 1);
        frame.setLength(0);
        frame.append("{\"ack\":[");
        for (int i = 0; i < receipts.size(); i++)
          frame.append(i == 0 ? "\"" : ",\"").append(receipts.get(i)).append('"');
        frame.append("]}");
        ws.sendText(frame.toString(), true).get(SEND_TIMEOUT_S, TimeUnit.SECONDS);
        run.acked(receipts.size());
      }
    } catch (ExecutionException | TimeoutException e) {
      if (run.consuming) run.error("consumer " + id + ": ack: " + cause(e));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      deliveries.stop();
      close(ws, deliveries);
    }
  }

  /** Opens a socket on the queue, or reports why it could not and returns null. */
  private WebSocket connect(String query, Frames listener) {
    String host = target.getHostString();
    if (host.contains(":")) host = "[" + host + "]"; // an IPv6 literal
    URI uri =
        URI.create("ws://" + host + ":" + target.getPort() + "/v1/queues/" + queue + "/socket" + query);
    // A client per socket: each has its own selector thread, as each AMQP connection has its own
    // reader thread, so the producers and consumers of a load do not all share one.
    WebSocket.Builder builder =
        HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5));
    if (TOKEN != null) builder.header("Authorization", "Bearer " + TOKEN);
    CompletableFuture<WebSocket> opening = builder.buildAsync(uri, listener);
    try {
      return opening.get(10, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      opening.cancel(true); // a late handshake must not leave a socket open
      String why = cause(e);
      // e.g. 404: a node without the socket API
      if (e.getCause() instanceof WebSocketHandshakeException h)
        why += " (HTTP " + h.getResponse().statusCode() + ")";
      listener.run.error(listener.who + ": connect " + uri + ": " + why);
    } catch (InterruptedException e) {
      opening.cancel(true);
      Thread.currentThread().interrupt();
    }
    return null;
  }

  /** Closes the socket: a close frame, the node's close in reply (both bounded), then abort. */
  private static void close(WebSocket ws, Frames listener) {
    listener.closing = true;
    try {
      ws.sendClose(WebSocket.NORMAL_CLOSURE, "").get(CLOSE_TIMEOUT_S, TimeUnit.SECONDS);
      listener.closed.get(CLOSE_TIMEOUT_S, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      // closing anyway (the socket may have failed already: that was reported then)
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      ws.abort();
    }
  }

  private static String cause(Exception e) {
    return String.valueOf(e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e);
  }

  /** The first 200 characters of a frame, for an error message. */
  private static String head(String json) {
    return json.length() <= 200 ? json : json.substring(0, 200) + "...";
  }

  @Override
  public void tearDown() {
    classic.tearDown();
  }

  /**
   * A socket's listener: each whole frame (its parts joined) to {@link #frame}. The JDK calls a
   * listener's methods one at a time, each after the previous returned, so the parts need no lock.
   */
  private abstract static class Frames implements WebSocket.Listener {
    /** Completes when the socket closed or failed. */
    final CompletableFuture<Void> closed = new CompletableFuture<>();
    final QueueRun run;
    final String who; // "producer 3": for error messages
    /** Set before this side closes: the node's close in reply is no error. */
    volatile boolean closing;
    private final StringBuilder parts = new StringBuilder();

    Frames(QueueRun run, String who) {
      this.run = run;
      this.who = who;
    }

    abstract void frame(String json);

    /** The socket closed or failed, for {@code why}, unless {@link #closing}. */
    void ended(String why) {
      run.error(who + ": " + why);
    }

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      // data is only valid until this returns: a part is copied, a whole frame made a String
      if (!last) {
        parts.append(data);
      } else if (parts.length() == 0) {
        frame(data.toString());
      } else {
        String json = parts.append(data).toString();
        parts.setLength(0);
        frame(json);
      }
      ws.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
      run.error(who + ": unexpected binary frame of " + data.remaining() + " bytes");
      ws.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int status, String reason) {
      closed.complete(null);
      if (!closing) ended("socket closed by the node: " + status + " " + reason);
      return null; // the JDK then answers with a close frame of its own if this side sent none
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
      closed.complete(null);
      if (!closing) ended("socket: " + error);
    }
  }

  /** A producer socket's listener: settles each publish frame when the answer of its tag comes. */
  private static final class Confirms extends Frames {
    private final Semaphore permits;
    private final Map<Long, Integer> pending = new ConcurrentHashMap<>(); // tag -> messages

    Confirms(QueueRun run, String who, Semaphore permits) {
      super(run, who);
      this.permits = permits;
    }

    void expect(long tag, int n) {
      pending.put(tag, n);
    }

    /** A frame that has no answer coming: its permits back, nothing published. */
    void forget(long tag) {
      Integer n = pending.remove(tag);
      if (n != null) permits.release(n);
    }

    @Override
    void frame(String json) {
      long tag = tag(json);
      if (!json.contains("\"published\":")) {
        run.error(who + ": publish: " + head(json)); // publish-refused, or a frame the node found bad
        if (tag >= 0) forget(tag);
        return;
      }
      Integer n = pending.remove(tag);
      if (n == null) {
        run.error(who + ": publish answer of no frame sent: " + head(json));
        return;
      }
      int ids = count(json, "\"id\":");
      if (ids == n) run.published(n);
      else run.error(who + ": publish of " + n + " answered with " + ids + " ids: " + head(json));
      permits.release(n);
    }

    @Override
    void ended(String why) {
      super.ended(why);
      for (Long tag : pending.keySet()) forget(tag); // no answers will come: free the window
    }

    /** The number after {@code "tag":} (the tags sent are numbers), or -1. */
    private static long tag(String json) {
      int i = json.indexOf("\"tag\":");
      if (i < 0) return -1;
      i += 6;
      while (i < json.length() && (json.charAt(i) == ' ' || json.charAt(i) == '"')) i++;
      int from = i;
      long v = 0;
      for (; i < json.length() && json.charAt(i) >= '0' && json.charAt(i) <= '9'; i++)
        v = v * 10 + (json.charAt(i) - '0');
      return i > from ? v : -1;
    }

    private static int count(String s, String key) {
      int n = 0;
      for (int i = s.indexOf(key); i >= 0; i = s.indexOf(key, i + key.length())) n++;
      return n;
    }
  }

  /** A consumer socket's listener: records each delivery and queues its receipt for the acker. */
  private static final class Deliveries extends Frames {
    private final LatencyHistogram histogram;
    private final BlockingQueue<String> toAck;
    private boolean stopped; // guarded by this

    Deliveries(QueueRun run, String who, LatencyHistogram histogram, BlockingQueue<String> toAck) {
      super(run, who);
      this.histogram = histogram;
      this.toAck = toAck;
    }

    @Override
    synchronized void frame(String json) {
      if (stopped) return;
      if (!json.contains("\"delivery\":")) {
        run.error(who + ": " + head(json)); // an error frame: the node found an ack bad
        return;
      }
      long now = System.nanoTime();
      String receipt = JunctionQueueLoad.value(json, "\"receipt\":\"");
      if (receipt.isEmpty()) {
        run.error(who + ": delivery without a receipt: " + head(json));
        return;
      }
      run.received(JunctionQueueLoad.value(json, "\"payload\":\""), histogram, now);
      toAck.add(receipt);
    }

    /**
     * No delivery is recorded once this returns, so the histogram is complete when the consumer's
     * thread ends (QueueBench merges it after joining that thread).
     */
    synchronized void stop() {
      stopped = true;
    }

    @Override
    void ended(String why) {
      if (run.consuming) super.ended(why);
    }
  }
}
