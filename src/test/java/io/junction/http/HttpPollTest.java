package io.junction.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.junction.endpoint.EndpointStatus;
import io.junction.http.PollStub.Validator;
import io.junction.testing.TestNode;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The {@code http-poll} endpoint against a JDK HTTP server: conditional requests, change detection,
 * backoff, and a route to a TCP peer that must receive exactly the changed bodies, in order.
 */
class HttpPollTest {
  PollStub stub;
  ServerSocket peerListener;
  Socket peer;
  TestNode node;

  @AfterEach
  void stop() throws Exception {
    if (node != null) node.close();
    if (peer != null) peer.close();
    if (peerListener != null) peerListener.close();
    if (stub != null) stub.close();
  }

  String readFrame() throws IOException {
    DataInputStream in = new DataInputStream(peer.getInputStream());
    byte[] b = new byte[in.readInt()];
    in.readFully(b);
    return new String(b, StandardCharsets.UTF_8);
  }

  /** Waits until {@code n} more requests matching {@code which} reached the stub. */
  void awaitRequests(int n, Predicate<PollStub.Seen> which) {
    long before = stub.seen().stream().filter(which).count();
    node.await(
        () -> {
          long now = stub.seen().stream().filter(which).count();
          assertTrue(now >= before + n, "only " + (now - before) + " of " + n + " more polls");
          return null;
        });
  }

  double counter(String name) {
    return node.status("feed").counters().get(name);
  }

  @Test
  void etagChangesAreRoutedOnceAndNotModifiedAnswersAreSkipped() throws Exception {
    startWith(Validator.ETAG, "one");
    assertEquals("one", readFrame());
    awaitRequests(3, s -> "\"v1\"".equals(s.ifNoneMatch())); // 304s
    stub.publish("two");
    assertEquals("two", readFrame());
    awaitRequests(3, s -> "\"v2\"".equals(s.ifNoneMatch()));
    stub.publish("three");
    assertEquals("three", readFrame());
    awaitRequests(3, s -> "\"v3\"".equals(s.ifNoneMatch()));
    assertEquals(0, peer.getInputStream().available(), "only changed bodies reach the peer");
    EndpointStatus s = node.status("feed");
    assertEquals("http-poll", s.kind());
    assertEquals("connected", s.state());
    assertEquals(3.0, s.counters().get("changed"));
    assertTrue(s.counters().get("not_modified") >= 6, s.toString());
    assertEquals(0.0, s.counters().get("errors"));
    assertNull(stub.seen().get(0).ifNoneMatch(), "the first poll is unconditional");
  }

  @Test
  void lastModifiedChangesAreRoutedOnceAndNotModifiedAnswersAreSkipped() throws Exception {
    startWith(Validator.LAST_MODIFIED, "alpha");
    assertEquals("alpha", readFrame());
    awaitRequests(3, s -> s.ifModifiedSince() != null && s.ifModifiedSince().endsWith(":01 GMT"));
    stub.publish("beta");
    assertEquals("beta", readFrame());
    awaitRequests(3, s -> s.ifModifiedSince() != null && s.ifModifiedSince().endsWith(":02 GMT"));
    assertEquals(0, peer.getInputStream().available());
    assertEquals(2.0, counter("changed"));
    assertTrue(counter("not_modified") >= 6);
  }

  @Test
  void withoutValidatorsAnUnchangedBodyIsSkipped() throws Exception {
    startWith(Validator.NONE, "same");
    assertEquals("same", readFrame());
    awaitRequests(4, s -> true); // 200s with the same body
    stub.publish("different");
    assertEquals("different", readFrame());
    awaitRequests(3, s -> true);
    assertEquals(0, peer.getInputStream().available());
    assertEquals(2.0, counter("changed"));
    assertTrue(counter("unchanged") >= 6);
    assertEquals(0.0, counter("not_modified"));
  }

  @Test
  void serverErrorsBackOffExponentiallyAndPollingRecovers() throws Exception {
    stub = PollStub.http(Validator.ETAG);
    stub.status(500);
    startExisting("");
    node.await(
        () -> {
          EndpointStatus s = node.status("feed");
          assertEquals("failed", s.state());
          assertTrue(s.counters().get("failures_in_a_row") >= 4, s.toString());
          assertTrue(s.detail().contains("HTTP 500"), s.detail());
          return null;
        });
    List<PollStub.Seen> seen = stub.seen();
    // Waits after failure 1, 2, 3: 100ms, 200ms, 400ms (±20%), so at least 80, 160, 320ms.
    long first = gapMillis(seen, 0), third = gapMillis(seen, 2);
    assertTrue(third >= 320, "third wait " + third + "ms");
    assertTrue(third > first, "waits grow: " + first + "ms then " + third + "ms");
    stub.publish("back");
    stub.status(200);
    assertEquals("back", readFrame());
    node.await(
        () -> {
          EndpointStatus s = node.status("feed");
          assertEquals("connected", s.state());
          assertEquals(0.0, s.counters().get("failures_in_a_row"));
          assertTrue(s.counters().get("errors") >= 4);
          return null;
        });
  }

  @Test
  void aSlowServiceNeverSeesTwoPollsAtOnce() throws Exception {
    stub = PollStub.http(Validator.NONE);
    stub.publish("slow");
    stub.answerDelay(300); // three intervals
    startExisting("");
    assertEquals("slow", readFrame());
    awaitRequests(4, s -> true);
    assertEquals(1, stub.maxConcurrent());
  }

  @Test
  void aBodyThatDoesNotDecodeIsCountedOnceAndPollingGoesOn() throws Exception {
    stub = PollStub.http(Validator.NONE);
    stub.publish("not json");
    startExisting("codec = json");
    node.await(
        () -> {
          assertEquals(1.0, counter("decode_errors"));
          return null;
        });
    stub.publish("{\"ok\":true}");
    assertEquals("{\"ok\":true}", readFrame());
    awaitRequests(3, s -> true);
    assertEquals(1.0, counter("decode_errors"), "an unchanged bad body is reported once");
  }

  private void startWith(Validator v, String firstBody) throws Exception {
    stub = PollStub.http(v);
    stub.publish(firstBody);
    startExisting("");
  }

  /** Starts a TCP peer the node connects to, and the node polling the stub every 100ms. */
  private void startExisting(String more) throws Exception {
    PollStub s = stub;
    peerListener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    node =
        TestNode.start(
            """
            junction {
              endpoints {
                feed {
                  kind = http-poll, url = "http://127.0.0.1:%d/feed", interval = 100ms
                  codec = text, timeout = 3s, max-backoff = 800ms
                  headers { Accept = "text/plain" }
                  %s
                }
                sink { kind = tcp-client, host = 127.0.0.1, port = %d, framing { kind = length-prefixed } }
              }
              routes.feed-to-sink { from = feed, to = ["tcp:sink"] }
            }
            """
                .formatted(s.port(), more, peerListener.getLocalPort()));
    peerListener.setSoTimeout((int) TestNode.TIMEOUT.toMillis());
    peer = peerListener.accept();
    peer.setSoTimeout((int) TestNode.TIMEOUT.toMillis());
  }

  private static long gapMillis(List<PollStub.Seen> seen, int i) {
    return Duration.ofNanos(seen.get(i + 1).nanos() - seen.get(i).nanos()).toMillis();
  }
}
