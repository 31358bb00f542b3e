package io.junction.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.junction.testing.TestNode;
import io.junction.testing.UdpPeer;
import io.junction.testing.WireClient;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Crash rules under traffic: the actor throws, its supervisor restarts the smallest scope (one
 * endpoint, one queue), and every frame or message is accounted for.
 */
@Tag("resilience")
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class CrashFaultsResilienceTest {
  static TestNode node;
  static FaultApi faults;
  static int crashyPort;
  static int udpPort;

  @BeforeAll
  static void start() throws IOException {
    // A fixed port, so the test sees the restarted endpoint bind the port it released.
    try (ServerSocket s = new ServerSocket(0)) {
      crashyPort = s.getLocalPort();
    }
    try (DatagramSocket s = new DatagramSocket(0)) {
      udpPort = s.getLocalPort();
    }
    node =
        FaultApi.startNode(
            """
            queues { orders {}, shipped {}, datagrams {} }
            endpoints {
              crashy { kind = tcp-server, port = %d, framing.kind = length-prefixed }
              other { kind = tcp-server, port = 0, codec = text, framing.kind = delimiter }
              u-crash { kind = udp, port = %d, codec = text }
            }
            routes {
              crashy-echo { from = crashy, to = reply }
              other-echo { from = other, to = reply }
              ship { from = "queue:orders", to = "queue:shipped" }
              u-keep { from = u-crash, to = "queue:datagrams" }
            }
            """
                .formatted(crashyPort, udpPort));
    faults = new FaultApi(node.httpPort());
  }

  @AfterAll
  static void stop() throws Exception {
    node.close();
  }

  @Test
  void crashedEndpointRestartsAloneAndEveryFrameIsAnsweredOrItsConnectionClosed() throws Exception {
    assertEquals(crashyPort, node.port("crashy"));
    List<FramedPeer> live = new ArrayList<>();
    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger otherEchoes = new AtomicInteger();
    AtomicReference<Throwable> otherFailure = new AtomicReference<>();
    // The neighbour is used throughout, on one connection kept open and a new one each round.
    int otherPort = node.port("other"); // resolved once: a status query would crash crashy too
    Thread neighbour =
        new Thread(
            () -> {
              try (WireClient kept = new WireClient(otherPort)) {
                kept.socket().setSoTimeout(10_000);
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                for (int i = 0; i < 5000 && !stop.get() && System.nanoTime() < end; i++) {
                  kept.writeLine("k" + i);
                  assertEquals("k" + i, kept.readLine());
                  if (i % 20 == 0)
                    try (WireClient fresh = new WireClient(otherPort)) {
                      fresh.writeLine("f" + i);
                      assertEquals("f" + i, fresh.readLine());
                    }
                  otherEchoes.incrementAndGet();
                }
              } catch (Throwable t) {
                otherFailure.set(t);
              }
            },
            "neighbour");
    try {
      for (int i = 0; i < 4; i++) live.add(new FramedPeer(crashyPort).send("a" + i + "-", 50));
      for (FramedPeer p : live) FaultApi.until(node, () -> assertEquals(50, p.replies().size()));
      neighbour.start();
      int before = otherEchoes.get();

      String id = faults.add("kind", "crash-endpoint", "endpoint", "crashy", "ttl", "1m");
      // Live connections keep sending while the endpoint is crashed by the next connection.
      // A write may already meet the closed connection: that is the close observed.
      for (int i = 0; i < live.size(); i++)
        try {
          live.get(i).send("b" + i + "-", 200);
        } catch (IOException closed) {
          // checked below: the reader sees the close too
        }
      FramedPeer trigger = new FramedPeer(crashyPort).send("t", 1); // the crash's command
      FaultApi.until(node, () -> assertEquals(1, faults.hits(id)));

      // Every frame sent on a connection that lived through the crash is answered, in order,
      // or that connection is observed closed by the node (the design: a restart closes them).
      for (FramedPeer p : live) FaultApi.until(node, () -> assertTrue(p.closedByNode(), "closed"));
      for (int i = 0; i < live.size(); i++) {
        List<String> r = live.get(i).replies();
        assertTrue(r.size() >= 50 && r.size() <= 250, "answers: " + r.size());
        for (int k = 0; k < r.size(); k++)
          assertEquals(k < 50 ? "a" + i + "-" + k : "b" + i + "-" + (k - 50), r.get(k));
      }
      // The connection whose accept was the crashing command is closed, never left hanging.
      FaultApi.until(
          node, () -> assertTrue(trigger.closedByNode() || trigger.replies().size() == 1));
      trigger.close();

      // The endpoint listens again on its port and serves new connections (count = 1: once).
      assertEquals(crashyPort, node.port("crashy"));
      try (FramedPeer after = new FramedPeer(crashyPort).send("n", 100)) {
        FaultApi.until(node, () -> assertEquals(100, after.replies().size()));
        for (int k = 0; k < 100; k++) assertEquals("n" + k, after.replies().get(k));
      }
      assertEquals(1, faults.remove(id));
      assertEquals(1.0, faults.injectedMetric(id));

      // The neighbour served throughout, its kept connection never closed.
      FaultApi.until(node, () -> assertTrue(otherEchoes.get() > before + 20, "neighbour served"));
      stop.set(true);
      neighbour.join(30_000);
      if (otherFailure.get() != null) throw new AssertionError(otherFailure.get());
    } finally {
      stop.set(true);
      for (FramedPeer p : live) p.close();
    }
  }

  @Test
  void crashedQueueRecoversEveryAcknowledgedMessageAndItsRouteSourceContinues() throws Exception {
    int crashes = 3;
    String id =
        faults.add(
            "kind",
            "crash-queue",
            "queue",
            "orders",
            "percent",
            "10",
            "count",
            "" + crashes,
            "ttl",
            "1m");
    // Two publishers, each until the crashes are done and 100 more, bounded in count and time.
    Set<String> acked = ConcurrentHashMap.newKeySet();
    Set<String> refused = ConcurrentHashMap.newKeySet();
    Set<String> unknown = ConcurrentHashMap.newKeySet();
    // Answered, outcome unknown: its write was issued when the queue crashed, not yet confirmed.
    Set<String> maybe = ConcurrentHashMap.newKeySet();
    List<Thread> publishers = new ArrayList<>();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    for (int t = 0; t < 2; t++) {
      String prefix = "p" + t + "-";
      Thread th =
          new Thread(
              () -> {
                try {
                  int after = 0;
                  for (int i = 0; i < 300 && after < 100 && System.nanoTime() < end; i++) {
                    if (faults.hits(id) >= crashes) after++;
                    String payload = prefix + i;
                    var r =
                        faults
                            .http()
                            .post(
                                "/v1/queues/orders/messages",
                                null,
                                "text/plain",
                                payload.getBytes(StandardCharsets.UTF_8));
                    if (r.statusCode() == 201) acked.add(payload);
                    else if (r.statusCode() == 503 && r.body().contains("may still be stored"))
                      maybe.add(payload);
                    else if (r.statusCode() == 503 && r.body().contains("restarting after a crash"))
                      refused.add(payload);
                    else if (r.statusCode() == 503) unknown.add(payload); // did not answer in time
                    else throw new AssertionError(r.statusCode() + " " + r.body());
                  }
                } catch (Throwable e) {
                  failure.set(e);
                }
              },
              "publisher-" + t);
      th.start();
      publishers.add(th);
    }
    for (Thread th : publishers) th.join(90_000);
    if (failure.get() != null) throw new AssertionError(failure.get());
    assertEquals(crashes, faults.remove(id), "crashes");
    assertEquals((double) crashes, faults.injectedMetric(id));

    // Every acknowledged message reaches shipped through the route, whose source went on after
    // each restart; leases lost in a crash are redelivered (at-least-once: some twice).
    Set<String> sent = new HashSet<>(acked);
    sent.addAll(refused);
    sent.addAll(unknown);
    sent.addAll(maybe);
    FaultApi.until(
        node,
        () -> {
          assertEquals(0, faults.queue("orders").get("depth").asInt(), "orders drained");
          assertTrue(faults.payloads("shipped").containsAll(acked), "every ack shipped");
        });
    List<String> shipped = faults.payloads("shipped");
    assertEquals(0, faults.queue("orders").get("dead_letters").asInt());
    assertTrue(sent.containsAll(shipped), "nothing shipped that was not sent");
    for (String r : refused) assertFalse(shipped.contains(r), "refused yet stored: " + r);
    int copies = shipped.size() - new HashSet<>(shipped).size();
    // the route source holds at most its prefetch window of 32 leases when the queue crashes
    assertTrue(copies <= 32 * crashes, "redelivered twice: " + copies);
    assertTrue(acked.size() >= 200, "publishes went on around the crashes: " + acked.size());
    // Only the commands a crash interrupted go unanswered (their publishers get 503 once the
    // request times out): the crashing one, and any the queue had stashed behind a write in
    // flight, which its restart drops. Each publisher has one publish outstanding at a time, so
    // at most one per publisher per crash.
    assertTrue(
        unknown.size() <= crashes * publishers.size(),
        "publishes the queue did not answer: " + unknown);
  }

  @Test
  void crashedUdpEndpointBindsItsPortAgainAndHandlesDatagramsAfterwards() throws Exception {
    assertEquals(udpPort, node.port("u-crash"));
    try (UdpPeer peer = new UdpPeer()) {
      for (int i = 0; i < 20; i++) peer.send(("b" + i).getBytes(StandardCharsets.UTF_8), udpPort);
      FaultApi.until(node, () -> assertEquals(20, faults.payloads("datagrams").size()));
      String id = faults.add("kind", "crash-endpoint", "endpoint", "u-crash", "ttl", "1m");
      peer.send("crash".getBytes(StandardCharsets.UTF_8), udpPort); // the crashing command
      FaultApi.until(node, () -> assertEquals(1, faults.hits(id)));
      long crashed = System.nanoTime();
      // Datagrams sent while the endpoint restarts may be lost (UDP promises nothing); once it
      // is bound again each one is handled, once.
      assertEquals(udpPort, node.port("u-crash"));
      // After the first backoff (1 s), not after several: the old socket released the port.
      long rebound = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - crashed);
      assertTrue(rebound < 6000, "bound again after " + rebound + " ms");
      for (int i = 0; i < 20; i++) peer.send(("c" + i).getBytes(StandardCharsets.UTF_8), udpPort);
      FaultApi.until(
          node,
          () -> {
            List<String> got = faults.payloads("datagrams");
            assertEquals(40, got.size(), "got " + got);
            for (int i = 0; i < 20; i++) assertEquals("c" + i, got.get(20 + i));
          });
      assertFalse(faults.payloads("datagrams").contains("crash"), "the crashing command is lost");
      assertEquals(1, faults.remove(id));
    }
  }
}
