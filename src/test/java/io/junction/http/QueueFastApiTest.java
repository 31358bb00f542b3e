package io.junction.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.junction.testing.HttpApi;
import io.junction.testing.TestNode;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The high-throughput queue API over real HTTP: batch publish, long-poll lease, and the streamed
 * consume (server-sent events) with acks and redelivery when the client disconnects.
 */
class QueueFastApiTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static TestNode node;
  static HttpApi api;

  @BeforeAll
  static void start() {
    node =
        TestNode.start(
            """
            junction.queues {
              batches {}
              small { max-length = 3 }
              polled {}
              timeouts {}
              streamed {}
              dropped {}
            }
            """);
    api = new HttpApi(node.httpPort());
  }

  @AfterAll
  static void stop() throws Exception {
    node.close();
  }

  private static JsonNode json(HttpResponse<String> r) throws Exception {
    return JSON.readTree(r.body());
  }

  private static HttpResponse<String> post(String path, String type, String body) throws Exception {
    return api.post(path, null, type, body.getBytes(StandardCharsets.UTF_8));
  }

  private static JsonNode stats(String q) throws Exception {
    return json(api.get("/v1/queues/" + q, null));
  }

  @Test
  void batchPublishStoresEveryMessageInOrderAndReturnsTheirIds() throws Exception {
    var array =
        post(
            "/v1/queues/batches/messages:batch",
            "application/json",
            "[{\"payload\":\"a\"},{\"payload_base64\":\"AAEC\",\"headers\":{\"k\":\"v\"}}]");
    assertEquals(201, array.statusCode(), array.body());
    JsonNode ids = json(array);
    assertEquals(2, ids.get("count").asInt());
    assertEquals(ids.at("/messages/0/seq").asLong() + 1, ids.at("/messages/1/seq").asLong());
    var ndjson =
        post(
            "/v1/queues/batches/messages",
            "application/x-ndjson",
            "{\"payload\":\"c\"}\n\n{\"payload\":\"d\",\"type\":\"text/x-d\"}\n");
    assertEquals(201, ndjson.statusCode(), ndjson.body());
    assertEquals(2, json(ndjson).get("count").asInt());
    JsonNode leased = json(api.get("/v1/queues/batches/messages?max=10", null));
    assertEquals(4, leased.size());
    assertEquals("a", leased.get(0).at("/message/payload").asText());
    assertEquals(ids.at("/messages/0/id").asText(), leased.get(0).at("/message/id").asText());
    assertEquals("AAEC", leased.get(1).at("/message/payload_base64").asText());
    assertEquals("v", leased.get(1).at("/message/headers/k").asText());
    assertEquals("c", leased.get(2).at("/message/payload").asText());
    assertEquals("text/x-d", leased.get(3).at("/message/type").asText());
  }

  @Test
  void batchThatDoesNotFitIsRefusedWholeAndBadBatchesAreProblems() throws Exception {
    var tooMany =
        post(
            "/v1/queues/small/messages:batch",
            "application/json",
            "[{\"payload\":\"1\"},{\"payload\":\"2\"},{\"payload\":\"3\"},{\"payload\":\"4\"}]");
    assertEquals(503, tooMany.statusCode(), tooMany.body());
    assertTrue(json(tooMany).get("detail").asText().contains("is full"));
    assertEquals(0, stats("small").get("depth").asInt(), "nothing of a refused batch is stored");
    var bad = post("/v1/queues/small/messages:batch", "application/json", "[{\"nope\":1}]");
    assertEquals(400, bad.statusCode());
    assertTrue(json(bad).get("detail").asText().contains("payload"), bad.body());
    assertEquals(
        400, post("/v1/queues/small/messages:batch", "application/json", "[]").statusCode());
    assertEquals(
        400, post("/v1/queues/small/messages:batch", "application/x-ndjson", "{oops").statusCode());
  }

  @Test
  void longPollReturnsAsSoonAsAMessageIsPublished() throws Exception {
    long start = System.nanoTime();
    CompletableFuture<HttpResponse<String>> poll =
        api.client()
            .sendAsync(
                api.request("/v1/queues/polled/messages?max=5&wait=20s", null).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    // nothing is there: the poll waits (what expectNoMessage does for a probe)
    assertThrows(TimeoutException.class, () -> poll.get(500, TimeUnit.MILLISECONDS));
    long published = System.nanoTime();
    assertEquals(201, post("/v1/queues/polled/messages", "text/plain", "wake up").statusCode());
    HttpResponse<String> r = poll.get(10, TimeUnit.SECONDS);
    long afterPublishMs = (System.nanoTime() - published) / 1_000_000;
    assertTrue(afterPublishMs < 5_000, "answered " + afterPublishMs + " ms after the publish");
    assertTrue(System.nanoTime() - start < 19_000_000_000L, "answered before its wait of 20 s");
    assertEquals(200, r.statusCode(), r.body());
    assertEquals("wake up", json(r).get(0).at("/message/payload").asText());
  }

  @Test
  void longPollAnswersAnEmptyListWhenItsWaitEnds() throws Exception {
    long start = System.nanoTime();
    var r = api.get("/v1/queues/timeouts/messages?max=5&wait=700ms", null);
    long ms = (System.nanoTime() - start) / 1_000_000;
    assertEquals(200, r.statusCode(), r.body());
    assertEquals(0, json(r).size());
    assertTrue(ms >= 690 && ms < 5_000, "answered after " + ms + " ms");
    // a wait longer than the request timeout (5 s) is not cut short by the server
    long start2 = System.nanoTime();
    var longer = api.get("/v1/queues/timeouts/messages?wait=6s", null);
    assertEquals(200, longer.statusCode(), longer.body());
    assertTrue((System.nanoTime() - start2) / 1_000_000 >= 5_990);
    assertEquals(400, api.get("/v1/queues/timeouts/messages?wait=31s", null).statusCode());
  }

  @Test
  void streamPushesDeliveriesUpToPrefetchAndAcksRefillTheWindow() throws Exception {
    StringBuilder batch = new StringBuilder("[");
    for (int i = 0; i < 5; i++)
      batch.append(i == 0 ? "" : ",").append("{\"payload\":\"m" + i + "\"}");
    assertEquals(
        201,
        post("/v1/queues/streamed/messages:batch", "application/json", batch + "]").statusCode());
    try (Sse sse = new Sse(node.httpPort(), "/v1/queues/streamed/stream?prefetch=2")) {
      JsonNode first = sse.next();
      JsonNode second = sse.next();
      assertEquals("m0", first.at("/message/payload").asText());
      assertEquals("m1", second.at("/message/payload").asText());
      node.await(
          () -> {
            try {
              assertEquals(2, stats("streamed").get("in_flight").asInt());
              assertEquals(3, stats("streamed").get("depth").asInt(), "window of 2 is full");
            } catch (Exception e) {
              throw new AssertionError(e);
            }
            return null;
          });
      ack("streamed", first, second);
      for (int i = 2; i < 5; i++) {
        JsonNode d = sse.next();
        assertEquals("m" + i, d.at("/message/payload").asText());
        ack("streamed", d);
      }
    }
    node.await(
        () -> {
          try {
            assertEquals(5, stats("streamed").get("acked").asInt());
            assertEquals(0, stats("streamed").get("depth").asInt());
          } catch (Exception e) {
            throw new AssertionError(e);
          }
          return null;
        });
  }

  @Test
  void unackedStreamedMessagesAreRedeliveredWhenTheClientDisconnects() throws Exception {
    assertEquals(
        201,
        post(
                "/v1/queues/dropped/messages:batch",
                "application/json",
                "[{\"payload\":\"x\"},{\"payload\":\"y\"}]")
            .statusCode());
    try (Sse sse = new Sse(node.httpPort(), "/v1/queues/dropped/stream?prefetch=10")) {
      assertEquals("x", sse.next().at("/message/payload").asText());
      assertEquals("y", sse.next().at("/message/payload").asText());
      sse.abort(); // the client goes away without acking (connection reset, as when it crashes)
    }
    try (Sse again = new Sse(node.httpPort(), "/v1/queues/dropped/stream?prefetch=10")) {
      JsonNode x = again.next();
      assertEquals("x", x.at("/message/payload").asText());
      assertEquals(2, x.get("delivery_count").asInt());
      JsonNode y = again.next();
      assertEquals("y", y.at("/message/payload").asText());
      ack("dropped", x, y);
    }
  }

  private static void ack(String queue, JsonNode... deliveries) throws Exception {
    List<String> receipts = new ArrayList<>();
    for (JsonNode d : deliveries) receipts.add(d.get("receipt").asText());
    var r =
        api.post(
            "/v1/queues/" + queue + "/ack",
            null,
            "application/json",
            JSON.writeValueAsBytes(Map.of("receipts", receipts)));
    assertEquals(200, r.statusCode(), r.body());
    assertEquals(receipts.size(), json(r).get("settled").asInt(), r.body());
  }

  /** A raw server-sent-events client over one socket: closing it is the client disconnecting. */
  static final class Sse implements AutoCloseable {
    private final Socket socket = new Socket();
    private final InputStream in;
    private final StringBuilder pending = new StringBuilder();
    private final boolean chunked; // the node sends a close-delimited body; either is HTTP

    Sse(int port, String path) throws IOException {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
      socket.setSoTimeout(10_000);
      socket
          .getOutputStream()
          .write(
              ("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      in = new BufferedInputStream(socket.getInputStream());
      String status = line();
      if (!status.contains(" 200 ")) throw new IOException("stream refused: " + status);
      boolean chunked = false;
      for (String h = line(); !h.isEmpty(); h = line())
        chunked |= h.equalsIgnoreCase("transfer-encoding: chunked");
      this.chunked = chunked;
    }

    /** The data of the next {@code message} event, as JSON (heartbeats skipped). */
    JsonNode next() throws IOException {
      while (true) {
        int end = pending.indexOf("\n\n");
        if (end >= 0) {
          String event = pending.substring(0, end);
          pending.delete(0, end + 2);
          for (String l : event.split("\n"))
            if (l.startsWith("data:")) return JSON.readTree(l.substring(5).trim());
          continue;
        }
        if (!chunked) {
          pending.append(line()).append('\n');
          continue;
        }
        int size = Integer.parseInt(line().trim(), 16);
        if (size == 0) throw new EOFException("stream ended");
        pending.append(new String(in.readNBytes(size), StandardCharsets.UTF_8));
        line();
      }
    }

    private String line() throws IOException {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      for (int c = in.read(); c != '\n'; c = in.read()) {
        if (c < 0) throw new EOFException("connection closed");
        if (c != '\r') b.write(c);
      }
      return b.toString(StandardCharsets.UTF_8);
    }

    /** Closes with a reset instead of an orderly shutdown. */
    void abort() throws IOException {
      socket.setSoLinger(true, 0);
      socket.close();
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
