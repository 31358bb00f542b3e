package io.junction.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.junction.ftp.DemoFtpServer;
import io.junction.testing.ChildNode;
import io.junction.testing.QueueClient;
import io.junction.testing.UdpPeer;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The soak: one node (a child JVM, so its threads and file descriptors are its own) takes TCP, UDP
 * and HTTP traffic into a durable queue that a route empties into FTP files on a server in this
 * JVM, while random fault rules with expiries come and go on the TCP endpoint and the FTP
 * destination. At the end every message is accounted for by id, and the node holds no more
 * connections, threads, file descriptors or heap than before the traffic.
 *
 * <p>{@code -Djunction.soak.seconds=N} sets the traffic phase (default 240: CI runs this once, in
 * about five minutes with the drain and the checks).
 */
@Tag("resilience")
@Tag("soak")
class MixedTrafficSoakTest {
  private static final int SECONDS = Integer.getInteger("junction.soak.seconds", 240);
  private static final int TCP_CLIENTS = 3;
  private static final int HTTP_PUBLISHERS = 2;
  private static final int LINES_PER_BATCH = 50;
  private static final int BATCHES_PER_CONNECTION = 6;
  // all sources together: well under what the FTP leg drains on a busy 2-core machine (one
  // upload of at most 32 records at a time, a few hundred records a second)
  private static final int RATE_PER_SECOND = 300;
  private static final int THREAD_TOLERANCE = 20;
  private static final int FD_TOLERANCE = 20;
  private static final long HEAP_GROWTH_LIMIT = 32L << 20;

  @TempDir Path tmp;

  private String config(int ftpPort, Path password) {
    return """
        junction {
          data-dir = "%s"
          http.port = 0
          faults.enabled = on
          queues.work { max-deliveries = 20, ack-timeout = 2m }
          endpoints {
            tcp-in { kind = tcp-server, port = 0, codec = text, framing { kind = delimiter },
                     on-handler-failure = restart }
            udp-in { kind = udp, port = 0 }
            archive {
              kind = ftp, protocol = ftp, host = "127.0.0.1", port = %d, username = soak
              password-file = "%s"
              directory = out, file-name = "{endpoint}-{seq}.txt", record-encoding = raw
              # a queue route holds at most 32 (its prefetch) unacknowledged: a bigger batch
              # would only ever be closed by max-wait
              batch { max-records = 32, max-wait = 200ms }
              retry { min-backoff = 100ms, max-backoff = 1s }
            }
          }
          routes {
            tcp { from = tcp-in, to = [reply, "queue:work"] }
            udp { from = udp-in, to = [reply, "queue:work"] }
            archive { from = "queue:work", to = "ftp:archive" }
          }
        }
        """
        .formatted(
            tmp.resolve("data").toString().replace("\\", "/"),
            ftpPort,
            password.toString().replace("\\", "/"));
  }

  @Test
  void mixedTrafficUnderRandomFaultsIsFullyAccountedAndLeaksNothing() {
    // bounded by the chosen duration plus the warm-up, drain and checks (an annotation's
    // timeout must be a constant)
    assertTimeoutPreemptively(Duration.ofSeconds(SECONDS + 600L), this::soak);
  }

