package io.junction.stomp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.junction.testing.HttpApi;
import io.junction.testing.StompClient;
import io.junction.testing.StompClient.Frame;
import io.junction.testing.TestNode;
import java.io.IOException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * STOMP heart-beats ({@code junction.stomp.heart-beat}, here 200 ms): the node sends end-of-lines
 * to a client that asks for them, closes a client that promised heart-beats and fell silent (its
 * unacknowledged message goes back to the queue), and keeps a client that keeps its promise or
 * never made one.
 */
class StompHeartBeatTest {
  static TestNode node;
  static HttpApi api;

  @BeforeAll
  static void start() {
    node =
        TestNode.start(
            """
            junction {
              queues { beats {}, alive {} }
              stomp { enabled = on, port = 0, heart-beat = 200ms }
            }
            """);
    api = new HttpApi(node.httpPort());
  }

  @AfterAll
  static void stop() throws Exception {
    node.close();
  }

  private static double timeouts() throws Exception {
    return StompTestSupport.errors(api, "heart-beat-timeout");
  }

  @Test
  void theNodeSendsHeartBeatsToAClientThatAsksAndLetsASilentOneWithoutAPromiseBe()
      throws Exception {
    try (StompClient c = new StompClient(node.stompPort())) {
      Frame connected = c.connect(null, "0,300"); // sends none, wants one every 300 ms
      assertEquals("CONNECTED", connected.command());
      assertEquals("200,200", connected.header("heart-beat"));
      c.timeout(2_000);
      long start = System.nanoTime();
      for (int beats = 0; beats < 6; ) {
        int b = c.readByte();
        assertTrue(b >= 0, "closed while silent without having promised heart-beats");
        if (b == '\n') beats++;
      }
      long ms = (System.nanoTime() - start) / 1_000_000;
      // Six at 200 ms apart: about a second, and far more than the silence the node would allow
      // a client that had promised heart-beats.
      assertTrue(ms >= 800 && ms < 5_000, "6 heart-beats in " + ms + " ms");
      c.timeout(10_000);
      c.send("SEND\ndestination:/queue/alive\nreceipt:r1", "still here");
      assertEquals("r1", c.read().header("receipt-id"));
    }
  }

  @Test
  void aClientThatPromisedHeartBeatsAndFellSilentIsClosedAndItsMessageGoesBack() throws Exception {
    double before = timeouts();
    try (StompClient producer = new StompClient(node.stompPort())) {
      producer.connect(null);
      producer.send("SEND\ndestination:/queue/beats\nreceipt:p", "leased by the silent one");
      assertEquals("p", producer.read().header("receipt-id"));
    }
    try (StompClient silent = new StompClient(node.stompPort())) {
      assertEquals("200,200", silent.connect(null, "300,0").header("heart-beat"));
      silent.send("SUBSCRIBE\nid:s\ndestination:/queue/beats\nack:client-individual", "");
      assertEquals("leased by the silent one", silent.read().text());
      long start = System.nanoTime();
      // Promised one every max(300, 200) ms, then sends nothing: closed after twice that.
      Frame error = silent.read();
      long ms = (System.nanoTime() - start) / 1_000_000;
      assertEquals("ERROR", error.command(), error.text());
      assertEquals("heart-beat-timeout", error.header("message"), error.text());
      assertTrue(silent.closedByServer());
      assertTrue(ms >= 500 && ms < 5_000, "closed " + ms + " ms after going silent");
    }
    try (StompClient next = new StompClient(node.stompPort())) {
      next.connect(null);
      next.send("SUBSCRIBE\nid:n\ndestination:/queue/beats\nack:auto", "");
      Frame again = next.read();
      assertEquals("leased by the silent one", again.text());
      assertEquals("true", again.header("redelivered"), again.toString());
    }
    node.until(() -> assertEquals(1, timeouts() - before, 0.0));
  }

  @Test
  void aClientThatKeepsItsPromiseStaysConnected() throws Exception {
    ScheduledExecutorService beater = Executors.newSingleThreadScheduledExecutor();
    try (StompClient c = new StompClient(node.stompPort())) {
      c.connect(null, "300,0");
      beater.scheduleAtFixedRate(
          () -> {
            try {
              c.raw(new byte[] {'\n'});
            } catch (IOException closed) {
              // the test's read below fails then
            }
          },
          0,
          150,
          TimeUnit.MILLISECONDS);
      // Nothing but heart-beats for 1.5 s, more than twice the 600 ms of silence allowed: still
      // connected.
      c.timeout(1_500);
      assertTrue(!c.closedByServer(), "closed although it sent its heart-beats");
      c.timeout(10_000);
      c.send("SEND\ndestination:/queue/alive\nreceipt:r2", "kept");
      assertEquals("r2", c.read().header("receipt-id"));
    } finally {
      beater.shutdownNow();
    }
  }

  @Test
  void aHugeHeartBeatPromiseIsTakenAsADay() throws Exception {
    try (StompClient c = new StompClient(node.stompPort())) {
      // ms beyond what a Duration holds in nanoseconds: accepted, the silence allowed capped
      assertEquals("CONNECTED", c.connect(null, Long.MAX_VALUE + ",0").command());
      c.send("SEND\ndestination:/queue/alive\nreceipt:r3", "patient");
      assertEquals("r3", c.read().header("receipt-id"));
    }
  }

  @Test
  void aMalformedHeartBeatHeaderIsRefused() throws Exception {
    try (StompClient c = new StompClient(node.stompPort())) {
      Frame e = c.connect(null, "soon,-1");
      assertEquals("ERROR", e.command(), e.text());
      assertEquals("bad-frame", e.header("message"), e.text());
      assertTrue(e.text().contains("heart-beat 'soon,-1'"), e.text());
      assertTrue(c.closedByServer());
    }
  }
}
