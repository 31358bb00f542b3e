package io.junction.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.junction.testing.ChildNode;
import io.junction.testing.QueueClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 a node while clients publish over HTTP: after a restart every acknowledged message is in
 * the queue exactly once and in each publisher's order; consumed and acked, it stays gone.
 */
class QueueCrashTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int PUBLISHERS = 8;
  private static final int MAX_MESSAGES = 10_000;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** The node under test on {@code dir}; a subclass runs the same scenario on another journal. */
  protected ChildNode startNode(Path dir) throws Exception {
    return ChildNode.start(dir, config(dir, ""));
  }

  /** The node config: HTTP on a free port, queue {@code crash}, plus {@code journal} (HOCON). */
  protected static String config(Path dir, String journal) {
    return """
        junction {
          data-dir = "%s"
          http.port = 0
          queues.crash { ack-timeout = 5m }
          %s
        }
        """
        .formatted(dir.resolve("data"), journal);
  }

  @Test
  void everyAcknowledgedPublishSurvivesKillMinusNineExactlyOnceAndInOrder(@TempDir Path dir)
      throws Exception {
    Random random = new Random(20261126);
    ChildNode node = startNode(dir);
    try {
      for (int run = 0; run < 3; run++) {
        int port = node.port("http", 90);
        assertEquals(0, depth(port), "queue empty at the start of run " + run);
        int killAt = 300 + random.nextInt(2_500);
        Set<String> acked = publishUntilKilled(node, port, killAt);
        assertTrue(acked.size() >= killAt, "acked " + acked.size() + " before the kill");
        node = startNode(dir);
        port = node.port("http", 90);
        List<String> inQueue = consumeAll(port);
        Set<String> distinct = new HashSet<>(inQueue);
        assertEquals(inQueue.size(), distinct.size(), "no message is in the queue twice");
        Set<String> missing = new HashSet<>(acked);
        missing.removeAll(distinct);
        assertTrue(missing.isEmpty(), "acknowledged but lost after kill -9: " + missing);
        assertPublisherOrder(inQueue);
        node.kill(); // the acks are durable too: the next run starts by checking the queue is empty
        node = startNode(dir);
      }
    } finally {
      node.close();
    }
  }

  private Set<String> publishUntilKilled(ChildNode node, int port, int killAt) throws Exception {
    Set<String> acked = ConcurrentHashMap.newKeySet();
    AtomicInteger next = new AtomicInteger();
    CountDownLatch reached = new CountDownLatch(1);
    List<Thread> publishers = new ArrayList<>();
    for (int t = 0; t < PUBLISHERS; t++) {
      int publisher = t;
      Thread th =
          new Thread(
              () -> {
                for (int n = 0; next.getAndIncrement() < MAX_MESSAGES; n++) {
                  String body = publisher + "-" + n;
                  try {
                    HttpResponse<String> r =
                        http.send(
                            HttpRequest.newBuilder(
                                    URI.create(
                                        "http://127.0.0.1:" + port + "/v1/queues/crash/messages"))
                                .timeout(Duration.ofSeconds(10))
                                .POST(HttpRequest.BodyPublishers.ofString(body))
                                .build(),
                            HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() != 201) return;
                    acked.add(body);
                    if (acked.size() >= killAt) reached.countDown();
                  } catch (Exception e) {
                    return; // the node is gone: this publisher stops
                  }
                }
              });
      th.start();
      publishers.add(th);
    }
    assertTrue(reached.await(120, TimeUnit.SECONDS), "publishers reached " + acked.size());
    node.kill();
    for (Thread th : publishers) th.join(30_000);
    return Set.copyOf(acked);
  }

  private List<String> consumeAll(int port) throws Exception {
    return new QueueClient(port).drain("crash");
  }

  private static void assertPublisherOrder(List<String> inQueue) {
    Map<String, Integer> last = new HashMap<>();
    for (String m : inQueue) {
      String[] p = m.split("-");
      int n = Integer.parseInt(p[1]);
      Integer before = last.put(p[0], n);
      assertTrue(before == null || before < n, "publisher " + p[0] + ": " + n + " after " + before);
    }
  }

  private int depth(int port) throws Exception {
    return JSON.readTree(get(port, "/v1/queues/crash")).get("depth").asInt();
  }

  private String get(int port, String path) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
    return r.body();
  }
}