  private void soak() throws Exception {
    Path home = tmp.resolve("ftp");
    DemoFtpServer ftp =
        DemoFtpServer.start(
            new DemoFtpServer.Settings(true, "127.0.0.1", 0, "soak", "soak-secret", home));
    Path password = tmp.resolve("ftp.password");
    Files.writeString(password, "soak-secret\n");
    // two threads: the token refill must not wait behind a chaos tick's HTTP calls
    ScheduledExecutorService ticks = Executors.newScheduledThreadPool(2);
    List<String> report = new ArrayList<>();
    try (ChildNode node = ChildNode.start(tmp, config(ftp.port(), password))) {
      int http = node.port("http", 120);
      int tcpPort = node.port("tcp-in", 60);
      int udpPort = node.port("udp-in", 60);
      QueueClient queues = new QueueClient(http);
      FaultApi faults = new FaultApi(http);
      Ledger ledger = new Ledger();

      // Warm up every path once, drain, and take the baseline of a quiet node.
      long end0 = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      Semaphore unlimited = new Semaphore(Integer.MAX_VALUE);
      new TcpClient(0, tcpPort, ledger, unlimited, end0, 1).run();
      new UdpClient(udpPort, ledger, 100).run();
      new HttpPublisher(0, queues, ledger, unlimited, end0, 50).run();
      awaitDrained(node, queues);
      Snapshot before = Snapshot.of(node, http);
      report.add("baseline (after GC): " + before);

      // The traffic phase, paced by a token bucket the scheduler refills every 10 ms.
      Semaphore tokens = new Semaphore(0);
      ticks.scheduleAtFixedRate(
          () -> {
            if (tokens.availablePermits() < RATE_PER_SECOND) tokens.release(RATE_PER_SECOND / 100);
          },
          10,
          10,
          TimeUnit.MILLISECONDS);
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(SECONDS);
      List<Thread> threads = new ArrayList<>();
      for (int c = 1; c <= TCP_CLIENTS; c++) {
        TcpClient client = new TcpClient(c, tcpPort, ledger, tokens, end, Integer.MAX_VALUE);
        threads.add(new Thread(client::runUnchecked, "tcp-client-" + c));
      }
      for (int p = 1; p <= HTTP_PUBLISHERS; p++) {
        HttpPublisher pub = new HttpPublisher(p, queues, ledger, tokens, end, Integer.MAX_VALUE);
        threads.add(new Thread(pub::runUnchecked, "http-publisher-" + p));
      }
      UdpClient udp = new UdpClient(udpPort, ledger, Integer.MAX_VALUE);
      threads.add(new Thread(() -> udp.runUntil(tokens, end), "udp-client"));
      long udpKernelDropsBefore = udpRcvbufErrors();
      HeapSampler heap = new HeapSampler(faults);
      ticks.scheduleAtFixedRate(heap::sample, 0, 5, TimeUnit.SECONDS);
      threads.forEach(Thread::start);
      // Faults for the first 80% of the phase, then a calm tail (at least 6 s, longer than any
      // rule lives) so every rule has expired before the clients' last batches settle.
      long calm = Math.min(SECONDS * 8L / 10, SECONDS - 6L);
      FaultChaos chaos =
          new FaultChaos(
              faults,
              new Random(20261126),
              System.nanoTime() + TimeUnit.SECONDS.toNanos(calm),
              ledger);
      ticks.scheduleWithFixedDelay(chaos::tick, 500, 1000, TimeUnit.MILLISECONDS);
      for (Thread t : threads) {
        t.join(TimeUnit.SECONDS.toMillis(SECONDS + 120));
        assertTrue(!t.isAlive(), t.getName() + " finished");
      }
      assertEquals(List.of(), ledger.errors, "client errors");
      awaitDrained(node, queues);
      long udpKernelDrops = udpRcvbufErrors() - udpKernelDropsBefore;
      report.add("rules added: " + new java.util.TreeMap<>(chaos.added));
      report.add("heap used (sampled every 5 s): max " + heap.max.get() / (1 << 20) + " MiB");

      account(ledger, queues, faults, home, udpKernelDrops, report);

      Snapshot after = Snapshot.awaitSettled(node, http, before);
      report.add("after drain (after GC): " + after);
      assertEquals(0, after.connections, "no TCP connection left open");
      assertTrue(after.threads <= before.threads + THREAD_TOLERANCE, "threads: " + after);
      assertTrue(after.fds <= before.fds + FD_TOLERANCE, "file descriptors: " + after);
      assertTrue(after.heap <= before.heap + HEAP_GROWTH_LIMIT, "heap after GC: " + after);
      assertEquals(0, ftpParts(home).size(), "no upload left a part file: " + ftpParts(home));
    } finally {
      ticks.shutdownNow();
      ftp.stop();
      report.forEach(l -> System.out.println("soak: " + l));
    }
  }

