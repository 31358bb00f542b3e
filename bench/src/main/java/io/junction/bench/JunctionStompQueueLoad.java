package io.junction.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Producers and consumers over Junction's STOMP listener ({@code --api stomp}): STOMP 1.2 on the
 * node's STOMP port, one TCP connection per producer and per consumer, each with a reader thread,
 * as each AMQP connection of the RabbitMQ client has one. The queue is created (and purged at the
 * end) through the HTTP API on {@code --target}, as by the other Junction clients.
 *
 * <p>A producer is one thread writing {@code SEND} frames to {@code /queue/<name>}, each with a
 * {@code receipt} header: the node answers {@code RECEIPT} once that message is durable, in the
 * order the SENDs came, which is this client's publisher confirm. The producer holds {@code window}
 * permits (one per SEND without its RECEIPT), as the RabbitMQ producer and the other Junction
 * clients: it waits for its next message's turn and a permit, adds every further message already
 * due while permits last (never waiting to fill a batch) and writes them in one socket write. The
 * connection's reader counts each RECEIPT published and returns its permit. (The node handles at
 * most 64 frames of a connection at a time and reads no further meanwhile: a window above 64 only
 * waits in TCP.)
 *
 * <p>A consumer subscribes with {@code ack:client-individual} and {@code prefetch-count:batch} (at
 * most {@code batch} unacked, as RabbitMQ's prefetch). The connection's reader records each
 * {@code MESSAGE} and queues its {@code ack} header; the consumer's own thread writes the {@code
 * ACK} frames, as the RabbitMQ client acks off its reader thread, so deliveries are never held up by
 * an ack being written: every ACK queued since the previous write goes in one socket write (one per
 * delivery while deliveries are sparse, more when they come faster). An ACK without a receipt gets
 * no answer, so it counts as acked once written, as RabbitMQ's basicAck does.
 */
final class JunctionStompQueueLoad implements QueueLoad {
  private static final int MAX_PER_WRITE = 1000; // SEND frames per write, ACK frames per write
  private static final int CONNECT_TIMEOUT_MS = 5_000;
  private static final int HANDSHAKE_TIMEOUT_MS = 10_000;
  private static final long CLOSE_TIMEOUT_S = 5;
  private static final byte[] NO_BODY = new byte[0];
  // as MiniHttp.AUTH: a node whose STOMP listener is beyond loopback requires a passcode (a token)
  private static final String TOKEN =
      System.getenv("JUNCTION_API_TOKEN") == null || System.getenv("JUNCTION_API_TOKEN").isBlank()
          ? null
          : System.getenv("JUNCTION_API_TOKEN").strip();

  private final JunctionQueueLoad classic;
  private final InetSocketAddress stomp;
  private final String destination;
  private final int batch;

  JunctionStompQueueLoad(InetSocketAddress target, InetSocketAddress stomp, String queue, int batch) {
    this.classic = new JunctionQueueLoad(target, queue, batch);
    this.stomp = stomp;
    this.destination = "/queue/" + queue;
    this.batch = batch;
  }

  @Override
  public void setUp() throws IOException {
    classic.setUp();
  }

  @Override
  public void tearDown() {
    classic.tearDown();
  }

  // --- producers ---

  @Override
  public List<Runnable> producer(int id, int window, QueueRun run) {
    return List.of(() -> publishLoop(id, window, run));
  }

