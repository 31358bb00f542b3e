package io.junction.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.junction.testing.TestNode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Rules scoped to a route: they hit that route's deliveries only, while another route to the same
 * destination is untouched; every message is accounted for in the destination or the rule's hits.
 */
@Tag("resilience")
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class RouteFaultsResilienceTest {
  static TestNode node;
  static FaultApi faults;

  @BeforeAll
  static void start() {
    node =
        FaultApi.startNode(
            """
              queues { failing {}, pausing {} }
              endpoints {
                a1 { kind = tcp-server, port = 0, framing.kind = length-prefixed }
                b1 { kind = tcp-server, port = 0, framing.kind = length-prefixed }
                a2 { kind = tcp-server, port = 0, framing.kind = length-prefixed }
                b2 { kind = tcp-server, port = 0, framing.kind = length-prefixed }
              }
              routes {
                from-a1 { from = a1, to = [reply, "queue:failing"] }
                from-b1 { from = b1, to = [reply, "queue:failing"] }
                from-a2 { from = a2, to = [reply, "queue:pausing"] }
                from-b2 { from = b2, to = [reply, "queue:pausing"] }
              }
            """);
    faults = new FaultApi(node.httpPort());
  }

  @AfterAll
  static void stop() throws Exception {
    node.close();
  }

  private static List<String> expected(String prefix, int n) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) out.add(prefix + i);
    return out;
  }

  private static List<String> withPrefix(List<String> all, String prefix) {
    return all.stream().filter(p -> p.startsWith(prefix)).toList();
  }

  @Test
  void failingOneRouteLeavesAnotherRouteToTheSameDestinationAlone() throws Exception {
    String id = faults.add("kind", "fail-destination", "route", "from-a1", "ttl", "1m");
    int n = 200;
    try (FramedPeer a = new FramedPeer(node.port("a1")).send("a", n);
        FramedPeer b = new FramedPeer(node.port("b1")).send("b", n)) {
      node.await(
          () -> {
            assertEquals(n, a.replies().size(), "the reply path is not on the route's proxy");
            assertEquals(n, b.replies().size());
            assertEquals(n, faults.hits(id), "every delivery of route from-a1 failed");
            assertEquals(
                expected("b", n), faults.payloads("failing"), "from-b1 delivers, in order");
            return true;
          });
      assertEquals((double) n, faults.injectedMetric(id));
      assertEquals(n, faults.remove(id));
      a.send("x", 10);
      node.await(
          () -> {
            assertEquals(expected("x", 10), withPrefix(faults.payloads("failing"), "x"));
            return true;
          });
      assertEquals(
          List.of(), withPrefix(faults.payloads("failing"), "a"), "no failed one slipped in");
    }
  }

  @Test
  void pausingOneRouteHoldsOnlyItsDeliveriesThenHandsThemOver() throws Exception {
    String id = faults.add("kind", "pause-destination", "route", "from-a2", "ttl", "3s");
    int n = 100;
    try (FramedPeer a = new FramedPeer(node.port("a2")).send("a", n);
        FramedPeer b = new FramedPeer(node.port("b2")).send("b", n)) {
      node.await(
          () -> {
            assertEquals(n, faults.hits(id), "every delivery of route from-a2 held");
            assertEquals(expected("b", n), faults.payloads("pausing"), "from-b2 is not held");
            return true;
          });
      node.await(
          () -> {
            List<String> all = faults.payloads("pausing");
            assertEquals(2 * n, all.size());
            assertEquals(expected("a", n), withPrefix(all, "a"), "held ones arrive, in order");
            return true;
          });
    }
  }
}