  /** Every id, by source, against what reached the FTP files (and dead letters). */
  private static void account(
      Ledger ledger,
      QueueClient queues,
      FaultApi faults,
      Path home,
      long udpKernelDrops,
      List<String> report)
      throws Exception {
    Map<String, Integer> copies = new HashMap<>();
    int files = 0;
    try (Stream<Path> list = Files.list(home.resolve("out"))) {
      for (Path f : list.filter(p -> !p.getFileName().toString().startsWith(".")).toList()) {
        files++;
        String text = Files.readString(f, StandardCharsets.UTF_8).strip();
        assertTrue(text.endsWith("|"), f + " ends with a whole record");
        for (String id : text.split("\\|")) copies.merge(id.strip(), 1, Integer::sum);
      }
    }
    List<String> dead = queues.deadLetters("work");
    for (String d : dead) copies.merge(d.replace("|", "").strip(), 1, Integer::sum);
    assertTrue(dead.size() < 100, "every dead letter was read");
    for (String id : copies.keySet())
      assertTrue(ledger.sent.contains(id), "delivered but never sent: " + id);

    // TCP: each handled frame was answered and queued once; a frame the rules dropped or threw
    // away was neither; a duplicated one was answered and queued twice.
    String metrics = faults.http().get("/metrics", null).body();
    long dropped = (long) sum(metrics, "junction_faults_injected_total", "kind=\"drop\"");
    long thrown = (long) sum(metrics, "junction_faults_injected_total", "kind=\"throw\"");
    long duplicated = (long) sum(metrics, "junction_faults_injected_total", "kind=\"duplicate\"");
    long lost = 0;
    long extraCopies = 0;
    long tcpSent = 0;
    for (String id : ledger.sent) {
      if (!id.startsWith("T")) continue;
      tcpSent++;
      int answers = ledger.answers.getOrDefault(id, 0);
      int c = copies.getOrDefault(id, 0);
      if (c == 0) lost++;
      extraCopies += Math.max(0, c - 1);
      // a duplicate's second answer can come after the client closed the connection (when the
      // duplicated line was the connection's last): so answers may be fewer than copies, never more
      assertTrue(
          answers <= c && (answers == 0) == (c == 0),
          id + ": " + answers + " answers, " + c + " copies");
    }
    assertEquals(
        dropped + thrown, lost, "TCP lines neither answered nor archived = drop + throw hits");
    assertEquals(duplicated, extraCopies, "TCP lines archived twice = duplicate hits");

    // UDP: what the node received went to the files once; the rest the kernel counted.
    long udpSent = 0;
    long udpArchived = 0;
    for (String id : ledger.sent) {
      if (!id.startsWith("U")) continue;
      udpSent++;
      int c = copies.getOrDefault(id, 0);
      assertTrue(c <= 1, id + " archived " + c + " times");
      if (ledger.answers.containsKey(id)) assertEquals(1, c, id + " answered, so received");
      udpArchived += c;
    }
    long udpReceived =
        (long) sum(metrics, "junction_frames_in_total", "endpoint=\"udp-in\"") - ledger.udpWarmup;
    assertEquals(udpReceived, udpArchived, "every datagram received was archived");
    assertTrue(
        udpSent - udpArchived <= udpKernelDrops,
        (udpSent - udpArchived) + " datagrams lost, kernel counted " + udpKernelDrops);

    // HTTP: a 201 is in the files exactly once; a refusal was reported to the publisher.
    long httpAcked = 0;
    long httpRefused = 0;
    for (String id : ledger.sent) {
      if (!id.startsWith("H")) continue;
      int c = copies.getOrDefault(id, 0);
      if (ledger.answers.containsKey(id)) {
        httpAcked++;
        assertEquals(1, c, id + " acknowledged (201), archived once");
      } else {
        httpRefused++;
        assertTrue(c <= 1, id + " refused, archived " + c + " times");
      }
    }
    report.add(
        "TCP: %d sent, %d neither answered nor archived (= %d drop + %d throw hits), %d archived twice (= duplicate hits)"
            .formatted(tcpSent, lost, dropped, thrown, extraCopies));
    report.add(
        "UDP: %d sent, %d archived, %d not received (kernel receive-buffer drops in the period: %d)"
            .formatted(udpSent, udpArchived, udpSent - udpArchived, udpKernelDrops));
    report.add("HTTP: %d acknowledged, %d refused".formatted(httpAcked, httpRefused));
    report.add(
        "FTP: %d files, %d records; dead letters: %d".formatted(files, sumOf(copies), dead.size()));
  }

  private static int sumOf(Map<String, Integer> m) {
    return m.values().stream().mapToInt(Integer::intValue).sum();
  }

  private static void awaitDrained(ChildNode node, QueueClient queues) throws Exception {
    node.await(
        180,
        () -> {
          JsonNode s = queues.stats("work");
          assertEquals(0, s.get("depth").asInt() + s.get("in_flight").asInt(), s.toString());
        });
  }