  private void publishLoop(int id, int window, QueueRun run) {
    Semaphore permits = new Semaphore(window);
    Receipts receipts = new Receipts(run, "stomp producer " + id, permits, window);
    Connection c = Connection.open(stomp, receipts);
    if (c == null) return;
    byte[] head = ("SEND\ndestination:" + destination + "\nreceipt:").getBytes(StandardCharsets.US_ASCII);
    byte[] length = ("\ncontent-length:" + run.size + "\n\n").getBytes(StandardCharsets.US_ASCII);
    Bytes out = new Bytes(Math.min(window, MAX_PER_WRITE) * (run.size + head.length + length.length + 24));
    long receipt = 0; // the receipt of the last SEND written: 1, 2, ... on this connection
    try {
      while (run.producing && !receipts.ended) {
        long seq = run.nextSeq(id);
        long stamp = run.awaitTurn(id, seq);
        if (stamp < 0 || !acquire(permits, run, receipts)) break;
        out.clear();
        out.put(head).putLong(++receipt).put(length).put(run.payload(id, seq, stamp)).put((byte) 0);
        int n = 1;
        while (n < MAX_PER_WRITE && permits.tryAcquire()) {
          long[] due = run.takeDue(id);
          if (due == null) {
            permits.release();
            break;
          }
          out.put(head).putLong(++receipt).put(length).put(run.payload(id, due[0], due[1])).put((byte) 0);
          n++;
        }
        receipts.sent(receipt); // before writing: the RECEIPTs may come before write returns
        try {
          c.write(out);
        } catch (IOException e) {
          if (!receipts.ended) run.error("stomp producer " + id + ": send: " + e);
          break;
        }
      }
      // the last receipts before the connection closes: what the node made durable counts
      if (!receipts.ended && !permits.tryAcquire(window, 10, TimeUnit.SECONDS) && !receipts.ended)
        run.error("stomp producer " + id + ": " + (window - permits.availablePermits())
            + " SENDs without RECEIPT 10 s after the end");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      c.disconnect();
    }
  }

  private static boolean acquire(Semaphore permits, QueueRun run, Frames connection)
      throws InterruptedException {
    while (!permits.tryAcquire(50, TimeUnit.MILLISECONDS))
      if (!run.producing || connection.ended) return false;
    return true;
  }

  /** A producer connection's reader: each RECEIPT (in SEND order) counts one message published. */
  private static final class Receipts extends Frames {
    private final Semaphore permits;
    private final int window;
    private volatile long sent; // receipt id of the last SEND written
    private long answered; // receipt id of the last RECEIPT read (reader thread only)
    private int settled; // RECEIPTs read but not yet counted (reader thread only)

    Receipts(QueueRun run, String who, Semaphore permits, int window) {
      super(run, who);
      this.permits = permits;
      this.window = window;
    }

    void sent(long receipt) {
      sent = receipt;
    }

    @Override
    void frame(Frame f) {
      if (!f.command.equals("RECEIPT")) {
        unexpected(f);
        return;
      }
      if (DISCONNECT_RECEIPT.equals(f.receiptId)) return;
      long expected = answered + 1;
      long r;
      try {
        r = f.receiptId == null ? -1 : Long.parseLong(f.receiptId);
      } catch (NumberFormatException e) {
        r = -1;
      }
      if (r != expected) {
        // the node answers SENDs in order: anything else is a protocol fault worth seeing
        run.error(who + ": RECEIPT " + f.receiptId + " where " + expected + " was due (sent up to " + sent + ")");
        if (r <= answered || r > sent) return; // a repeat, or of no SEND: not counted
      }
      settled += (int) (r - answered);
      answered = r;
    }

    @Override
    void drained() {
      // counted per read, not per frame: one call for all the RECEIPTs that came together
      if (settled == 0) return;
      run.published(settled);
      permits.release(settled);
      settled = 0;
    }

    @Override
    void ended() {
      super.ended();
      permits.release(window); // nothing more will be answered: let the producer's thread stop
    }
  }

  // --- consumers ---

  @Override
  public Runnable consumer(int id, QueueRun run) {
    return () -> consumeLoop(id, run);
  }

