package io.junction.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.junction.testing.HttpApi;
import io.junction.testing.TestNode;
import io.junction.testing.WireClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code junction.http.header-timeout}: a client that dribbles a request's headers just inside the
 * idle timeout (slowloris) is closed once the header timeout runs out, and counted; a response that
 * takes longer (an event stream, a WebSocket) is not cut, and keep-alive serves request after
 * request until the connection is left idle.
 */
class HeaderTimeoutTest {
  private static final String SAMPLE =
      "junction_connections_timed_out_total{endpoint=\"http\",kind=\"http-server\",timeout=\"header\"}";
  static TestNode node;

  @BeforeAll
  static void start() {
    node =
        TestNode.start(
            """
            junction.http { header-timeout = 1s, events-interval = 100ms }
            junction.queues { steady {} }
            """);
  }

  @AfterAll
  static void stop() throws Exception {
    node.close();
  }

  // Every request of these tests but the WebSocket's goes on its own connection, closed after its
  // response: a keep-alive connection left in a client's pool would be closed by the header timeout
  // too, and counted.
  private static double timedOut() throws Exception {
    return HttpApi.sample(get("/metrics"), SAMPLE)
        .orElseThrow(() -> new AssertionError("no " + SAMPLE + " in /metrics"));
  }

  /** GET on a connection of its own, closed after the response; the body of a 200. */
  private static String get(String path) throws IOException {
    try (WireClient c = new WireClient(node.httpPort())) {
      c.write(
          ("GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
              .getBytes(StandardCharsets.UTF_8));
      return body(c);
    }
  }

  @Test
  void clientsThatDribbleTheirHeadersAreClosedAfterTheTimeoutAndCounted() throws Exception {
    int n = 20;
    double before = timedOut();
    List<WireClient> lorises = new ArrayList<>();
    ScheduledExecutorService pacer = Executors.newSingleThreadScheduledExecutor();
    try {
      for (int i = 0; i < n; i++)
        lorises.add(
            new WireClient(node.httpPort())
                .write("GET /v1/health HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.UTF_8)));
      // A header line every 200 ms, far inside pekko-http's 60 s idle timeout: without the header
      // timeout these requests would never end.
      AtomicInteger sent = new AtomicInteger();
      long start = System.nanoTime();
      pacer.scheduleAtFixedRate(
          () -> {
            sent.incrementAndGet();
            for (WireClient c : lorises)
              try {
                c.write("X-Dribble: 1\r\n".getBytes(StandardCharsets.UTF_8));
              } catch (IOException closed) {
                // closed by the node: what the test expects
              }
          },
          0,
          200,
          TimeUnit.MILLISECONDS);
      // The API serves an honest client meanwhile.
      assertEquals("{\"status\":\"UP\"}", get("/v1/health"));
      for (WireClient c : lorises) assertTrue(c.isClosedByPeer(), "a dribbler is closed");
      long ms = (System.nanoTime() - start) / 1_000_000;
      assertTrue(ms >= 900 && ms < 8000, "closed after header-timeout 1 s: " + ms + " ms");
      System.out.printf(
          "%d header dribblers closed by header-timeout 1 s after %d ms (%d header lines each)%n",
          n, ms, sent.get());
      node.until(() -> assertEquals(n, timedOut() - before, 0.0, "each counted"));
      assertEquals("{\"status\":\"UP\"}", get("/v1/health"));
    } finally {
      pacer.shutdownNow();
      for (WireClient c : lorises) c.close();
    }
  }

  @Test
  void keepAliveServesRequestAfterRequestThenClosesAnIdleConnection() throws Exception {
    double before = timedOut();
    try (WireClient c = new WireClient(node.httpPort())) {
      long start = System.nanoTime();
      for (int i = 0; i < 3; i++) {
        c.write("GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.UTF_8));
        assertEquals("{\"status\":\"UP\"}", body(c));
      }
      assertTrue(c.isClosedByPeer(), "an idle keep-alive connection is closed");
      long ms = (System.nanoTime() - start) / 1_000_000;
      assertTrue(ms >= 900 && ms < 8000, "closed after header-timeout 1 s: " + ms + " ms");
    }
    node.until(() -> assertEquals(1, timedOut() - before, 0.0));
  }

  /** One HTTP/1.1 response with a Content-Length: its status must be 200; returns its body. */
  private static String body(WireClient c) throws IOException {
    String status = c.readLine();
    assertTrue(status.startsWith("HTTP/1.1 200"), status);
    int length = -1;
    for (String h = c.readLine(); !h.equals("\r"); h = c.readLine())
      if (h.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:"))
        length = Integer.parseInt(h.substring(15).trim());
    return new String(c.readExactly(length), StandardCharsets.UTF_8);
  }

  @Test
  void anEventStreamLongerThanTheTimeoutIsNotCut() throws Exception {
    double before = timedOut();
    try (WireClient c = new WireClient(node.httpPort())) {
      c.write(
          "GET /v1/events HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
              .getBytes(StandardCharsets.UTF_8));
      assertTrue(c.readLine().startsWith("HTTP/1.1 200"));
      // A snapshot every 100 ms: 30 of them take 3 s, three header timeouts.
      long start = System.nanoTime();
      int events = 0;
      while (events < 30) if (c.readLine().startsWith("data:")) events++;
      long ms = (System.nanoTime() - start) / 1_000_000;
      assertTrue(ms >= 2000, "the stream outlived the header timeout: " + ms + " ms");
    }
    assertEquals(0, timedOut() - before, 0.0, "not counted");
  }

  @Test
  void aWebSocketLongerThanTheTimeoutIsNotCut() throws Exception {
    double before = timedOut();
    ScheduledExecutorService pacer = Executors.newSingleThreadScheduledExecutor();
    try (QueueSocketTest.Socket s =
        new QueueSocketTest.Socket(node.httpPort(), "steady", "", null)) {
      // A publish every 250 ms for 2.5 s: each answered on the same socket, after the upgrade's
      // 101 response had started the clock of a plain HTTP connection.
      AtomicInteger tag = new AtomicInteger();
      long start = System.nanoTime();
      pacer.scheduleAtFixedRate(
          () -> {
            int t = tag.getAndIncrement();
            if (t < 10)
              try {
                s.send("{\"publish\":[{\"payload\":\"p" + t + "\"}],\"tag\":" + t + "}");
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
          },
          0,
          250,
          TimeUnit.MILLISECONDS);
      for (int i = 0; i < 10; i++) {
        JsonNode answer = s.next();
        assertEquals(i, answer.get("tag").asInt(), answer.toString());
        assertEquals(1, answer.get("published").size(), answer.toString());
      }
      long ms = (System.nanoTime() - start) / 1_000_000;
      assertTrue(ms >= 2000, "the socket outlived the header timeout: " + ms + " ms");
    } finally {
      pacer.shutdownNow();
    }
    assertEquals(0, timedOut() - before, 0.0, "not counted");
  }
}
