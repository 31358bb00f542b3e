package io.junction.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.junction.testing.HttpApi;
import io.junction.testing.TestNode;
import io.junction.testing.WireClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Hostile peers: connections that dribble a byte and go quiet are closed by the idle timeout, those
 * that dribble bytes just inside it by the frame timeout, a flood beyond max-connections is refused
 * and counted while the existing connections keep being served, and oversized HTTP requests get
 * 413/431 without reaching a route.
 */
@Tag("resilience")
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class HostileClientsTest {
  static TestNode node;

  @BeforeAll
  static void start() {
    node =
        TestNode.start(
            """
            junction {
              http.max-body-bytes = 64k
              endpoints {
                slow { kind = tcp-server, port = 0, idle-timeout = 500ms,
                       framing.kind = length-prefixed }
                dribble { kind = tcp-server, port = 0, idle-timeout = 5s, frame-timeout = 1s,
                          framing.kind = length-prefixed }
                capped { kind = tcp-server, port = 0, max-connections = 10, codec = text,
                         framing.kind = delimiter }
              }
              routes {
                slow-echo { from = slow, to = reply }
                dribble-echo { from = dribble, to = reply }
                capped-echo { from = capped, to = reply }
              }
            }
            """);
  }

  @AfterAll
  static void stop() throws Exception {
    node.close();
  }

  @Test
  void slowlorisConnectionsAreClosedByTheIdleTimeout() throws Exception {
    List<WireClient> lorises = new ArrayList<>();
    try {
      for (int i = 0; i < 100; i++)
        lorises.add(new WireClient(node.port("slow")).write(new byte[] {0}));
      for (WireClient c : lorises) assertTrue(c.isClosedByPeer(), "an idle half-frame is closed");
      node.await(
          () -> {
            assertEquals(0, node.status("slow").connections());
            return true;
          });
      try (WireClient ok = new WireClient(node.port("slow"))) {
        ok.write(WireClient.frame("hi".getBytes(StandardCharsets.UTF_8)));
        assertEquals("hi", new String(ok.readFrame(), StandardCharsets.UTF_8));
      }
    } finally {
      for (WireClient c : lorises) c.close();
    }
  }

  @Test
  void byteDribblersInsideTheIdleTimeoutAreClosedByTheFrameTimeout() throws Exception {
    int n = 50;
    double idleBefore = node.status("dribble").counters().get("idle_timeouts");
    double frameBefore = node.status("dribble").counters().get("frame_timeouts");
    List<WireClient> dribblers = new ArrayList<>();
    // One byte per connection every 300 ms, well inside the 5 s idle timeout: a 4-byte header
    // announcing 100 bytes, then the payload, which would take 30 s to complete.
    ScheduledExecutorService pacer = Executors.newSingleThreadScheduledExecutor();
    try (WireClient good = new WireClient(node.port("dribble"))) {
      for (int i = 0; i < n; i++) dribblers.add(new WireClient(node.port("dribble")));
      byte[] stream = WireClient.frame(new byte[100]);
      AtomicInteger sent = new AtomicInteger();
      long start = System.nanoTime();
      pacer.scheduleAtFixedRate(
          () -> {
            int i = sent.getAndIncrement();
            if (i >= stream.length) return;
            for (WireClient c : dribblers)
              try {
                c.write(new byte[] {stream[i]});
              } catch (IOException closed) {
                // closed by the node: what the test expects
              }
          },
          0,
          300,
          TimeUnit.MILLISECONDS);
      // The endpoint serves an honest client meanwhile.
      for (int i = 0; i < 5; i++) {
        good.write(WireClient.frame(("g" + i).getBytes(StandardCharsets.UTF_8)));
        assertEquals("g" + i, new String(good.readFrame(), StandardCharsets.UTF_8));
      }
      for (WireClient c : dribblers) assertTrue(c.isClosedByPeer(), "a dribbler is closed");
      long ms = (System.nanoTime() - start) / 1_000_000;
      assertTrue(ms >= 900 && ms < 5000, "closed after frame-timeout 1 s: " + ms + " ms");
      System.out.printf(
          "%d dribblers closed by frame-timeout 1 s after %d ms (%d bytes each)%n",
          n, ms, sent.get());
      assertTrue(sent.get() < 30, "closed long before the frame could complete: " + sent.get());
      node.await(
          () -> {
            var counters = node.status("dribble").counters();
            assertEquals(n, counters.get("frame_timeouts") - frameBefore, 0.0, "each counted");
            assertEquals(0, counters.get("idle_timeouts") - idleBefore, 0.0, "not idle ones");
            assertEquals(1, node.status("dribble").connections(), "the honest one is left");
            return true;
          });
      good.write(WireClient.frame("after".getBytes(StandardCharsets.UTF_8)));
      assertEquals("after", new String(good.readFrame(), StandardCharsets.UTF_8));
    } finally {
      pacer.shutdownNow();
      for (WireClient c : dribblers) c.close();
    }
  }

  @Test
  void connectionFloodIsRefusedAndCountedWhileExistingConnectionsServe() throws Exception {
    long rejectedBefore = node.status("capped").counters().get("connections_rejected").longValue();
    List<WireClient> kept = new ArrayList<>();
    try {
      for (int i = 0; i < 10; i++) {
        WireClient c = new WireClient(node.port("capped"));
        c.writeLine("k" + i);
        assertEquals("k" + i, c.readLine());
        kept.add(c);
      }
      for (int i = 0; i < 50; i++)
        try (WireClient extra = new WireClient(node.port("capped"))) {
          assertTrue(extra.isClosedByPeer(), "connection beyond max-connections is closed");
        }
      node.await(
          () -> {
            long rejected =
                node.status("capped").counters().get("connections_rejected").longValue();
            assertEquals(50, rejected - rejectedBefore);
            return true;
          });
      for (int i = 0; i < kept.size(); i++) {
        kept.get(i).writeLine("again" + i);
        assertEquals("again" + i, kept.get(i).readLine());
      }
    } finally {
      for (WireClient c : kept) c.close();
    }
  }

  /**
   * Declares a 128 KiB body and sends none of it: the node must refuse on the declared length,
   * without waiting for (or buffering) the body. A raw socket, because an HTTP client still writing
   * a body may see the refusal as a reset instead of the 413.
   */
  private static int oversized(HttpApi api, String path, String type) throws Exception {
    try (WireClient c = new WireClient(node.httpPort())) {
      c.write(
          ("POST "
                  + path
                  + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
                  + type
                  + "\r\nContent-Length: "
                  + (128 * 1024)
                  + "\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      String status = c.readLine(); // HTTP/1.1 413 Payload Too Large
      return Integer.parseInt(status.split(" ")[1]);
    } catch (java.net.SocketException e) {
      return -1;
    }
  }

  @Test
  void oversizedHttpBodyAndHeaderAreRefused() throws Exception {
    HttpApi api = new HttpApi(node.httpPort());
    int publish = oversized(api, "/v1/publish/log", "text/plain");
    assertTrue(publish == 413 || publish == -1, "oversized body refused: " + publish);
    // a route without a size limit of its own is bounded by the server's limit too
    int ack = oversized(api, "/v1/queues/q/ack", "application/json");
    assertTrue(ack == 413 || ack == -1, "oversized body refused: " + ack);
    HttpRequest huge =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort() + "/v1/health"))
            .header("X-Junk", "x".repeat(64 * 1024))
            .GET()
            .build();
    int status = api.send(huge).statusCode();
    assertEquals(431, status, "an oversized header is refused");
    assertEquals(200, api.get("/v1/health", null).statusCode(), "and the API serves on");
  }
}