  private void consumeLoop(int id, QueueRun run) {
    LatencyHistogram histogram = run.newHistogram();
    BlockingQueue<String> toAck = new LinkedBlockingQueue<>();
    Deliveries deliveries = new Deliveries(run, "stomp consumer " + id, histogram, toAck);
    Connection c = Connection.open(stomp, deliveries);
    if (c == null) return;
    List<String> acks = new ArrayList<>(Math.min(batch, MAX_PER_WRITE));
    byte[] ackHead = "ACK\nid:".getBytes(StandardCharsets.US_ASCII);
    Bytes out = new Bytes(64 * Math.min(batch, MAX_PER_WRITE));
    try {
      out.clear();
      out.ascii("SUBSCRIBE\nid:0\ndestination:" + destination
          + "\nack:client-individual\nprefetch-count:" + batch + "\n\n").put((byte) 0);
      c.write(out);
      while (run.consuming && !deliveries.ended) {
        String first = toAck.poll(50, TimeUnit.MILLISECONDS);
        if (first == null) continue;
        acks.clear();
        acks.add(first);
        toAck.drainTo(acks, MAX_PER_WRITE - 1);
        out.clear();
        for (String ack : acks) out.put(ackHead).ascii(ack).put((byte) '\n').put((byte) '\n').put((byte) 0);
        c.write(out);
        run.acked(acks.size());
      }
    } catch (IOException e) {
      if (run.consuming && !deliveries.ended) run.error("stomp consumer " + id + ": write: " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      deliveries.stop();
      c.disconnect(); // what was not acked goes back to the queue (purged by tearDown)
    }
  }

  /** A consumer connection's reader: records each MESSAGE and queues its ack for the writer. */
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
    synchronized void frame(Frame f) {
      if (stopped) return;
      if (!f.command.equals("MESSAGE")) {
        if (!(f.command.equals("RECEIPT") && DISCONNECT_RECEIPT.equals(f.receiptId))) unexpected(f);
        return;
      }
      long now = System.nanoTime();
      if (f.ack == null) {
        run.error(who + ": MESSAGE without an ack header");
        return;
      }
      if (f.bodyLength != run.size) {
        run.error(who + ": MESSAGE of " + f.bodyLength + " bytes, " + run.size + " were sent");
        return;
      }
      // m:<producer>:<seq>:<stamp>: padded with x; its head is within the first 64 bytes
      run.received(new String(f.buf, f.bodyOffset, Math.min(64, f.bodyLength), StandardCharsets.US_ASCII), histogram, now);
      toAck.add(f.ack);
    }

    /**
     * No delivery is recorded once this returns, so the histogram is complete when the consumer's
     * thread ends (QueueBench merges it after joining that thread).
     */
    synchronized void stop() {
      stopped = true;
    }

    @Override
    void ended() {
      if (run.consuming) super.ended();
    }
  }

  // --- the connection ---

  static final String DISCONNECT_RECEIPT = "disconnect";

  /** One frame as read; its fields are valid only during {@link Frames#frame}. */
  static final class Frame {
    String command;
    String ack; // MESSAGE's ack header, raw (escaped as sent: the node unescapes what comes back)
    String receiptId; // RECEIPT's and ERROR's receipt-id
    String message; // ERROR's message header
    byte[] buf;
    int bodyOffset;
    int bodyLength;

    String body() {
      return new String(buf, bodyOffset, Math.min(bodyLength, 500), StandardCharsets.UTF_8);
    }
  }

  /** What a connection's reader thread does with the frames it reads. */
  private abstract static class Frames {
    final QueueRun run;
    final String who; // "stomp producer 3": for error messages
    /** Set once the connection ended (the node closed it, or an ERROR or IO failure). */
    volatile boolean ended;
    /** Set before this side closes: the connection's end is no error then. */
    volatile boolean closing;
    private volatile String failure; // why it ended, if not by this side's closing

    Frames(QueueRun run, String who) {
      this.run = run;
      this.who = who;
    }

    /** A whole frame; called on the reader thread. */
    abstract void frame(Frame f);

    /** Every complete frame read so far was handed to {@link #frame}; the reader reads again. */
    void drained() {}

    void unexpected(Frame f) {
      if (f.command.equals("ERROR")) {
        failure = "ERROR " + f.message + (f.receiptId == null ? "" : " (receipt " + f.receiptId + ")")
            + ": " + f.body();
        run.error(who + ": " + failure);
      } else {
        run.error(who + ": unexpected " + f.command + " frame");
      }
    }

    void failed(String why) {
      if (failure == null) failure = why;
    }

    /** The connection ended; reports why unless this side closed it or an ERROR said already. */
    void ended() {
      String why = failure;
      if (!closing && (why == null || !why.startsWith("ERROR ")))
        run.error(who + ": " + (why == null ? "connection closed by the node" : why));
    }
  }

  /** One STOMP connection: blocking writes from the caller, a daemon thread reading frames. */
  private static final class Connection {
    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;
    private final Frames frames;
    private final CountDownLatch readerDone = new CountDownLatch(1);
    private byte[] buf = new byte[64 * 1024];
    private int start, end; // the unparsed bytes: buf[start, end)
    private final Frame frame = new Frame();

    private Connection(Socket socket, Frames frames) throws IOException {
      this.socket = socket;
      this.out = socket.getOutputStream();
      this.in = socket.getInputStream();
      this.frames = frames;
    }

