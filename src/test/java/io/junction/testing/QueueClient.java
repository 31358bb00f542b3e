package io.junction.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A node's durable queues through its HTTP API: publish, stats, drain, dead letters. */
public final class QueueClient {
  private static final ObjectMapper JSON = new ObjectMapper();
  // Leasing or acknowledging a batch right after a restart, on a loaded machine, can be slow.
  private static final Duration BATCH_TIMEOUT = Duration.ofSeconds(30);
  private final HttpApi api;
  private final String token;

  public QueueClient(int httpPort) {
    this(new HttpApi(httpPort), null);
  }

  /** Through {@code api}, with {@code token} as bearer token (null: none). */
  public QueueClient(HttpApi api, String token) {
    this.api = api;
    this.token = token;
  }

  public HttpApi http() {
    return api;
  }

  /** Publishes {@code body}; the HTTP status (201 once the message is durable). */
  public int publish(String queue, String body) throws Exception {
    return api.post(
            "/v1/queues/" + queue + "/messages",
            token,
            "text/plain",
            body.getBytes(StandardCharsets.UTF_8))
        .statusCode();
  }

  /** {@code GET /v1/queues/{q}}: depth, ready, in_flight, dead_letters, published, ... */
  public JsonNode stats(String queue) throws Exception {
    var r = api.get("/v1/queues/" + queue, token);
    assertEquals(200, r.statusCode(), r.body());
    return JSON.readTree(r.body());
  }

  /** Leases and acknowledges everything ready in {@code queue}; the payloads in queue order. */
  public List<String> drain(String queue) throws Exception {
    List<String> all = new ArrayList<>();
    // bounded: a queue cannot refill itself faster than this takes it when nobody publishes
    for (int round = 0; round < 10_000; round++) {
      var r =
          api.send(
              api.request("/v1/queues/" + queue + "/messages?max=500&visibility=5m", token)
                  .timeout(BATCH_TIMEOUT)
                  .GET()
                  .build());
      assertEquals(200, r.statusCode(), r.body());
      JsonNode leased = JSON.readTree(r.body());
      if (leased.isEmpty()) return all;
      List<String> receipts = new ArrayList<>();
      for (JsonNode d : leased) {
        all.add(d.at("/message/payload").asText());
        receipts.add(d.get("receipt").asText());
      }
      var ack =
          api.send(
              api.request("/v1/queues/" + queue + "/ack", token)
                  .timeout(BATCH_TIMEOUT)
                  .header("Content-Type", "application/json")
                  .POST(
                      HttpRequest.BodyPublishers.ofByteArray(
                          JSON.writeValueAsBytes(Map.of("receipts", receipts))))
                  .build());
      assertEquals(200, ack.statusCode(), ack.body());
      assertEquals(receipts.size(), JSON.readTree(ack.body()).get("settled").asInt(), ack.body());
    }
    throw new AssertionError(queue + " did not drain");
  }

  /** The payloads of the oldest 100 dead letters of {@code queue}. */
  public List<String> deadLetters(String queue) throws Exception {
    var r = api.get("/v1/queues/" + queue + "/dead-letters", token);
    assertEquals(200, r.statusCode(), r.body());
    List<String> out = new ArrayList<>();
    // a list of DeadLetter records, the payload bytes as Jackson writes byte[] (base64)
    for (JsonNode d : JSON.readTree(r.body()))
      out.add(new String(d.at("/message/payload").binaryValue(), StandardCharsets.UTF_8));
    return out;
  }
}