  private static List<Path> ftpParts(Path home) throws IOException {
    try (Stream<Path> list = Files.list(home.resolve("out"))) {
      return list.filter(p -> p.getFileName().toString().startsWith(".")).toList();
    }
  }

  /** The sum of a Prometheus metric's samples whose labels contain {@code label}. */
  static double sum(String metrics, String name, String label) {
    double total = 0;
    for (String line : metrics.split("\n")) {
      if (!line.startsWith(name + "{") || !line.contains(label)) continue;
      total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
    }
    return total;
  }

  /** Kernel UDP receive-buffer drops, machine-wide (/proc/net/snmp), to account lost datagrams. */
  private static long udpRcvbufErrors() throws IOException {
    List<String> lines =
        Files.readAllLines(Path.of("/proc/net/snmp")).stream()
            .filter(l -> l.startsWith("Udp:"))
            .toList();
    List<String> names = List.of(lines.get(0).split("\\s+"));
    return Long.parseLong(lines.get(1).split("\\s+")[names.indexOf("RcvbufErrors")]);
  }

  /** What every client sent and got back, by message id. */
  static final class Ledger {
    final Set<String> sent = ConcurrentHashMap.newKeySet();
    final Map<String, Integer> answers = new ConcurrentHashMap<>();
    final List<String> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
    volatile long udpWarmup;

    void answered(String id) {
      answers.merge(id, 1, Integer::sum);
    }
  }

  /**
   * A TCP client: batches of lines, each batch settled by a sync line answered (a sync line may be
   * dropped itself, so it is re-sent until one is answered); connections are closed and opened
   * again every few batches to churn the endpoint's connection handling.
   */
  static final class TcpClient {
    private final int id;
    private final int port;
    private final Ledger ledger;
    private final Semaphore tokens;
    private final long end;
    private final int maxBatches;
    private int next;

    TcpClient(int id, int port, Ledger ledger, Semaphore tokens, long end, int maxBatches) {
      this.id = id;
      this.port = port;
      this.ledger = ledger;
      this.tokens = tokens;
      this.end = end;
      this.maxBatches = maxBatches;
    }

    void runUnchecked() {
      try {
        run();
      } catch (Exception e) {
        ledger.errors.add("tcp client " + id + ": " + e);
      }
    }

    void run() throws Exception {
      int batches = 0;
      while (batches < maxBatches && System.nanoTime() < end) {
        try (Socket socket = new Socket("127.0.0.1", port)) {
          socket.setTcpNoDelay(true);
          socket.setSoTimeout(3_000); // longer than any delay or stall rule
          Lines in = new Lines(socket.getInputStream());
          OutputStream out = socket.getOutputStream();
          for (int b = 0;
              b < BATCHES_PER_CONNECTION && batches < maxBatches && System.nanoTime() < end;
              b++, batches++) {
            if (!tokens.tryAcquire(LINES_PER_BATCH, 30, TimeUnit.SECONDS))
              throw new AssertionError("no tokens");
            StringBuilder batch = new StringBuilder();
            for (int i = 0; i < LINES_PER_BATCH; i++) batch.append(send()).append('\n');
            out.write(batch.toString().getBytes(StandardCharsets.UTF_8));
            settle(in, out);
          }
        }
      }
    }

    private String send() {
      String msg = "T" + id + "-" + next++;
      ledger.sent.add(msg);
      return msg + "|";
    }

    /** Until a sync line is answered: then every earlier line of this connection was handled. */
    private void settle(Lines in, OutputStream out) throws IOException {
      for (int attempt = 0; attempt < 30; attempt++) {
        String sync = send();
        out.write((sync + "\n").getBytes(StandardCharsets.UTF_8));
        String wanted = sync.substring(0, sync.length() - 1);
        try {
          while (true) {
            String got = in.next().replace("|", "").strip();
            ledger.answered(got);
            if (got.equals(wanted)) return;
          }
        } catch (SocketTimeoutException e) {
          // the sync line was dropped or thrown away by a rule: send another
        }
      }
      throw new AssertionError("tcp client " + id + ": no sync line answered in 30 attempts");
    }
  }

  /** Lines from a socket, keeping a partial line across read timeouts. */
  static final class Lines {
    private final InputStream in;
    private final ByteArrayOutputStream partial = new ByteArrayOutputStream();