    /** Connects and sends CONNECT; null (reported) when the node refuses or does not answer. */
    static Connection open(InetSocketAddress address, Frames frames) {
      Socket s = new Socket();
      try {
        s.setTcpNoDelay(true); // every write is a batch of whole frames already
        s.connect(address, CONNECT_TIMEOUT_MS);
        Connection c = new Connection(s, frames);
        c.handshake();
        Thread reader = new Thread(c::readLoop, frames.who.replace(' ', '-') + "-reader");
        reader.setDaemon(true);
        reader.start();
        return c;
      } catch (IOException e) {
        frames.run.error(frames.who + ": connect " + address + ": " + e);
        try {
          s.close();
        } catch (IOException x) {
          // closing anyway
        }
        return null;
      }
    }

    private void handshake() throws IOException {
      Bytes connect = new Bytes(256);
      connect.ascii("CONNECT\naccept-version:1.2\nhost:" + socket.getInetAddress().getHostAddress() + "\n");
      if (TOKEN != null) connect.ascii("login:bench\npasscode:" + TOKEN + "\n"); // CONNECT's headers are never escaped
      connect.ascii("heart-beat:0,0\n\n").put((byte) 0);
      write(connect);
      socket.setSoTimeout(HANDSHAKE_TIMEOUT_MS);
      try {
        if (!nextFrame()) throw new IOException("closed before CONNECTED");
      } finally {
        socket.setSoTimeout(0);
      }
      if (!frame.command.equals("CONNECTED"))
        throw new IOException(frame.command + " " + frame.message + ": " + frame.body());
    }

    synchronized void write(Bytes b) throws IOException {
      out.write(b.array, 0, b.size);
    }

    /** Ends the connection: DISCONNECT, the node's RECEIPT and close (bounded), then close. */
    void disconnect() {
      frames.closing = true;
      try {
        if (!frames.ended) {
          Bytes b = new Bytes(64);
          b.ascii("DISCONNECT\nreceipt:" + DISCONNECT_RECEIPT + "\n\n").put((byte) 0);
          write(b);
          readerDone.await(CLOSE_TIMEOUT_S, TimeUnit.SECONDS); // the node closes after its RECEIPT
        }
      } catch (IOException e) {
        // closing anyway
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        try {
          socket.close();
        } catch (IOException e) {
          // closed anyway
        }
      }
    }

    private void readLoop() {
      try {
        while (true) {
          while (parse()) frames.frame(frame);
          frames.drained();
          if (!fill()) break;
        }
      } catch (IOException e) {
        if (!frames.closing) frames.failed("read: " + e);
      } catch (RuntimeException e) {
        frames.failed("reader: " + e);
      } finally {
        frames.drained(); // what was read before a failure still counts
        frames.ended = true;
        frames.ended();
        readerDone.countDown();
      }
    }

    /** Reads one frame into {@link #frame}, blocking; false at the end of the stream. */
    private boolean nextFrame() throws IOException {
      while (!parse()) if (!fill()) return false;
      return true;
    }

    /** Reads more bytes (making room first); false at the end of the stream. */
    private boolean fill() throws IOException {
      if (start == end) {
        start = end = 0;
      } else if (start > 0 && buf.length - end < 16 * 1024) { // room for a read of some size
        System.arraycopy(buf, start, buf, 0, end - start);
        end -= start;
        start = 0;
      }
      if (end == buf.length) buf = Arrays.copyOf(buf, buf.length * 2); // one frame larger than buf
      int n = in.read(buf, end, buf.length - end);
      if (n < 0) return false;
      end += n;
      return true;
    }

