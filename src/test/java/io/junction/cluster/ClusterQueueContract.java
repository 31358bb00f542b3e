package io.junction.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.junction.Main;
import io.junction.testing.ChildNode;
import io.junction.testing.ClusterApi;
import io.junction.testing.FreePorts;
import io.junction.testing.HttpApi;
import io.junction.testing.QueueClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Three nodes in child JVMs on 127.0.0.1 form a cluster and share one journal (what the subclass
 * starts: an H2 TCP server, or PostgreSQL): a queue is reachable from every node, and when the node
 * hosting it is killed with {@code kill -9} the split brain resolver downs it and the queue
 * restarts on a survivor from the journal, with every acknowledged message.
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ClusterQueueContract {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int NODES = 3;
  private static final int BOOT_SECONDS = 180;
  private Path dir;
  private final List<Node> nodes = new ArrayList<>();

  /** Starts the shared journal; returns the {@code junction.journal} HOCON every node uses. */
  abstract String startJournal(Path dir) throws Exception;

  /** Environment variables the nodes need for the journal (a password). */
  abstract Map<String, String> journalEnv();

  abstract void stopJournal() throws Exception;

  /** One child node: its process, cluster address and API. */
  record Node(String name, ChildNode process, String address, HttpApi api, int httpPort)
      implements ClusterApi.Member {}

  @BeforeAll
  void startCluster() throws Exception {
    dir = Files.createTempDirectory("junction-cluster");
    String journal = startJournal(dir);
    int[] ports = new int[NODES];
    for (int i = 0; i < NODES; i++) ports[i] = FreePorts.freePort();
    List<String> seeds = new ArrayList<>();
    for (int p : ports) seeds.add("\"127.0.0.1:" + p + "\"");
    List<ChildNode> started = new ArrayList<>();
    // The first node forms the cluster and creates the schema; the others join it.
    for (int i = 0; i < NODES; i++) {
      Path nodeDir = Files.createDirectories(dir.resolve("node-" + i));
      started.add(
          ChildNode.start(nodeDir, config(nodeDir, journal, ports[i], seeds), journalEnv()));
      if (i == 0) started.get(0).port("http", BOOT_SECONDS);
    }
    for (int i = 0; i < NODES; i++) {
      int http = started.get(i).port("http", BOOT_SECONDS);
      nodes.add(
          new Node(
              "node-" + i,
              started.get(i),
              "pekko://junction@127.0.0.1:" + ports[i],
              new HttpApi(http),
              http));
    }
    awaitMembersUp(nodes.get(0), NODES, BOOT_SECONDS);
  }

  private static String config(Path nodeDir, String journal, int clusterPort, List<String> seeds) {
    return """
        junction {
          data-dir = "%s"
          http.port = 0
          http.request-timeout = 5s
          queues { orders { ack-timeout = 5m }, crash { ack-timeout = 5m } }
          journal { %s }
          cluster {
            enabled = on
            port = %d
            seed-nodes = [%s]
            stable-after = 2s
          }
        }
        """
        .formatted(nodeDir.resolve("data"), journal, clusterPort, String.join(", ", seeds));
  }

  @AfterAll
  void stopCluster() throws Exception {
    for (Node n : nodes) n.process().close();
    stopJournal();
    ClusterApi.deleteTree(dir);
  }

  @Test
  void queuePublishedThroughOneNodeIsConsumedInOrderThroughAnother() throws Exception {
    List<Node> alive = alive();
    Node publisher = alive.get(0);
    Node consumer = alive.get(alive.size() - 1);
    List<String> sent = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      String body = "order-" + i;
      HttpResponse<String> r =
          publisher
              .api()
              .post(
                  "/v1/queues/orders/messages",
                  null,
                  "text/plain",
                  body.getBytes(StandardCharsets.UTF_8));
      assertEquals(201, r.statusCode(), r.body());
      sent.add(body);
    }
    assertEquals(sent, consumeAll(consumer, "orders"));
    JsonNode located = JSON.readTree(get(consumer, "/v1/cluster/queues/orders"));
    assertTrue(
        alive.stream().anyMatch(n -> n.address().equals(located.get("node").asText())),
        "orders is hosted by a member: " + located);
  }

  @Test
  void clusterStatusListsEveryMemberUpWithALeaderThroughTheApiAndTheCli() throws Exception {
    Node node = alive().get(0);
    JsonNode cluster = JSON.readTree(get(node, "/v1/cluster"));
    assertEquals(node.address(), cluster.get("self").asText());
    assertTrue(cluster.hasNonNull("leader"), cluster.toString());
    for (JsonNode m : cluster.get("members")) {
      assertEquals("Up", m.get("status").asText(), cluster.toString());
      assertEquals("reachable", m.get("reachability").asText(), cluster.toString());
    }
    String out = cli("cluster", "status", "--url", "http://127.0.0.1:" + node.httpPort());
    for (Node n : alive()) assertTrue(out.contains(n.address()), out);
    assertTrue(out.contains("(self)") && out.contains("(leader)"), out);
    HttpResponse<String> unknown =
        node.api()
            .post(
                "/v1/cluster/leave",
                null,
                "application/json",
                "{\"address\":\"127.0.0.1:1\"}".getBytes(StandardCharsets.UTF_8));
    assertEquals(404, unknown.statusCode(), unknown.body());
  }

  @Test
  void killingTheNodeHostingAQueueMovesItToASurvivorWithEveryAcknowledgedMessage()
      throws Exception {
    Node entry = alive().get(0);
    HttpResponse<String> first =
        entry.api().post("/v1/queues/crash/messages", null, "text/plain", "p-first".getBytes());
    assertEquals(201, first.statusCode(), first.body());
    String hostAddress = JSON.readTree(get(entry, "/v1/cluster/queues/crash")).get("node").asText();
    Node host =
        alive().stream().filter(n -> n.address().equals(hostAddress)).findFirst().orElseThrow();
    List<Node> survivors = alive().stream().filter(n -> n != host).toList();
    Node publisher = survivors.get(0);
    Node consumer = survivors.get(1);

    Set<String> acked = ConcurrentHashMap.newKeySet();
    acked.add("p-first");
    Map<Integer, List<String>> ackedInOrder = new ConcurrentHashMap<>();
    AtomicBoolean stop = new AtomicBoolean();
    CountDownLatch beforeKill = new CountDownLatch(300);
    CountDownLatch afterKill = new CountDownLatch(1);
    CountDownLatch moreAfterKill = new CountDownLatch(200);
    AtomicBoolean killed = new AtomicBoolean();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      int p = t;
      ackedInOrder.put(p, new ArrayList<>());
      Thread th =
          new Thread(
              () -> {
                for (int n = 0; !stop.get(); n++) {
                  String body = "p" + p + "-" + n;
                  try {
                    HttpResponse<String> r =
                        publisher
                            .api()
                            .post("/v1/queues/crash/messages", null, "text/plain", body.getBytes());
                    if (r.statusCode() != 201) continue; // not acknowledged: may or may not be in
                    acked.add(body);
                    ackedInOrder.get(p).add(body);
                    beforeKill.countDown();
                    if (killed.get()) {
                      afterKill.countDown();
                      moreAfterKill.countDown();
                    }
                  } catch (IOException e) {
                    // timed out during the fail-over: not acknowledged; go on with the next
                  } catch (InterruptedException e) {
                    return;
                  }
                }
              },
              "publisher-" + p);
      th.start();
      threads.add(th);
    }
    try {
      assertTrue(beforeKill.await(120, TimeUnit.SECONDS), "acked before kill: " + acked.size());
      host.process().kill(); // kill -9, in the middle of the publish stream
      long killedAt = System.nanoTime();
      killed.set(true);
      int ackedAtKill = acked.size();
      // the queue is back once publishes through a survivor are acknowledged again
      assertTrue(
          afterKill.await(120, TimeUnit.SECONDS),
          "no publish acknowledged after the kill; acked " + ackedAtKill + "\n" + logs());
      long resumedAfterMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
      assertTrue(moreAfterKill.await(60, TimeUnit.SECONDS), "publishing resumed after the kill");
      System.out.printf(
          "cluster fail-over: %d acked before kill -9 of %s, first ack through %s %d ms after it%n",
          ackedAtKill, host.name(), publisher.name(), resumedAfterMs);
    } finally {
      stop.set(true);
      for (Thread th : threads) th.join(30_000);
    }
    nodes.remove(host);
    awaitMembersUp(consumer, NODES - 1, 60);

    JsonNode located = JSON.readTree(get(consumer, "/v1/cluster/queues/crash"));
    assertNotEquals(hostAddress, located.get("node").asText(), "shard moved: " + located);

    List<String> inQueue = consumeAll(consumer, "crash");
    Set<String> distinct = new HashSet<>(inQueue);
    assertEquals(inQueue.size(), distinct.size(), "no message is in the queue twice");
    Set<String> missing = new HashSet<>(acked);
    missing.removeAll(distinct);
    assertTrue(
        missing.isEmpty(),
        "acknowledged but lost after kill -9 of the host: " + missing.size() + " " + missing);
    Map<String, Integer> position = new HashMap<>();
    for (int i = 0; i < inQueue.size(); i++) position.put(inQueue.get(i), i);
    for (List<String> order : ackedInOrder.values())
      for (int i = 1; i < order.size(); i++)
        assertTrue(
            position.get(order.get(i - 1)) < position.get(order.get(i)),
            order.get(i - 1) + " before " + order.get(i));
  }

  private List<Node> alive() {
    return nodes.stream().filter(n -> n.process().process().isAlive()).toList();
  }

  private static List<String> consumeAll(Node node, String queue) throws Exception {
    return new QueueClient(node.api(), null).drain(queue);
  }

  private void awaitMembersUp(Node node, int count, int seconds) throws Exception {
    ClusterApi.awaitMembersUp(node, null, count, seconds, this::logs);
  }

  private String logs() {
    return ClusterApi.logs(nodes);
  }

  private static String get(Node node, String path) throws Exception {
    return ClusterApi.get(node.api(), null, path);
  }

  private static String cli(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream old = System.out;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    try {
      assertEquals(0, Main.commandLine().execute(args), out.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(old);
    }
    return out.toString(StandardCharsets.UTF_8);
  }
}