    Lines(InputStream in) {
      this.in = new BufferedInputStream(in);
    }

    String next() throws IOException {
      int c;
      while ((c = in.read()) != '\n') {
        if (c < 0) throw new IOException("connection closed by the node");
        partial.write(c);
      }
      String line = partial.toString(StandardCharsets.UTF_8);
      partial.reset();
      return line;
    }
  }

  /** UDP datagrams, one per token, and a receiver of the answers on the same socket. */
  static final class UdpClient {
    private final int port;
    private final Ledger ledger;
    private final int max;

    UdpClient(int port, Ledger ledger, int max) {
      this.port = port;
      this.ledger = ledger;
      this.max = max;
    }

    /** The warm-up: {@code max} datagrams, each waited for. */
    void run() throws Exception {
      try (UdpPeer peer = new UdpPeer()) {
        for (int i = 0; i < max; i++) {
          String msg = "W-" + i;
          ledger.sent.add(msg);
          peer.send((msg + "|").getBytes(StandardCharsets.UTF_8), port);
          ledger.answered(new String(peer.receive(), StandardCharsets.UTF_8).replace("|", ""));
        }
        ledger.udpWarmup = max;
      }
    }

    void runUntil(Semaphore tokens, long end) {
      try (UdpPeer peer = new UdpPeer()) {
        AtomicLong received = new AtomicLong();
        Thread receiver =
            new Thread(
                () -> {
                  try {
                    while (true) {
                      Optional<byte[]> d = peer.poll(5_000);
                      if (d.isEmpty()) return;
                      ledger.answered(new String(d.get(), StandardCharsets.UTF_8).replace("|", ""));
                      received.incrementAndGet();
                    }
                  } catch (IOException e) {
                    // the socket was closed
                  }
                },
                "udp-receiver");
        receiver.start();
        for (int i = 0; i < max && System.nanoTime() < end; i++) {
          if (!tokens.tryAcquire(1, 30, TimeUnit.SECONDS)) throw new AssertionError("no tokens");
          String msg = "U-" + i;
          ledger.sent.add(msg);
          peer.send((msg + "|").getBytes(StandardCharsets.UTF_8), port);
        }
        receiver.join(30_000);
      } catch (Exception e) {
        ledger.errors.add("udp client: " + e);
      }
    }
  }

  /** HTTP publishes into queue {@code work}: 201 means durable, anything else is a refusal. */
  static final class HttpPublisher {
    private final int id;
    private final QueueClient queues;
    private final Ledger ledger;
    private final Semaphore tokens;
    private final long end;
    private final int max;

    HttpPublisher(int id, QueueClient queues, Ledger ledger, Semaphore tokens, long end, int max) {
      this.id = id;
      this.queues = queues;
      this.ledger = ledger;
      this.tokens = tokens;
      this.end = end;
      this.max = max;
    }

    void runUnchecked() {
      try {
        run();
      } catch (Exception e) {
        ledger.errors.add("http publisher " + id + ": " + e);
      }
    }

    void run() throws Exception {
      for (int n = 0; n < max && System.nanoTime() < end; n++) {
        if (!tokens.tryAcquire(1, 30, TimeUnit.SECONDS)) throw new AssertionError("no tokens");
        String msg = "H" + id + "-" + n;
        ledger.sent.add(msg);
        if (queues.publish("work", msg + "|") == 201) ledger.answered(msg);
      }
    }
  }

  /**
   * Random rules, one at a time on the TCP endpoint and one at a time on the FTP destination (so
   * each frame meets at most one rule and the hits add up exactly), each with a short TTL.
   */
  static final class FaultChaos {
    private final FaultApi faults;
    private final Random random;
    private final long until;
    private final Ledger ledger;
    final Map<String, Integer> added = new ConcurrentHashMap<>();

    FaultChaos(FaultApi faults, Random random, long until, Ledger ledger) {
      this.faults = faults;
      this.random = random;
      this.until = until;
      this.ledger = ledger;
    }