    /**
     * Parses the next whole frame in {@code buf[start, end)} into {@link #frame} and moves {@code
     * start} past it; false (nothing consumed but heart-beats) when the frame has not all arrived.
     */
    private boolean parse() throws IOException {
      int p = start;
      while (p < end && (buf[p] == '\n' || buf[p] == '\r')) p++; // heart-beats
      start = p;
      int lineEnd = indexOf((byte) '\n', p);
      if (lineEnd < 0) return false;
      Frame f = frame;
      f.command = ascii(p, trimCr(p, lineEnd));
      f.ack = f.receiptId = f.message = null;
      long length = -1;
      p = lineEnd + 1;
      while (true) { // header lines up to the blank one
        lineEnd = indexOf((byte) '\n', p);
        if (lineEnd < 0) return false;
        int to = trimCr(p, lineEnd);
        if (to == p) break;
        int colon = indexOf((byte) ':', p, to);
        if (colon < 0) throw new IOException("header line without a colon: " + ascii(p, to));
        // the first of a repeated header wins
        if (is("ack", p, colon)) {
          if (f.ack == null) f.ack = ascii(colon + 1, to);
        } else if (is("content-length", p, colon)) {
          if (length < 0) length = Long.parseLong(ascii(colon + 1, to).strip());
        } else if (is("receipt-id", p, colon)) {
          if (f.receiptId == null) f.receiptId = unescape(ascii(colon + 1, to));
        } else if (is("message", p, colon)) {
          if (f.message == null) f.message = unescape(ascii(colon + 1, to));
        }
        p = lineEnd + 1;
      }
      int bodyStart = lineEnd + 1;
      int nul;
      if (length >= 0) {
        if (length > Integer.MAX_VALUE - 16) throw new IOException("content-length " + length);
        if (end - bodyStart < length + 1) {
          ensureRoom(bodyStart + (int) length + 1);
          return false;
        }
        nul = bodyStart + (int) length;
        if (buf[nul] != 0) throw new IOException(f.command + " body not followed by NUL");
      } else {
        nul = indexOf((byte) 0, bodyStart);
        if (nul < 0) return false;
      }
      f.buf = buf;
      f.bodyOffset = bodyStart;
      f.bodyLength = nul - bodyStart;
      start = nul + 1;
      return true;
    }

    // A frame that cannot fit the buffer from start: grow it before the next read.
    private void ensureRoom(int frameEnd) {
      int need = frameEnd - start;
      if (need > buf.length) {
        byte[] b = new byte[Integer.highestOneBit(need) << 1];
        System.arraycopy(buf, start, b, 0, end - start);
        end -= start;
        start = 0;
        buf = b;
      }
    }

    private int indexOf(byte b, int from) {
      return indexOf(b, from, end);
    }

    private int indexOf(byte b, int from, int to) {
      for (int i = from; i < to; i++) if (buf[i] == b) return i;
      return -1;
    }

    private int trimCr(int from, int lineEnd) {
      return lineEnd > from && buf[lineEnd - 1] == '\r' ? lineEnd - 1 : lineEnd;
    }

    private boolean is(String name, int from, int to) {
      if (to - from != name.length()) return false;
      for (int i = 0; i < name.length(); i++) if (buf[from + i] != name.charAt(i)) return false;
      return true;
    }

    // byte for byte (Latin-1): an ack header written back by Bytes.ascii is the bytes read
    private String ascii(int from, int to) {
      return new String(buf, from, to - from, StandardCharsets.ISO_8859_1);
    }
  }

  private static String unescape(String s) {
    if (s.indexOf('\\') < 0) return s;
    return s.replace("\\c", ":").replace("\\n", "\n").replace("\\r", "\r").replace("\\\\", "\\");
  }

  /** A growable byte buffer for one socket write. */
  private static final class Bytes {
    byte[] array;
    int size;

    Bytes(int capacity) {
      array = new byte[Math.max(64, capacity)];
    }

    void clear() {
      size = 0;
    }

    private void room(int n) {
      if (size + n > array.length) array = Arrays.copyOf(array, Math.max(array.length * 2, size + n));
    }

    Bytes put(byte b) {
      room(1);
      array[size++] = b;
      return this;
    }

    Bytes put(byte[] b) {
      room(b.length);
      System.arraycopy(b, 0, array, size, b.length);
      size += b.length;
      return this;
    }

    Bytes putLong(long v) {
      if (v == 0) return put((byte) '0');
      int digits = 0;
      for (long x = v; x > 0; x /= 10) digits++;
      room(digits);
      for (int i = size + digits - 1; i >= size; i--, v /= 10) array[i] = (byte) ('0' + v % 10);
      size += digits;
      return this;
    }

    /** Text of chars below 256, byte for byte (queue names, numbers, ack ids as read). */
    Bytes ascii(String s) {
      room(s.length());
      for (int i = 0; i < s.length(); i++) array[size++] = (byte) s.charAt(i);
      return this;
    }
  }
}
