package io.junction.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.junction.testing.TestNode;
import io.junction.testing.WireClient;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Faults on destinations: a failing destination is reported to whoever can be told (an HTTP
 * publisher gets 503, a queue route redelivers), a paused one holds deliveries in a bounded buffer
 * and refuses, counted, what does not fit; nothing acknowledged is lost.
 */
@Tag("resilience")
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class DestinationFaultsResilienceTest {
  static TestNode node;
  static FaultApi faults;

  @BeforeAll
  static void start() {
    node =
        FaultApi.startNode(
            """
              queues { orders {}, in { max-deliveries = 3 }, out {}, held {}, burst {} }
              endpoints {
                feed { kind = tcp-server, port = 0, framing.kind = length-prefixed }
                bursty { kind = tcp-server, port = 0,
                         framing { kind = length-prefixed, max-frame-bytes = 4k } }
              }
              routes {
                forward { from = "queue:in", to = "queue:out" }
                feed-held { from = feed, to = "queue:held" }
                burst { from = bursty, to = [reply, "queue:burst"] }
              }
            """);
    faults = new FaultApi(node.httpPort());
  }

  @AfterAll
  static void stop() throws Exception {
    node.close();
  }

  @Test
  void failedDestinationIsReportedToEveryHttpPublisher() throws Exception {
    String id =
        faults.add(
            "kind",
            "fail-destination",
            "destination",
            "queue:orders",
            "percent",
            "40",
            "ttl",
            "2m");
    int n = 200, accepted = 0, refused = 0;
    for (int i = 0; i < n; i++) {
      var r =
          faults
              .http()
              .post(
                  "/v1/publish/queue:orders",
                  null,
                  "text/plain",
                  ("o" + i).getBytes(StandardCharsets.UTF_8));
      if (r.statusCode() == 202) accepted++;
      else if (r.statusCode() == 503 && r.body().contains("fail-destination")) refused++;
      else throw new AssertionError(r.statusCode() + " " + r.body());
    }
    assertEquals(n, accepted + refused);
    assertEquals(refused, faults.remove(id), "each refusal was an injection");
    assertTrue(refused > 0 && accepted > 0, accepted + " accepted, " + refused + " refused");
    int expected = accepted;
    node.await(
        () -> {
          assertEquals(
              expected, faults.queue("orders").get("depth").asInt(), "every 202 is durable");
          return true;
        });
  }

  @Test
  void failedQueueDeliveriesAreRedeliveredOrDeadLetteredNeverLost() throws Exception {
    String id =
        faults.add(
            "kind", "fail-destination", "destination", "queue:out", "percent", "50", "ttl", "3s");
    int n = 100;
    for (int i = 0; i < n; i++) {
      var r =
          faults
              .http()
              .post(
                  "/v1/queues/in/messages",
                  null,
                  "text/plain",
                  ("m" + i).getBytes(StandardCharsets.UTF_8));
      assertEquals(201, r.statusCode(), r.body());
    }
    node.await(
        () -> {
          JsonNode in = faults.queue("in"), out = faults.queue("out");
          assertEquals(0, in.get("depth").asInt(), "in drained");
          assertEquals(
              n, out.get("depth").asInt() + in.get("dead_letters").asInt(), "out + dead letters");
          return true;
        });
    assertTrue(faults.hits(id) > 0 || faults.injectedMetric(id) > 0, "the rule did hit");
  }

  @Test
  void pausedDestinationHoldsDeliveriesThenHandsThemOverWhenTheRuleEnds() throws Exception {
    String id = faults.add("kind", "pause-destination", "destination", "queue:held", "ttl", "2s");
    int n = 300;
    try (FramedPeer peer = new FramedPeer(node.port("feed")).send("p", n)) {
      node.await(
          () -> {
            assertEquals(n, faults.hits(id));
            return true;
          });
      assertEquals(0, faults.queue("held").get("depth").asInt(), "nothing passes while paused");
      node.await(
          () -> {
            assertEquals(n, faults.queue("held").get("depth").asInt(), "all held ones delivered");
            return true;
          });
    }
  }

  @Test
  void burstIntoPausedDestinationStaysBoundedAndRecovers() throws Exception {
    int buffer = 500, n = 10 * buffer, size = 1024;
    String id =
        faults.add(
            "kind",
            "pause-destination",
            "destination",
            "queue:burst",
            "buffer",
            String.valueOf(buffer),
            "ttl",
            "2m");
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    long before = heapAfterGc(memory);
    long start = System.nanoTime();
    try (FramedPeer peer = new FramedPeer(node.port("bursty"))) {
      // 10x what the paused destination can take, in bounded writes of 100 frames
      byte[] pad = new byte[size - 8];
      for (int i = 0; i < n; i += 100) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (int j = i; j < i + 100; j++) {
          byte[] p = String.format("b%07d", j).getBytes(StandardCharsets.ISO_8859_1);
          out.writeBytes(WireClient.frame(concat(p, pad)));
        }
        peer.sendRaw(out.toByteArray());
      }
      node.await(
          () -> {
            assertEquals(n, peer.replies().size(), "the reply path is not held up");
            assertEquals(n, faults.hits(id), "every delivery was held or refused by the pause");
            return true;
          });
      long burstMillis = (System.nanoTime() - start) / 1_000_000;
      long grown = heapAfterGc(memory) - before;
      assertEquals(0, faults.queue("burst").get("depth").asInt());
      assertTrue(grown < 64L << 20, "heap grew by " + (grown >> 20) + " MiB during the burst");
      faults.remove(id);
      node.await(
          () -> {
            assertEquals(
                buffer, faults.queue("burst").get("depth").asInt(), "the held ones, no more");
            return true;
          });
      long t = System.nanoTime();
      peer.sendRaw(WireClient.frame("after".getBytes(StandardCharsets.ISO_8859_1)));
      node.await(
          () -> {
            assertEquals(buffer + 1, faults.queue("burst").get("depth").asInt(), "recovered");
            return true;
          });
      long recoveredMillis = (System.nanoTime() - t) / 1_000_000;
      System.out.printf(
          "overload: %d x %d B burst in %d ms, heap after GC grew %d KiB, %d held + %d refused,"
              + " delivery after the pause %d ms%n",
          n, size, burstMillis, grown >> 10, buffer, n - buffer, recoveredMillis);
      assertTrue(recoveredMillis < 5000, "delivery latency back to normal: " + recoveredMillis);
    }
  }

  private static long heapAfterGc(MemoryMXBean memory) {
    System.gc();
    return memory.getHeapMemoryUsage().getUsed();
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] c = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, c, a.length, b.length);
    return c;
  }
}
