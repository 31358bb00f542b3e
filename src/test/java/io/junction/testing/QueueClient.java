package io.junction.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A node's durable queues through its HTTP API: publish, stats, drain, dead letters. */
public final class QueueClient {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpApi api;

  public QueueClient(int httpPort) {
    this.api = new HttpApi(httpPort);
  }

  public HttpApi http() {
    return api;
  }

  /** Publishes {@code body}; the HTTP status (201 once the message is durable). */
  public int publish(String queue, String body) throws Exception {
    return api.post(
            "/v1/queues/" + queue + "/messages",
            null,
            "text/plain",
            body.getBytes(StandardCharsets.UTF_8))
        .statusCode();
  }

  /** {@code GET /v1/queues/{q}}: depth, ready, in_flight, dead_letters, published, ... */
  public JsonNode stats(String queue) throws Exception {
    var r = api.get("/v1/queues/" + queue, null);
    assertEquals(200, r.statusCode(), r.body());
    return JSON.readTree(r.body());
  }

  /** Leases and acknowledges everything ready in {@code queue}; the payloads in queue order. */
  public List<String> drain(String queue) throws Exception {
    List<String> all = new ArrayList<>();
    // bounded: a queue cannot refill itself faster than this takes it when nobody publishes
    for (int round = 0; round < 10_000; round++) {
      var r = api.get("/v1/queues/" + queue + "/messages?max=1000&visibility=5m", null);
      assertEquals(200, r.statusCode(), r.body());
      JsonNode leased = JSON.readTree(r.body());
      if (leased.isEmpty()) return all;
      List<String> receipts = new ArrayList<>();
      for (JsonNode d : leased) {
        all.add(d.at("/message/payload").asText());
        receipts.add(d.get("receipt").asText());
      }
      var ack =
          api.post(
              "/v1/queues/" + queue + "/ack",
              null,
              "application/json",
              JSON.writeValueAsBytes(Map.of("receipts", receipts)));
      assertEquals(200, ack.statusCode(), ack.body());
      assertEquals(receipts.size(), JSON.readTree(ack.body()).get("settled").asInt(), ack.body());
    }
    throw new AssertionError(queue + " did not drain");
  }

  /** The payloads of the oldest 100 dead letters of {@code queue}. */
  public List<String> deadLetters(String queue) throws Exception {
    var r = api.get("/v1/queues/" + queue + "/dead-letters", null);
    assertEquals(200, r.statusCode(), r.body());
    List<String> out = new ArrayList<>();
    // a list of DeadLetter records, the payload bytes as Jackson writes byte[] (base64)
    for (JsonNode d : JSON.readTree(r.body()))
      out.add(new String(d.at("/message/payload").binaryValue(), StandardCharsets.UTF_8));
    return out;
  }
}
