package io.junction.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.junction.testing.HttpApi;
import io.junction.testing.TestNode;
import io.junction.testing.WireClient;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Hostile peers: connections that dribble a byte and go quiet are closed by the idle timeout, a
 * flood beyond max-connections is refused and counted while the existing connections keep being
 * served, and oversized HTTP requests get 413/431 without reaching a route.
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
                capped { kind = tcp-server, port = 0, max-connections = 10, codec = text,
                         framing.kind = delimiter }
              }
              routes {
                slow-echo { from = slow, to = reply }
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