    /** Once a second: where no rule is active, maybe (2 in 3) add one living 1–4 s. */
    void tick() {
      if (System.nanoTime() > until) return;
      try {
        JsonNode rules = FaultApi.JSON.readTree(faults.http().get("/v1/faults", null).body());
        boolean tcpRule = false;
        boolean ftpRule = false;
        for (JsonNode r : rules.get("rules")) {
          tcpRule |= r.has("endpoint");
          ftpRule |= r.has("destination");
        }
        if (!tcpRule && random.nextInt(3) > 0) addTcpRule();
        if (!ftpRule && random.nextInt(3) > 0) addFtpRule();
      } catch (Exception | AssertionError e) {
        ledger.errors.add("fault chaos: " + e);
      }
    }

    private void addTcpRule() throws Exception {
      String ttl = (1 + random.nextInt(4)) + "s";
      String kind = List.of("drop", "delay", "duplicate", "stall", "throw").get(random.nextInt(5));
      added.merge(kind, 1, Integer::sum);
      switch (kind) {
        case "delay" ->
            faults.add(
                "kind", kind, "endpoint", "tcp-in", "delay", "50ms", "jitter", "20ms", "ttl", ttl);
        case "stall" ->
            faults.add("kind", kind, "endpoint", "tcp-in", "duration", "1s", "ttl", ttl);
        default ->
            faults.add(
                "kind",
                kind,
                "endpoint",
                "tcp-in",
                "percent",
                String.valueOf(5 + random.nextInt(30)),
                "ttl",
                ttl);
      }
    }

    private void addFtpRule() throws Exception {
      String ttl = (1 + random.nextInt(4)) + "s";
      if (random.nextBoolean()) {
        added.merge("fail-destination", 1, Integer::sum);
        faults.add(
            "kind",
            "fail-destination",
            "destination",
            "ftp:archive",
            "percent",
            String.valueOf(20 + random.nextInt(60)),
            "ttl",
            ttl);
      } else {
        added.merge("pause-destination", 1, Integer::sum);
        faults.add("kind", "pause-destination", "destination", "ftp:archive", "ttl", ttl);
      }
    }
  }

  /** Samples the node's heap from /metrics. */
  static final class HeapSampler {
    private final FaultApi api;
    final AtomicLong max = new AtomicLong();

    HeapSampler(FaultApi api) {
      this.api = api;
    }

    void sample() {
      try {
        long used =
            (long)
                sum(
                    api.http().get("/metrics", null).body(),
                    "jvm_memory_used_bytes",
                    "area=\"heap\"");
        max.accumulateAndGet(used, Math::max);
      } catch (Exception e) {
        // a missed sample; the next one comes in 5 s
      }
    }
  }

  /** Threads and fds (from /proc), heap after a GC and open connections (from /metrics). */
  record Snapshot(int threads, int fds, long heap, long connections) {
    static Snapshot of(ChildNode node, int http) throws Exception {
      Process gc =
          new ProcessBuilder(
                  Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                  String.valueOf(node.pid()),
                  "GC.run")
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      assertTrue(gc.waitFor(60, TimeUnit.SECONDS), "jcmd GC.run");
      String metrics = new FaultApi(http).http().get("/metrics", null).body();
      return new Snapshot(
          count(Path.of("/proc", String.valueOf(node.pid()), "task")),
          count(Path.of("/proc", String.valueOf(node.pid()), "fd")),
          (long) sum(metrics, "jvm_memory_used_bytes", "area=\"heap\""),
          (long) sum(metrics, "junction_connections_active", "endpoint=\"tcp-in\""));
    }

    /** Pools shrink lazily: retries up to 90 s for the figures to come back within tolerance. */
    static Snapshot awaitSettled(ChildNode node, int http, Snapshot before) throws Exception {
      Snapshot[] last = new Snapshot[1];
      try {
        node.await(
            90,
            () -> {
              last[0] = of(node, http);
              assertTrue(
                  last[0].connections == 0
                      && last[0].threads <= before.threads + THREAD_TOLERANCE
                      && last[0].fds <= before.fds + FD_TOLERANCE,
                  last[0].toString());
            });
      } catch (AssertionError e) {
        // reported by the caller's assertions on the last figures
      }
      return last[0];
    }

    private static int count(Path dir) throws IOException {
      try (Stream<Path> s = Files.list(dir)) {
        return (int) s.count();
      }
    }

    @Override
    public String toString() {
      return "%d threads, %d fds, heap %.1f MiB, %d TCP connections"
          .formatted(threads, fds, heap / 1048576.0, connections);
    }
  }
}
