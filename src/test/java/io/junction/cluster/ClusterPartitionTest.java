package io.junction.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.junction.testing.ChildNode;
import io.junction.testing.HttpApi;
import io.junction.testing.NetworkLab;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * A real network partition: three nodes, each in its own network namespace ({@link NetworkLab}),
 * and their shared H2 journal server in a fourth. The cluster links of the node hosting a queue are
 * cut while clients publish through both sides; the journal stays reachable from both sides — the
 * dangerous case, where a minority that kept its shard would write next to the majority that took
 * it over. The split brain resolver must down the minority, which exits; the majority takes the
 * queue over from the journal; after healing, the restarted node rejoins. Every acknowledged
 * message is then in the queue exactly once.
 *
 * <p>Needs root (namespaces, veth, routes): tagged interop; CI runs it as root. A machine that
 * cannot build the network fails the test with the reason.
 */
@Tag("interop")
@Tag("resilience")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusterPartitionTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TOKEN = "partition-" + UUID.randomUUID();
  private static final Map<String, String> ENV = Map.of("JUNCTION_TEST_TOKEN", TOKEN);
  // fixed ports are safe: every node and the journal have an address of their own
  private static final int CLUSTER_PORT = 25520;
  private static final int H2_PORT = 9092;
  private static final int NODES = 3;
  private static final int BOOT_SECONDS = 120;

  private NetworkLab lab;
  private Path dir;
  private Process h2;
  private String journal;
  private final List<NetworkLab.Host> hosts = new ArrayList<>();
  private final List<Node> nodes = new ArrayList<>();

  /** One node: its namespace, directory, process and API. */
  record Node(String name, NetworkLab.Host host, Path dir, ChildNode process, HttpApi api) {
    String address() {
      return "pekko://junction@" + host.address() + ":" + CLUSTER_PORT;
    }

    boolean alive() {
      return process.process().isAlive();
    }
  }

  @BeforeAll
  void startCluster() throws Exception {
    lab = NetworkLab.create();
    dir = Files.createTempDirectory("junction-partition");
    NetworkLab.Host db = lab.addHost(0);
    h2 = startH2(db);
    journal =
        "kind = h2, h2.url = \"jdbc:h2:tcp://%s:%d/./junction;WRITE_DELAY=0\""
            .formatted(db.address(), H2_PORT);
    for (int i = 1; i <= NODES; i++) hosts.add(lab.addHost(i));
    // The first node forms the cluster and creates the schema; the others join it.
    for (int i = 0; i < NODES; i++) {
      nodes.add(start("node-" + (i + 1), hosts.get(i)));
      if (i == 0) nodes.get(0).process().port("http", BOOT_SECONDS);
    }
    for (int i = 0; i < NODES; i++) nodes.set(i, withApi(nodes.get(i)));
    awaitMembersUp(nodes.get(0), NODES, BOOT_SECONDS);
  }

  @AfterAll
  void stopCluster() throws Exception {
    try {
      for (Node n : nodes) n.process().close();
      if (h2 != null) {
        h2.destroyForcibly();
        h2.waitFor(30, TimeUnit.SECONDS);
      }
    } finally {
      try {
        if (lab != null) lab.close(); // also kills anything left in its namespaces
      } finally {
        if (dir != null)
          try (var files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
          }
      }
    }
  }

  @Test
  void partitionedShardHostIsDownedAndTheMajorityTakesItsQueueOverWithEveryAckedMessageOnce()
      throws Exception {
    String queue = "split";
    Node entry = nodes.get(0);
    assertEquals(201, publish(entry, queue, "first").statusCode());
    String hostAddress = locate(entry, queue);
    Node minority = nodes.stream().filter(n -> n.address().equals(hostAddress)).findFirst().get();
    List<Node> majority = nodes.stream().filter(n -> n != minority).toList();

    AtomicLong cutAt = new AtomicLong();
    List<Publisher> publishers =
        List.of(
            new Publisher("major-a", majority.get(0), queue, cutAt),
            new Publisher("major-b", majority.get(1), queue, cutAt),
            // the minority's own clients: what it acknowledges while cut off must survive too
            new Publisher("minor", minority, queue, cutAt));
    publishers.forEach(Publisher::start);
    long ackedBeforeCut;
    long downedMs = -1;
    long removedMs = -1;
    long exitedMs = -1;
    try {
      await(60, () -> Publisher.acked(publishers) >= 150, "150 acknowledged before the cut");
      ackedBeforeCut = Publisher.acked(publishers);
      for (Node other : majority) lab.cut(minority.host(), other.host());
      cutAt.set(System.nanoTime());
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
      while (exitedMs < 0
          || removedMs < 0
          || publishers.get(0).ackedAfterCut() + publishers.get(1).ackedAfterCut() < 100) {
        if (System.nanoTime() > deadline)
          throw new AssertionError(
              "after the cut: minority exited at %d ms, removed at %d ms, %d acked by the majority\n%s"
                  .formatted(
                      exitedMs,
                      removedMs,
                      publishers.get(0).ackedAfterCut() + publishers.get(1).ackedAfterCut(),
                      logs()));
        if (exitedMs < 0 && !minority.alive()) exitedMs = sinceCut(cutAt);
        String status = memberStatus(majority.get(0), minority.address());
        if (downedMs < 0 && "Down".equals(status)) downedMs = sinceCut(cutAt);
        if (removedMs < 0 && status == null) {
          removedMs = sinceCut(cutAt);
          if (downedMs < 0) downedMs = removedMs; // Down was shorter than one poll
        }
        pause();
      }
    } finally {
      publishers.forEach(Publisher::stop);
    }
    for (Node other : majority) lab.heal(minority.host(), other.host());

    // Downed, the minority ended its process (a supervisor restarts it); no zombie rejoins.
    assertEquals(ClusterExit.DOWNED_STATUS, minority.process().process().exitValue(), logs());
    assertTrue(
        minority.process().output().stream()
            .anyMatch(l -> l.contains("was removed from the cluster")),
        "the downed node says why it exits:\n" + tail(minority));
    awaitMembersUp(majority.get(0), NODES - 1, 30);
    String movedTo = locate(majority.get(0), queue);
    assertNotEquals(hostAddress, movedTo, "the queue moved to the majority");

    // The two sides never acknowledged at the same time: the minority's last acknowledgement came
    // before the majority's first one after the cut (else two nodes ran the queue).
    Publisher minor = publishers.get(2);
    long majorityFirst =
        Math.min(publishers.get(0).firstAckAfterCut(), publishers.get(1).firstAckAfterCut());
    assertTrue(
        minor.lastAck() < majorityFirst,
        "the minority acknowledged at %d ms after the cut, the majority already at %d ms"
            .formatted(toMs(minor.lastAck(), cutAt), toMs(majorityFirst, cutAt)));

    int restarted = nodes.indexOf(minority);
    nodes.set(restarted, withApi(start(minority.name(), minority.host())));
    awaitMembersUp(nodes.get(restarted), NODES, BOOT_SECONDS);
    awaitMembersUp(majority.get(0), NODES, 30);

    List<String> inQueue = consumeAll(majority.get(1), queue);
    Set<String> distinct = new HashSet<>(inQueue);
    assertEquals(inQueue.size(), distinct.size(), "no message is in the queue twice");
    Set<String> sent = new HashSet<>(Set.of("first"));
    Set<String> acked = new HashSet<>(Set.of("first"));
    int failed = 0;
    for (Publisher p : publishers) {
      sent.addAll(p.sent());
      acked.addAll(p.ackedBodies());
      failed += p.failed();
      assertEquals(p.sent().size(), p.ackedBodies().size() + p.failed(), p.name() + " accounted");
    }
    Set<String> lost = new HashSet<>(acked);
    lost.removeAll(distinct);
    assertEquals(Set.of(), lost, "acknowledged but not in the queue");
    Set<String> unknown = new HashSet<>(distinct);
    unknown.removeAll(sent);
    assertEquals(Set.of(), unknown, "in the queue but never sent");
    Map<String, Integer> position = new HashMap<>();
    for (int i = 0; i < inQueue.size(); i++) position.put(inQueue.get(i), i);
    for (Publisher p : publishers) {
      List<String> order = p.ackedBodies();
      for (int i = 1; i < order.size(); i++)
        assertTrue(
            position.get(order.get(i - 1)) < position.get(order.get(i)),
            order.get(i - 1) + " before " + order.get(i));
    }
    System.out.printf(
        "partition of %s (queue host): %d acked before the cut; majority saw it Down at %d ms and"
            + " removed it at %d ms, it exited (status %d) at %d ms; first majority ack at %d ms,"
            + " last minority ack at %d ms; sent %d, acked %d, reported failed %d (of which %d"
            + " written anyway), in queue %d%n",
        minority.name(),
        ackedBeforeCut,
        downedMs,
        removedMs,
        ClusterExit.DOWNED_STATUS,
        exitedMs,
        toMs(majorityFirst, cutAt),
        toMs(minor.lastAck(), cutAt),
        sent.size(),
        acked.size(),
        failed,
        distinct.size() - acked.size(),
        inQueue.size());
    minority.process().output().stream()
        .filter(l -> l.contains("SBR") || l.contains("myself") || l.contains("removed from"))
        .forEach(l -> System.out.println("  " + minority.name() + ": " + l));
  }

  /** Publishes numbered messages through one node until stopped, recording every outcome. */
  private static final class Publisher {
    private static final int MAX = 20_000; // bounds the loop whatever happens
    private final String name;
    private final Node via;
    private final String queue;
    private final AtomicLong cutAt;
    private final AtomicBoolean stop = new AtomicBoolean();
    private final List<String> sent = new ArrayList<>();
    private final List<String> acked = new ArrayList<>();
    private final AtomicInteger ackedCount = new AtomicInteger();
    private final AtomicInteger ackedAfterCut = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();
    private final AtomicLong firstAckAfterCut = new AtomicLong(Long.MAX_VALUE);
    private final AtomicLong lastAck = new AtomicLong(Long.MIN_VALUE);
    private Thread thread;

    Publisher(String name, Node via, String queue, AtomicLong cutAt) {
      this.name = name;
      this.via = via;
      this.queue = queue;
      this.cutAt = cutAt;
    }

    void start() {
      thread = new Thread(this::run, "publisher-" + name);
      thread.start();
    }

    private void run() {
      for (int n = 0; n < MAX && !stop.get(); n++) {
        String body = name + "-" + n;
        sent.add(body);
        long cut = cutAt.get();
        long started = System.nanoTime();
        try {
          if (publish(via, queue, body).statusCode() != 201) {
            failed.incrementAndGet(); // 503: not acknowledged, reported to this client
            continue;
          }
          long now = System.nanoTime();
          acked.add(body);
          ackedCount.incrementAndGet();
          lastAck.set(now);
          if (cut != 0 && started > cut) {
            ackedAfterCut.incrementAndGet();
            firstAckAfterCut.compareAndSet(Long.MAX_VALUE, now);
          }
        } catch (ConnectException e) {
          failed.incrementAndGet(); // the node is gone: nothing more can be acknowledged here
          return;
        } catch (IOException e) {
          failed.incrementAndGet(); // no answer in time: not acknowledged
        } catch (InterruptedException e) {
          failed.incrementAndGet();
          return;
        }
      }
    }

    void stop() {
      stop.set(true);
      try {
        thread.join(30_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      assertFalse(thread.isAlive(), name + " still publishing");
    }

    static long acked(List<Publisher> ps) {
      return ps.stream().mapToLong(p -> p.ackedCount.get()).sum();
    }

    String name() {
      return name;
    }

    int ackedAfterCut() {
      return ackedAfterCut.get();
    }

    long firstAckAfterCut() {
      return firstAckAfterCut.get();
    }

    long lastAck() {
      return lastAck.get();
    }

    int failed() {
      return failed.get();
    }

    /** After {@link #stop()}: the thread has ended, its lists are complete and visible. */
    List<String> sent() {
      return List.copyOf(sent);
    }

    List<String> ackedBodies() {
      return List.copyOf(acked);
    }
  }

  private Node start(String name, NetworkLab.Host host) throws IOException {
    List<String> seeds = new ArrayList<>();
    for (NetworkLab.Host h : hosts) seeds.add("\"" + h.address() + ":" + CLUSTER_PORT + "\"");
    Path nodeDir = Files.createDirectories(dir.resolve(name));
    String config =
        """
        junction {
          data-dir = "%s"
          http {
            host = "%s"
            port = 0
            request-timeout = 2s
            tokens = [ { token-env = "JUNCTION_TEST_TOKEN", scopes = [read, publish, admin] } ]
          }
          queues { split { ack-timeout = 5m }, slow { ack-timeout = 5m } }
          journal { %s }
          cluster {
            enabled = on
            host = "%s"
            port = %d
            seed-nodes = [%s]
            stable-after = 2s
          }
        }
        """
            .formatted(
                nodeDir.resolve("data"),
                host.address(),
                journal,
                host.address(),
                CLUSTER_PORT,
                String.join(", ", seeds));
    return new Node(name, host, nodeDir, ChildNode.start(nodeDir, config, ENV, host.exec()), null);
  }

  private static Node withApi(Node n) throws InterruptedException {
    int port = n.process().port("http", BOOT_SECONDS);
    return new Node(
        n.name(), n.host(), n.dir(), n.process(), new HttpApi(n.host().address(), port));
  }

  /** The H2 TCP server in its own namespace: reachable on the lab's network only. */
  private Process startH2(NetworkLab.Host db) throws Exception {
    Path base = Files.createDirectories(dir.resolve("h2"));
    List<String> command = new ArrayList<>(db.exec());
    command.addAll(
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx128m",
            "-cp",
            System.getProperty("java.class.path"),
            "org.h2.tools.Server",
            "-tcp",
            "-tcpAllowOthers", // the nodes connect from their own addresses
            "-tcpPort",
            String.valueOf(H2_PORT),
            "-baseDir",
            base.toString(),
            "-ifNotExists"));
    h2 =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("h2.log").toFile())
            .start();
    await(60, () -> reachable(db.address(), H2_PORT), "the H2 server on " + db.address());
    return h2;
  }

  private static boolean reachable(String host, int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(host, port), 1000);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static HttpResponse<String> publish(Node node, String queue, String body)
      throws IOException, InterruptedException {
    return node.api()
        .post(
            "/v1/queues/" + queue + "/messages",
            TOKEN,
            "text/plain",
            body.getBytes(StandardCharsets.UTF_8));
  }

  private static String locate(Node node, String queue) throws Exception {
    return JSON.readTree(get(node, "/v1/cluster/queues/" + queue)).get("node").asText();
  }

  /** {@code address}'s status as {@code node} sees it; null when it is not a member. */
  private static String memberStatus(Node node, String address) {
    try {
      HttpResponse<String> r = node.api().get("/v1/cluster", TOKEN);
      if (r.statusCode() != 200) return "?";
      for (JsonNode m : JSON.readTree(r.body()).get("members"))
        if (m.get("address").asText().equals(address)) return m.get("status").asText();
      return null;
    } catch (IOException | InterruptedException e) {
      return "?";
    }
  }

  private static List<String> consumeAll(Node node, String queue) throws Exception {
    List<String> all = new ArrayList<>();
    while (true) {
      JsonNode leased =
          JSON.readTree(get(node, "/v1/queues/" + queue + "/messages?max=500&visibility=5m"));
      if (leased.isEmpty()) return all;
      List<String> receipts = new ArrayList<>();
      for (JsonNode d : leased) {
        all.add(d.at("/message/payload").asText());
        receipts.add(d.get("receipt").asText());
      }
      HttpResponse<String> r =
          node.api()
              .post(
                  "/v1/queues/" + queue + "/ack",
                  TOKEN,
                  "application/json",
                  JSON.writeValueAsBytes(Map.of("receipts", receipts)));
      assertEquals(200, r.statusCode(), r.body());
      assertEquals(receipts.size(), JSON.readTree(r.body()).get("settled").asInt());
    }
  }

  /** Polls {@code node}'s GET /v1/cluster until {@code count} members are Up and reachable. */
  private void awaitMembersUp(Node node, int count, int seconds) throws Exception {
    String[] last = {""};
    try {
      await(
          seconds,
          () -> {
            try {
              HttpResponse<String> r = node.api().get("/v1/cluster", TOKEN);
              last[0] = r.body();
              if (r.statusCode() != 200) return false;
              JsonNode members = JSON.readTree(r.body()).get("members");
              int up = 0;
              for (JsonNode m : members)
                if (m.get("status").asText().equals("Up")
                    && m.get("reachability").asText().equals("reachable")) up++;
              return up == count && members.size() == count;
            } catch (IOException | InterruptedException e) {
              return false;
            }
          },
          count + " members up as " + node.name() + " sees them");
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + ": " + last[0] + "\n" + logs(), e);
    }
  }

  /** A bounded poll of other processes' state (there is no event to wait on across processes). */
  private void await(int seconds, BooleanSupplier condition, String what) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline)
        throw new AssertionError("not within " + seconds + " s: " + what);
      pause();
    }
  }

  /** 100 ms, waiting on the journal server's process (which must not end meanwhile). */
  private void pause() throws InterruptedException {
    if (h2.waitFor(100, TimeUnit.MILLISECONDS))
      throw new AssertionError("the H2 journal server exited: " + h2.exitValue());
  }

  private static long sinceCut(AtomicLong cutAt) {
    return toMs(System.nanoTime(), cutAt);
  }

  private static long toMs(long nanos, AtomicLong cutAt) {
    return TimeUnit.NANOSECONDS.toMillis(nanos - cutAt.get());
  }

  private static String get(Node node, String path) throws Exception {
    HttpResponse<String> r = node.api().get(path, TOKEN);
    assertEquals(200, r.statusCode(), path + ": " + r.body());
    return r.body();
  }

  private String logs() {
    StringBuilder sb = new StringBuilder();
    for (Node n : nodes) sb.append(tail(n));
    return sb.toString();
  }

  private static String tail(Node n) {
    List<String> out = n.process().output();
    StringBuilder sb = new StringBuilder("--- " + n.name() + "\n");
    out.subList(Math.max(0, out.size() - 40), out.size()).forEach(l -> sb.append(l).append('\n'));
    return sb.toString();
  }
}
