package io.junction.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.junction.testing.TestNode;
import io.junction.testing.WireClient;
import java.io.IOException;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
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

  @BeforeAll
  static void start() throws IOException {
    // A fixed port, so the test sees the restarted endpoint bind the port it released.
    try (ServerSocket s = new ServerSocket(0)) {
      crashyPort = s.getLocalPort();
    }
    node =
        FaultApi.startNode(
            """
            endpoints {
              crashy { kind = tcp-server, port = %d, framing.kind = length-prefixed }
              other { kind = tcp-server, port = 0, codec = text, framing.kind = delimiter }
            }
            routes {
              crashy-echo { from = crashy, to = reply }
              other-echo { from = other, to = reply }
            }
            """
                .formatted(crashyPort));
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
}
