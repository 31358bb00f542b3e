package io.junction.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.junction.testing.TestNode;
import io.junction.testing.WireClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Faults on a TCP endpoint's frames, injected under traffic: every frame a client sent is either
 * answered or counted by the rule, nothing else is affected, and the endpoint next door serves on.
 */
@Tag("resilience")
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class FrameFaultsResilienceTest {
  static TestNode node;
  static FaultApi faults;
  final List<String> rules = new ArrayList<>();

  @BeforeAll
  static void start() {
    node =
        FaultApi.startNode(
            """
              endpoints {
                # frame-timeout well under the delays and stalls below: the node's own slowness
                # must not count against a peer
                frames { kind = tcp-server, port = 0, frame-timeout = 500ms,
                         framing.kind = length-prefixed }
                closing { kind = tcp-server, port = 0, on-handler-failure = close,
                          framing.kind = length-prefixed }
                other { kind = tcp-server, port = 0, codec = text, framing.kind = delimiter }
              }
              routes {
                frames-echo { from = frames, to = reply }
                closing-echo { from = closing, to = reply }
                other-echo { from = other, to = reply }
              }
            """);
    faults = new FaultApi(node.httpPort());
  }

  @AfterAll
  static void stop() throws Exception {
    node.close();
  }

  @AfterEach
  void removeRules() throws Exception {
    for (String id : rules)
      if (faults.hits(id) >= 0) faults.http().delete("/v1/faults/" + id, null);
    rules.clear();
  }

  private String add(String... keyValues) throws Exception {
    String id = faults.add(keyValues);
    rules.add(id);
    return id;
  }

  /** The neighbouring endpoint still echoes. */
  private static void otherEndpointServes() throws Exception {
    try (WireClient c = new WireClient(node.port("other"))) {
      c.writeLine("still here");
      assertEquals("still here", c.readLine());
    }
  }

  private static void inOrderWithoutDuplicates(List<String> replies, String prefix) {
    int last = -1;
    for (String r : replies) {
      int i = Integer.parseInt(r.substring(prefix.length()));
      assertTrue(i > last, "out of order or duplicated: " + i + " after " + last);
      last = i;
    }
  }

  @Test
  void droppedFramesAreExactlyTheOnesTheRuleCounted() throws Exception {
    String id = add("kind", "drop", "endpoint", "frames", "percent", "30", "ttl", "2m");
    int n = 2000;
    try (FramedPeer peer = new FramedPeer(node.port("frames")).send("d", n)) {
      node.await(
          () -> {
            try {
              long hits = faults.hits(id);
              assertEquals(n, peer.replies().size() + hits, "answered + dropped");
              return hits;
            } catch (Exception e) {
              throw new AssertionError(e);
            }
          });
      long hits = faults.remove(id);
      assertTrue(hits > n / 10 && hits < n / 2, "about 30% dropped: " + hits);
      inOrderWithoutDuplicates(peer.replies(), "d");
      assertEquals((double) hits, faults.injectedMetric(id));
      otherEndpointServes();
    }
  }

  @Test
  void delayedFramesArriveInOrderWithoutBlockingThreads() throws Exception {
    add("kind", "delay", "endpoint", "frames", "delay", "400ms", "jitter", "100ms", "ttl", "2m");
    // 48 connections x 3 frames held 300..500 ms each: held by timers, they overlap; had each
    // delay blocked a thread of the node's dispatcher, this would take several times longer.
    List<FramedPeer> peers = new ArrayList<>();
    long start = System.nanoTime();
    try {
      for (int i = 0; i < 48; i++) peers.add(new FramedPeer(node.port("frames")).send("w", 3));
      otherEndpointServes(); // answered while the frames are held
      for (FramedPeer p : peers)
        node.await(
            () -> {
              assertEquals(List.of("w0", "w1", "w2"), p.replies());
              return true;
            });
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      assertTrue(took.compareTo(Duration.ofMillis(850)) >= 0, "three delays in a row: " + took);
      assertTrue(took.compareTo(Duration.ofSeconds(6)) < 0, "delays overlapped: " + took);
    } finally {
      for (FramedPeer p : peers) p.close();
    }
  }

  @Test
  void duplicatedFramesAreHandledTwiceAndCounted() throws Exception {
    String id = add("kind", "duplicate", "endpoint", "frames", "percent", "50", "ttl", "2m");
    int n = 500;
    try (FramedPeer peer = new FramedPeer(node.port("frames")).send("u", n)) {
      node.await(
          () -> {
            try {
              assertEquals(n + faults.hits(id), peer.replies().size());
              return true;
            } catch (Exception e) {
              throw new AssertionError(e);
            }
          });
      List<String> r = peer.replies();
      Set<String> distinct = new HashSet<>(r);
      assertEquals(n, distinct.size(), "every frame answered at least once");
      assertEquals(faults.remove(id), r.size() - n);
    }
  }

  @Test
  void corruptedFramesKeepTheirFramingAndAreCounted() throws Exception {
    String id = add("kind", "corrupt", "endpoint", "frames", "percent", "25", "ttl", "2m");
    int n = 1000;
    try (FramedPeer peer = new FramedPeer(node.port("frames")).send("c", n)) {
      node.await(
          () -> {
            assertEquals(n, peer.replies().size());
            return true;
          });
      long changed = 0;
      List<String> r = peer.replies();
      for (int i = 0; i < n; i++)
        if (!r.get(i)
            .equals(
                new String(
                    FramedPeer.payload("c", i), java.nio.charset.StandardCharsets.ISO_8859_1)))
          changed++;
      assertEquals(faults.remove(id), changed, "one corrupted reply per hit, lengths intact");
      assertFalse(peer.closedByNode());
    }
  }

  @Test
  void closeAfterClosesEachConnectionAfterItsCountOnly() throws Exception {
    String id = add("kind", "close-after", "endpoint", "frames", "count", "5", "ttl", "2m");
    try (FramedPeer a = new FramedPeer(node.port("frames")).send("a", 20);
        FramedPeer b = new FramedPeer(node.port("frames")).send("b", 3)) {
      node.await(
          () -> {
            assertTrue(a.closedByNode(), "a closed after 5 frames");
            assertEquals(List.of("a0", "a1", "a2", "a3", "a4"), a.replies());
            assertEquals(List.of("b0", "b1", "b2"), b.replies());
            return true;
          });
      assertFalse(b.closedByNode(), "b has read only 3 frames");
      assertEquals(1, faults.remove(id));
      otherEndpointServes();
    }
    try (FramedPeer c = new FramedPeer(node.port("frames")).send("c", 10)) {
      node.await(
          () -> {
            assertEquals(10, c.replies().size(), "endpoint accepts and serves after the rule");
            return true;
          });
    }
  }

  @Test
  void stalledConnectionResumesInOrderWhileOthersServe() throws Exception {
    String id = add("kind", "stall", "endpoint", "frames", "duration", "1500ms", "ttl", "2m");
    long start = System.nanoTime();
    try (FramedPeer a = new FramedPeer(node.port("frames")).send("s", 50)) {
      otherEndpointServes();
      assertTrue(a.replies().isEmpty(), "stalled: nothing answered yet");
      node.await(
          () -> {
            assertEquals(50, a.replies().size());
            return true;
          });
      inOrderWithoutDuplicates(a.replies(), "s");
      assertTrue(Duration.ofNanos(System.nanoTime() - start).toMillis() >= 1400);
      assertEquals(
          0.0,
          node.status("frames").counters().get("frame_timeouts"),
          "a stall of 1.5 s by the node is not a frame-timeout of 500 ms for the peer");
      assertEquals(1, faults.remove(id), "one stall per connection");
    }
  }

  @Test
  void throwingHandlerLosesOnlyItsFrameUnderRestart() throws Exception {
    String id = add("kind", "throw", "endpoint", "frames", "percent", "20", "ttl", "2m");
    int n = 1000;
    try (FramedPeer peer = new FramedPeer(node.port("frames")).send("t", n)) {
      node.await(
          () -> {
            try {
              assertEquals(n, peer.replies().size() + faults.hits(id));
              return true;
            } catch (Exception e) {
              throw new AssertionError(e);
            }
          });
      assertFalse(peer.closedByNode(), "on-handler-failure = restart keeps the connection");
      faults.remove(id);
      peer.send("after", 1);
      node.await(
          () -> {
            assertEquals("after0", peer.replies().get(peer.replies().size() - 1));
            return true;
          });
    }
  }

  @Test
  void throwingHandlerClosesOnlyItsConnectionUnderClose() throws Exception {
    try (FramedPeer calm = new FramedPeer(node.port("closing")).send("k", 1)) {
      node.await(
          () -> {
            assertEquals(List.of("k0"), calm.replies());
            return true;
          });
      String id = add("kind", "throw", "endpoint", "closing", "ttl", "2m");
      try (FramedPeer victim = new FramedPeer(node.port("closing")).send("v", 3)) {
        node.await(
            () -> {
              assertTrue(victim.closedByNode());
              return true;
            });
        assertTrue(victim.replies().isEmpty());
      }
      faults.remove(id);
      calm.send("k", 2); // k0, k1: the sibling connection was not touched
      node.await(
          () -> {
            assertEquals(List.of("k0", "k0", "k1"), calm.replies());
            return true;
          });
      assertFalse(calm.closedByNode());
    }
  }
}
