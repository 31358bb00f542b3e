package io.junction.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.junction.testing.ChildNode;
import io.junction.testing.ClusterApi;
import io.junction.testing.FreePorts;
import io.junction.testing.H2TcpServer;
import io.junction.testing.HttpApi;
import io.junction.testing.WireClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Three nodes in child JVMs on 127.0.0.1 sharing one H2 TCP journal: a topic spans the cluster, a
 * node leaves gracefully (SIGTERM) and rejoins while clients of the other two keep talking, and the
 * route consumers of a queue follow it when its shard moves. Every test leaves three members Up.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusterNodesTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int NODES = 3;
  private static final int BOOT_SECONDS = 180;
  private static final List<String> QUEUES = List.of("q-0", "q-1", "q-2", "q-3", "q-4", "q-5");
  private Path dir;
  private H2TcpServer h2;
  private String journal;
  private final List<String> seeds = new ArrayList<>();
  private final List<Node> nodes = new ArrayList<>();
  private final List<AutoCloseable> clients = new ArrayList<>();

  /** One child node: its process, directory, cluster port and address, and API. */
  record Node(
      String name, ChildNode process, Path dir, int clusterPort, String address, HttpApi api)
      implements ClusterApi.Member {
    int port(String endpoint) throws InterruptedException {
      return process.port(endpoint, BOOT_SECONDS);
    }
  }

  @BeforeAll
  void startCluster() throws Exception {
    dir = Files.createTempDirectory("junction-cluster-nodes");
    h2 = H2TcpServer.start(Files.createDirectories(dir.resolve("h2")));
    journal = "kind = h2, h2.url = \"" + h2.url("junction") + "\"";
    int[] ports = new int[NODES];
    for (int i = 0; i < NODES; i++) ports[i] = FreePorts.freePort();
    for (int p : ports) seeds.add("\"127.0.0.1:" + p + "\"");
    for (int i = 0; i < NODES; i++) {
      nodes.add(start("node-" + i, ports[i]));
      // the first node forms the cluster and creates the schema; the others join it
      if (i == 0) nodes.get(0).port("http");
    }
    awaitMembersUp(nodes.get(0), NODES, BOOT_SECONDS);
  }

  private Node start(String name, int clusterPort) throws Exception {
    return start(name, clusterPort, seeds);
  }

  private Node start(String name, int clusterPort, List<String> seedNodes) throws Exception {
    Path nodeDir = Files.createDirectories(dir.resolve(name));
    ChildNode process = ChildNode.start(nodeDir, config(nodeDir, clusterPort, seedNodes));
    return new Node(
        name,
        process,
        nodeDir,
        clusterPort,
        "pekko://junction@127.0.0.1:" + clusterPort,
        new HttpApi(process.port("http", BOOT_SECONDS)));
  }

  private String config(Path nodeDir, int clusterPort, List<String> seedNodes) {
    return """
        junction {
          data-dir = "%s"
          http.port = 0
          http.request-timeout = 5s
          endpoints {
            echo { kind = tcp-server, host = 127.0.0.1, port = 0, codec = text, framing { kind = delimiter, delimiter = "\\n" } }
            dash { kind = tcp-server, host = 127.0.0.1, port = 0, codec = text, framing { kind = delimiter, delimiter = "\\n" } }
            alerts-in { kind = tcp-server, host = 127.0.0.1, port = 0, codec = text, framing { kind = delimiter, delimiter = "\\n" } }
          }
          topics { alerts {} }
          queues {
            work { ack-timeout = 5m }
            done { ack-timeout = 5m }
            %s
          }
          routes {
            echo { from = echo, to = reply }
            alerts-in { from = alerts-in, to = "topic:alerts" }
            alerts-out { from = "topic:alerts", to = "tcp:dash" }
            work-done { from = "queue:work", to = "queue:done" }
          }
          journal { %s }
          cluster {
            enabled = on
            port = %d
            seed-nodes = [%s]
            stable-after = 2s
          }
        }
        """
        .formatted(
            nodeDir.resolve("data"),
            String.join("\n", QUEUES.stream().map(q -> q + " { ack-timeout = 5m }").toList()),
            journal,
            clusterPort,
            String.join(", ", seedNodes));
  }

  @AfterAll
  void stopCluster() throws Exception {
    for (AutoCloseable c : clients) c.close();
    for (Node n : nodes) n.process().close();
    if (h2 != null) h2.close();
    ClusterApi.deleteTree(dir);
  }

  @Test
  void topicMessagesPublishedOnOneNodeReachSubscribersOnEveryNode() throws Exception {
    List<Subscriber> subscribers = new ArrayList<>();
    for (Node n : nodes) {
      subscribers.add(tcpSubscriber(n.name() + " tcp:dash", n.port("dash")));
      subscribers.add(sseSubscriber(n.name() + " SSE", n));
    }
    Node httpPublisher = nodes.get(0);
    Node routePublisher = nodes.get(2);
    // Topic actors find each other through the cluster receptionist (gossip, about every 2 s), and
    // each node learns of the others' subscribers on its own: publish through each publishing node
    // until every subscriber has seen one of its messages, so the measured ones meet a settled
    // topic.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    for (Node publisher : List.of(httpPublisher, routePublisher)) {
      String prefix = "warm-" + publisher.name() + "-";
      Set<Subscriber> warm = new HashSet<>();
      for (int k = 0; warm.size() < subscribers.size(); k++) {
        assertTrue(System.nanoTime() < deadline, "reached through " + prefix + ": " + warm);
        publishToTopic(publisher, prefix + k);
        for (Subscriber s : subscribers) {
          if (warm.contains(s)) continue;
          for (String line; (line = s.lines().poll(100, TimeUnit.MILLISECONDS)) != null; )
            if (line.startsWith(prefix)) {
              warm.add(s);
              break;
            }
        }
      }
    }

    List<String> viaHttp = new ArrayList<>();
    List<String> viaRoute = new ArrayList<>();
    try (WireClient in = new WireClient(routePublisher.port("alerts-in"))) {
      for (int i = 0; i < 30; i++) {
        viaHttp.add("http-" + i);
        publishToTopic(httpPublisher, "http-" + i);
        viaRoute.add("route-" + i);
        in.writeLine("route-" + i);
      }
      for (Subscriber s : subscribers) {
        List<String> http = new ArrayList<>();
        List<String> route = new ArrayList<>();
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while ((http.size() < viaHttp.size() || route.size() < viaRoute.size())
            && System.nanoTime() < until) {
          String line = s.lines().poll(1, TimeUnit.SECONDS);
          if (line == null) continue;
          if (line.startsWith("http-")) http.add(line);
          else if (line.startsWith("route-")) route.add(line);
        }
        // one publisher per source, so each source's messages arrive in its order
        assertEquals(viaHttp, http, s.name() + ": published through " + httpPublisher.name());
        assertEquals(viaRoute, route, s.name() + ": routed on " + routePublisher.name());
      }
    }
  }

  @Test
  @Tag("resilience")
  void nodeLeavingGracefullyHandsOverItsQueuesWhileOtherNodesKeepTheirConnectionsThenRejoins()
      throws Exception {
    Set<String> ackedWork = ConcurrentHashMap.newKeySet();
    Set<String> ackedQueues = ConcurrentHashMap.newKeySet();
    // Start every queue (so shards spread over the nodes) and see the work -> done route run.
    for (String q : QUEUES) assertEquals(201, publish(nodes.get(0), q, q + "-first"));
    ackedQueues.addAll(QUEUES.stream().map(q -> q + "-first").toList());
    assertEquals(201, publish(nodes.get(0), "work", "work-first"));
    ackedWork.add("work-first");
    awaitDone(nodes.get(0), ackedWork, 60);

    Node leaving = hostOf("work");
    List<Node> staying = nodes.stream().filter(n -> n != leaving).toList();
    // an HTTP delivery stream of work through a staying node ends when work moves
    CountDownLatch streamEnded = deliveryStream(staying.get(0), "work");
    List<String> movedQueues = new ArrayList<>();
    for (String q : QUEUES) if (hostOf(q) == leaving) movedQueues.add(q);

    AtomicBoolean stop = new AtomicBoolean();
    AtomicBoolean left = new AtomicBoolean();
    AtomicInteger echoes = new AtomicInteger();
    AtomicInteger echoesAfterLeave = new AtomicInteger();
    List<String> disconnects = new CopyOnWriteArrayList<>();
    CountDownLatch beforeLeave = new CountDownLatch(100);
    CountDownLatch afterLeave = new CountDownLatch(100);
    List<Thread> threads = new ArrayList<>();
    for (Node n : staying)
      for (int c = 0; c < 2; c++)
        threads.add(
            echoClient(
                n.name() + "-echo-" + c,
                n.port("echo"),
                stop,
                left,
                echoes,
                echoesAfterLeave,
                disconnects));
    for (int p = 0; p < staying.size(); p++) {
      Node via = staying.get(p);
      int id = p;
      threads.add(
          thread(
              "publisher-" + p,
              () -> {
                for (int i = 0; !stop.get() && i < 5000; i++) {
                  boolean toWork = i % 2 == 0;
                  String q = toWork ? "work" : QUEUES.get(i / 2 % QUEUES.size());
                  String body = q + "-p" + id + "-" + i;
                  int status;
                  try {
                    status = publish(via, q, body);
                  } catch (IOException e) {
                    continue; // timed out while its queue moved: not acknowledged
                  } catch (InterruptedException e) {
                    return;
                  }
                  if (status != 201) continue;
                  (toWork ? ackedWork : ackedQueues).add(body);
                  beforeLeave.countDown();
                  if (left.get()) afterLeave.countDown();
                }
              }));
    }
    long leaveMs;
    try {
      assertTrue(beforeLeave.await(90, TimeUnit.SECONDS), "publishes acked before the leave");
      long t0 = System.nanoTime();
      int exit = leaving.process().terminate(90); // SIGTERM: CoordinatedShutdown leaves
      leaveMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      assertEquals(0, exit, "a graceful leave exits 0:\n" + ClusterApi.tail(leaving));
      left.set(true);
      awaitMembersUp(staying.get(0), NODES - 1, 60);
      assertTrue(
          afterLeave.await(90, TimeUnit.SECONDS),
          "publishes acked after the leave: " + (100 - afterLeave.getCount()) + "\n" + logs());
      int echoesAtResume = echoesAfterLeave.get();
      assertTrue(echoesAtResume > 0, "echoes after the leave");
      assertTrue(streamEnded.await(60, TimeUnit.SECONDS), "the stream of work ended as it moved");
    } finally {
      stop.set(true);
      for (Thread t : threads) t.join(30_000);
    }
    assertEquals(List.of(), disconnects, "connections to the staying nodes dropped");
    System.out.printf(
        "graceful leave of %s (hosting work and %s): exited %d ms after SIGTERM; %d echoes on %d"
            + " connections, %d after the leave, none dropped%n",
        leaving.name(), movedQueues, leaveMs, echoes.get(), 4, echoesAfterLeave.get());
    assertNotEquals(leaving, hostOf("work"), "work moved off the node that left");
    // the route consumers on the staying nodes followed work to its new node
    awaitDone(staying.get(0), ackedWork, 60);

    // The node comes back under the same address, as a new incarnation. Its own address must not
    // be its first seed: a first seed that hears from no other seed within seed-node-timeout (5 s,
    // easily missed on a loaded machine) forms a second cluster on the same journal.
    List<String> rejoinSeeds = new ArrayList<>();
    for (Node n : staying) rejoinSeeds.add("\"127.0.0.1:" + n.clusterPort() + "\"");
    rejoinSeeds.add("\"127.0.0.1:" + leaving.clusterPort() + "\"");
    Node back = start(leaving.name(), leaving.clusterPort(), rejoinSeeds);
    nodes.set(nodes.indexOf(leaving), back);
    awaitMembersUp(staying.get(0), NODES, BOOT_SECONDS);
    assertEquals(201, publish(back, "work", "work-after-rejoin"));
    ackedWork.add("work-after-rejoin");
    awaitDone(back, ackedWork, 60);
    for (String q : QUEUES) {
      List<String> content = peek(back, q);
      assertEquals(content.size(), new HashSet<>(content).size(), q + " holds a message twice");
    }
    Set<String> stored = new HashSet<>();
    for (String q : QUEUES) stored.addAll(peek(back, q));
    Set<String> missing = new HashSet<>(ackedQueues);
    missing.removeAll(stored);
    assertEquals(Set.of(), missing, "acknowledged but not in their queue after leave and rejoin");
  }

  /** Waits until queue {@code done} holds every message in {@code work} (duplicates allowed). */
  private void awaitDone(Node via, Set<String> work, int seconds) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    Set<String> missing = Set.of();
    while (System.nanoTime() < deadline) {
      missing = new HashSet<>(work);
      missing.removeAll(peek(via, "done"));
      if (missing.isEmpty()) return;
      via.process().process().waitFor(250, TimeUnit.MILLISECONDS); // a bounded poll of a queue
    }
    throw new AssertionError(
        missing.size() + " acked work messages never reached done: " + missing + "\n" + logs());
  }

  /** The node hosting {@code queue}'s shard, asking until every region answered the stats. */
  private Node hostOf(String queue) throws Exception {
    Node via =
        nodes.stream().filter(n -> n.process().process().isAlive()).findFirst().orElseThrow();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    String located = "";
    while (System.nanoTime() < deadline) {
      located = get(via, "/v1/cluster/queues/" + queue);
      String address = JSON.readTree(located).path("node").asText("");
      for (Node n : nodes) if (n.address().equals(address)) return n;
      // null while a region is slow to answer (it is listed as failed) or the shard is moving
      via.process().process().waitFor(250, TimeUnit.MILLISECONDS);
    }
    throw new AssertionError(queue + " is on no known node: " + located);
  }

  private static List<String> peek(Node via, String queue) throws Exception {
    List<String> out = new ArrayList<>();
    for (JsonNode m : JSON.readTree(get(via, "/v1/queues/" + queue + "/peek?max=1000")))
      out.add(m.at("/message/payload").asText());
    return out;
  }

  private static int publish(Node via, String queue, String body)
      throws IOException, InterruptedException {
    return via.api()
        .post(
            "/v1/queues/" + queue + "/messages",
            null,
            "text/plain",
            body.getBytes(StandardCharsets.UTF_8))
        .statusCode();
  }

  private static void publishToTopic(Node via, String body) throws Exception {
    HttpResponse<String> r =
        via.api()
            .post(
                "/v1/publish/topic:alerts",
                null,
                "text/plain",
                body.getBytes(StandardCharsets.UTF_8));
    assertEquals(202, r.statusCode(), r.body());
  }

  /** Lines a subscriber received, in order. */
  record Subscriber(String name, BlockingQueue<String> lines) {}

  private Subscriber tcpSubscriber(String name, int port) throws IOException {
    WireClient client = new WireClient(port);
    clients.add(client);
    client.socket().setSoTimeout(0); // closed by the test at the end
    BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    thread(
        name,
        () -> {
          try {
            while (true) lines.add(client.readLine());
          } catch (IOException e) {
            // closed at the end of the test
          }
        });
    return new Subscriber(name, lines);
  }

  private Subscriber sseSubscriber(String name, Node node) throws Exception {
    Stream<String> body = openLines(node, "/v1/topics/alerts/events");
    BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    thread(
        name,
        () -> {
          try {
            body.filter(l -> l.startsWith("data:"))
                .forEach(l -> lines.add(payload(l.substring("data:".length()))));
          } catch (java.io.UncheckedIOException e) {
            // the stream is closed at the end of the test
          }
        });
    return new Subscriber(name, lines);
  }

  private static String payload(String json) {
    try {
      // a message without a text payload is kept whole: it matches no expected line
      return JSON.readTree(json).path("payload").asText(json);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Opens {@code GET /v1/queues/<queue>/stream}; the latch opens when the server ends it. */
  private CountDownLatch deliveryStream(Node node, String queue) throws Exception {
    Stream<String> body = openLines(node, "/v1/queues/" + queue + "/stream?prefetch=4");
    CountDownLatch ended = new CountDownLatch(1);
    thread(
        node.name() + " stream of " + queue,
        () -> {
          try {
            body.forEach(l -> {});
          } catch (java.io.UncheckedIOException e) {
            // closed by the test at its end; the latch says whether the server ended it first
          }
          ended.countDown();
        });
    return ended;
  }

  /** {@code GET path} as a stream of lines, open until the server ends it or the test closes it. */
  private Stream<String> openLines(Node node, String path) throws Exception {
    // no request timeout: the response is a stream that lasts as long as the test needs it
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port("http") + path))
            .GET()
            .build();
    HttpResponse<Stream<String>> response =
        node.api().client().send(request, HttpResponse.BodyHandlers.ofLines());
    assertEquals(200, response.statusCode(), path);
    Stream<String> body = response.body();
    clients.add(body::close);
    return body;
  }

  private Thread echoClient(
      String name,
      int port,
      AtomicBoolean stop,
      AtomicBoolean left,
      AtomicInteger echoes,
      AtomicInteger echoesAfterLeave,
      List<String> disconnects) {
    return thread(
        name,
        () -> {
          try (WireClient c = new WireClient(port)) {
            for (int i = 0; !stop.get() && i < 1_000_000; i++) {
              String line = name + "-" + i;
              c.writeLine(line);
              String answer = c.readLine();
              if (!answer.equals(line)) throw new IOException("echoed " + answer + " for " + line);
              echoes.incrementAndGet();
              if (left.get()) echoesAfterLeave.incrementAndGet();
            }
          } catch (IOException e) {
            disconnects.add(name + ": " + e);
          }
        });
  }

  private static Thread thread(String name, Runnable body) {
    Thread t = new Thread(body, name);
    t.setDaemon(true);
    t.start();
    return t;
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
}
