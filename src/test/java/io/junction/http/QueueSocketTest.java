package io.junction.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.junction.testing.HttpApi;
import io.junction.testing.TestNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The queue socket ({@code /v1/queues/{q}/socket}) over a real WebSocket (the JDK's client):
 * publish confirmations once durable, deliveries within the prefetch window, acks and nacks with
 * and without tags, redelivery when a socket goes away, and every kind of bad frame answered and
 * counted without closing the socket.
 */
class QueueSocketTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static TestNode node;
  static HttpApi api;

  @BeforeAll
  static void start() {
    node =
        TestNode.start(
            """
            junction.http.max-body-bytes = 64k
            junction.queues {
              flow {}
              window {}
              gone {}
              bad {}
              full { max-length = 2 }
            }
            """);
    api = new HttpApi(node.httpPort());
  }

  @AfterAll
  static void stop() throws Exception {
    node.close();
  }

  private static JsonNode stats(String q) {
    try {
      return JSON.readTree(api.get("/v1/queues/" + q, null).body());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static String publish(String tag, String... payloads) {
    StringBuilder f = new StringBuilder("{\"publish\":[");
    for (int i = 0; i < payloads.length; i++)
      f.append(i == 0 ? "" : ",").append("{\"payload\":\"").append(payloads[i]).append("\"}");
    return f.append("],\"tag\":").append(tag).append('}').toString();
  }

  @Test
  void publishesAreConfirmedOnceDurableAndDeliveredSettledAndRedelivered() throws Exception {
    try (Socket producer = new Socket("flow", "");
        Socket consumer = new Socket("flow", "?prefetch=10")) {
      producer.send(publish("\"p1\"", "a", "b", "c"));
      JsonNode confirm = producer.next();
      assertEquals("p1", confirm.get("tag").asText(), confirm.toString());
      assertEquals(3, confirm.get("published").size());
      long seq = confirm.at("/published/0/seq").asLong();
      assertEquals(seq + 2, confirm.at("/published/2/seq").asLong());
      assertEquals(3, stats("flow").get("published").asInt(), "durable before confirmed");

      List<JsonNode> got = new ArrayList<>();
      for (int i = 0; i < 3; i++) got.add(consumer.next().get("delivery"));
      assertEquals("a", got.get(0).at("/message/payload").asText());
      assertEquals("c", got.get(2).at("/message/payload").asText());
      assertEquals(confirm.at("/published/1/id").asText(), got.get(1).at("/message/id").asText());

      consumer.send(
          "{\"ack\":[\""
              + got.get(0).get("receipt").asText()
              + "\",\""
              + got.get(1).get("receipt").asText()
              + "\",\"no-such-receipt\"],\"tag\":5}");
      JsonNode settled = consumer.next();
      assertEquals(5, settled.get("tag").asInt(), settled.toString());
      assertEquals(2, settled.get("settled").asInt());
      assertEquals("no-such-receipt", settled.at("/unknown/0").asText());

      consumer.send("{\"nack\":[\"" + got.get(2).get("receipt").asText() + "\"],\"requeue\":true}");
      JsonNode again = consumer.next().get("delivery"); // an untagged nack has no answer
      assertEquals("c", again.at("/message/payload").asText());
      assertEquals(2, again.get("delivery_count").asInt());
      consumer.send("{\"ack\":[\"" + again.get("receipt").asText() + "\"]}");
      node.await(
          () -> {
            assertEquals(3, stats("flow").get("acked").asInt());
            assertEquals(0, stats("flow").get("depth").asInt());
            return null;
          });
      assertNull(consumer.poll(Duration.ofMillis(300)), "an untagged ack is not answered");
    }
  }

  @Test
  void atMostPrefetchDeliveriesAreUnackedAndAnAckRefillsTheWindow() throws Exception {
    try (Socket producer = new Socket("window", "");
        Socket consumer = new Socket("window", "?prefetch=2")) {
      producer.send(publish("1", "m0", "m1", "m2", "m3"));
      assertEquals(4, producer.next().get("published").size());
      JsonNode first = consumer.next().get("delivery");
      JsonNode second = consumer.next().get("delivery");
      assertNull(consumer.poll(Duration.ofMillis(500)), "the window of 2 is full");
      assertEquals(2, stats("window").get("in_flight").asInt());
      consumer.send("{\"ack\":[\"" + first.get("receipt").asText() + "\"]}");
      JsonNode third = consumer.next().get("delivery");
      assertEquals("m2", third.at("/message/payload").asText());
      consumer.send(
          "{\"ack\":[\""
              + second.get("receipt").asText()
              + "\",\""
              + third.get("receipt").asText()
              + "\"]}");
      JsonNode fourth = consumer.next().get("delivery");
      assertEquals("m3", fourth.at("/message/payload").asText());
      consumer.send("{\"ack\":[\"" + fourth.get("receipt").asText() + "\"],\"tag\":\"last\"}");
      assertEquals(1, consumer.next().get("settled").asInt());
    }
    assertEquals(0, stats("window").get("depth").asInt());
  }

  @Test
  void unackedDeliveriesOfASocketThatGoesAwayAreDeliveredAgain() throws Exception {
    try (Socket producer = new Socket("gone", "")) {
      producer.send(publish("1", "x"));
      producer.next();
    }
    try (Socket consumer = new Socket("gone", "?prefetch=5")) {
      assertEquals("x", consumer.next().at("/delivery/message/payload").asText());
      consumer.abort(); // no ack, no close handshake: as when the client crashes
    }
    try (Socket again = new Socket("gone", "?prefetch=5")) {
      JsonNode d = again.next().get("delivery");
      assertEquals("x", d.at("/message/payload").asText());
      assertEquals(2, d.get("delivery_count").asInt());
      again.send("{\"ack\":[\"" + d.get("receipt").asText() + "\"],\"tag\":1}");
      assertEquals(1, again.next().get("settled").asInt());
    }
  }

  @Test
  void badFramesAreAnsweredWithWhatIsWrongAndCountedAndTheSocketGoesOn() throws Exception {
    double before = badFrames();
    try (Socket s = new Socket("bad", "")) {
      assertError(s, "{oops", "bad-frame", "not JSON", null);
      assertError(s, "[1,2]", "bad-frame", "one JSON object", null);
      assertError(s, "{\"tag\":1}", "bad-frame", "exactly one of publish, ack, nack", "1");
      assertError(
          s, "{\"ack\":[\"r\"],\"nack\":[\"r\"],\"tag\":2}", "bad-frame", "exactly one", "2");
      assertError(s, "{\"ack\":[],\"tag\":3}", "bad-frame", "non-empty array of receipts", "3");
      assertError(s, "{\"ack\":[1],\"tag\":4}", "bad-frame", "non-empty array of receipts", "4");
      assertError(s, "{\"ack\":[\"r\"],\"tag\":[1]}", "bad-frame", "tag must be", null);
      assertError(
          s, "{\"publish\":[{\"nope\":1}],\"tag\":\"t\"}", "bad-frame", "publish: message 0", "t");
      assertError(s, "{\"publish\":[],\"tag\":6}", "bad-frame", "no message", "6");
      assertError(s, "{\"publish\":{},\"tag\":7}", "bad-frame", "array of messages", "7");
      assertError(s, "{\"ack\":[\"r\"]} {}", "bad-frame", "nothing after it", null);
      assertError(
          s, "{\"ack\":[\"r\"],\"requeue\":\"yes\",\"tag\":8}", "bad-frame", "requeue", "8");
      s.sendBinary(new byte[] {1, 2, 3});
      JsonNode binary = s.next();
      assertEquals("bad-frame", binary.get("error").asText(), binary.toString());
      assertTrue(binary.get("detail").asText().contains("binary frames"), binary.toString());
      String huge = publish("9", "x".repeat(70 * 1024)); // over max-body-bytes (64k)
      s.send(huge);
      JsonNode tooLarge = s.next();
      assertEquals("frame-too-large", tooLarge.get("error").asText(), tooLarge.toString());
      // still open and working
      s.send(publish("10", "fine"));
      JsonNode ok = s.next();
      assertEquals(10, ok.get("tag").asInt(), ok.toString());
      assertEquals(1, ok.get("published").size());
    }
    double counted = badFrames() - before;
    assertEquals(14, counted, "every bad frame is counted");
  }

  @Test
  void aPublishTheQueueRefusesIsAnErrorWithItsTagAndNothingIsStored() throws Exception {
    try (Socket s = new Socket("full", "")) {
      s.send(publish("1", "a", "b", "c"));
      JsonNode refused = s.next();
      assertEquals("publish-refused", refused.get("error").asText(), refused.toString());
      assertEquals(1, refused.get("tag").asInt());
      assertTrue(refused.get("detail").asText().contains("max-length"), refused.toString());
      assertEquals(0, stats("full").get("depth").asInt());
      s.send(publish("2", "a", "b"));
      assertEquals(2, s.next().get("published").size());
    }
  }

  @Test
  void aPlainRequestOrABadPrefetchIsRefused() throws Exception {
    var plain = api.get("/v1/queues/flow/socket", null);
    assertEquals(400, plain.statusCode(), plain.body());
    var bad = api.get("/v1/queues/flow/socket?prefetch=0", null);
    assertEquals(400, bad.statusCode(), bad.body());
    assertTrue(bad.body().contains("prefetch must be 1..1000"), bad.body());
  }

  @Test
  void theHandshakeNeedsATokenWithThePublishScopeWhenAuthIsOn(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("read"), "r-" + "0123456789abcdef0123456789abcdef");
    Files.writeString(dir.resolve("publish"), "p-" + "0123456789abcdef0123456789abcdef");
    try (TestNode secured =
        TestNode.start(
            """
            junction {
              queues.jobs {}
              http {
                require-auth = on
                tokens = [
                  { token-file = "%s", scopes = [read] }
                  { token-file = "%s", scopes = [publish] }
                ]
              }
            }
            """
                .formatted(dir.resolve("read"), dir.resolve("publish")))) {
      assertEquals(401, refusedHandshake(secured, null));
      assertEquals(403, refusedHandshake(secured, Files.readString(dir.resolve("read"))));
      try (Socket s =
          new Socket(secured.httpPort(), "jobs", "", Files.readString(dir.resolve("publish")))) {
        s.send(publish("1", "authorized"));
        assertEquals(1, s.next().get("published").size());
      }
    }
  }

  private static int refusedHandshake(TestNode n, String token) throws Exception {
    try (Socket s = new Socket(n.httpPort(), "jobs", "", token)) {
      throw new AssertionError("the handshake was accepted");
    } catch (ExecutionException e) {
      if (e.getCause() instanceof WebSocketHandshakeException h)
        return h.getResponse().statusCode();
      throw e;
    }
  }

  private static void assertError(
      Socket s, String frame, String error, String detailPart, String tag) throws Exception {
    s.send(frame);
    JsonNode e = s.next();
    assertEquals(error, e.path("error").asText(), frame + " -> " + e);
    assertTrue(e.get("detail").asText().contains(detailPart), frame + " -> " + e);
    if (tag == null) assertNull(e.get("tag"), frame + " -> " + e);
    else assertEquals(tag, e.get("tag").asText(), frame + " -> " + e);
  }

  private static double badFrames() throws Exception {
    String sample = "junction_http_socket_frames_total{kind=\"bad\"}";
    return api.metric(sample).orElseThrow(() -> new AssertionError(sample + " not scraped"));
  }

  /** A WebSocket client whose received text frames are read as JSON, one at a time. */
  static final class Socket implements WebSocket.Listener, AutoCloseable {
    private final BlockingQueue<String> frames = new LinkedBlockingQueue<>();
    private final StringBuilder parts = new StringBuilder();
    private final WebSocket ws;

    Socket(String queue, String query) throws Exception {
      this(node.httpPort(), queue, query, null);
    }

    Socket(int port, String queue, String query, String token) throws Exception {
      WebSocket.Builder b =
          HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5));
      if (token != null) b.header("Authorization", "Bearer " + token);
      ws =
          b.buildAsync(
                  URI.create("ws://127.0.0.1:" + port + "/v1/queues/" + queue + "/socket" + query),
                  this)
              .get(10, TimeUnit.SECONDS);
    }

    @Override
    public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
      parts.append(data);
      if (last) {
        frames.add(parts.toString());
        parts.setLength(0);
      }
      w.request(1);
      return null;
    }

    void send(String frame) throws Exception {
      ws.sendText(frame, true).get(10, TimeUnit.SECONDS);
    }

    void sendBinary(byte[] b) throws Exception {
      ws.sendBinary(ByteBuffer.wrap(b), true).get(10, TimeUnit.SECONDS);
    }

    JsonNode next() throws Exception {
      String f = frames.poll(10, TimeUnit.SECONDS);
      if (f == null) throw new AssertionError("no frame within 10 s");
      return JSON.readTree(f);
    }

    JsonNode poll(Duration within) throws Exception {
      String f = frames.poll(within.toMillis(), TimeUnit.MILLISECONDS);
      return f == null ? null : JSON.readTree(f);
    }

    void abort() {
      ws.abort();
    }

    @Override
    public void close() throws Exception {
      if (ws.isOutputClosed()) return;
      CompletableFuture<WebSocket> closed = ws.sendClose(WebSocket.NORMAL_CLOSURE, "");
      closed.get(10, TimeUnit.SECONDS);
      ws.abort(); // do not wait for the server's close frame
    }
  }
}
