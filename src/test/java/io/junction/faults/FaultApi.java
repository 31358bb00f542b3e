package io.junction.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.junction.testing.HttpApi;
import io.junction.testing.TestNode;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Adds, reads and removes fault rules of a test node through its HTTP API. */
final class FaultApi {
  static final ObjectMapper JSON = new ObjectMapper();
  private final HttpApi api;

  /** Starts a test node with fault injection on; {@code junction} is the body of its section. */
  static TestNode startNode(String junction) {
    return TestNode.start("junction {\n  faults.enabled = on\n" + junction + "\n}\n");
  }

  /** Retries {@code check} until it passes or the node's await timeout runs out. */
  static void until(TestNode node, TestNode.Check check) {
    node.until(check);
  }

  FaultApi(int httpPort) {
    this.api = new HttpApi(httpPort);
  }

  HttpApi http() {
    return api;
  }

  /** Adds a rule from alternating keys and values; returns its id. */
  String add(String... keyValues) throws Exception {
    Map<String, String> m = new java.util.LinkedHashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) m.put(keyValues[i], keyValues[i + 1]);
    var r =
        api.post(
            "/v1/faults",
            null,
            "application/json",
            JSON.writeValueAsString(m).getBytes(StandardCharsets.UTF_8));
    assertEquals(201, r.statusCode(), r.body());
    return JSON.readTree(r.body()).get("id").asText();
  }

  /** The rule's hits so far (0 once it is gone). */
  long hits(String id) {
    JsonNode rules = read("/v1/faults").get("rules");
    for (JsonNode r : rules) if (r.get("id").asText().equals(id)) return r.get("hits").asLong();
    return 0;
  }

  /** Removes the rule and returns its final hit count. */
  long remove(String id) throws Exception {
    var r = api.delete("/v1/faults/" + id, null);
    assertEquals(200, r.statusCode(), r.body());
    return JSON.readTree(r.body()).get("hits").asLong();
  }

  /** {@code junction_faults_injected_total} of one rule, from /metrics. */
  double injectedMetric(String id) throws Exception {
    String text = api.get("/metrics", null).body();
    Matcher m =
        Pattern.compile("junction_faults_injected_total\\{[^}]*rule=\"" + id + "\"[^}]*} (\\S+)")
            .matcher(text);
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }

  /** {@code GET /v1/queues/NAME}: depth, dead_letters, ... */
  JsonNode queue(String name) {
    return read("/v1/queues/" + name);
  }

  /** The payloads in a queue, in queue order (at most 1000). */
  List<String> payloads(String queue) {
    JsonNode list = read("/v1/queues/" + queue + "/peek?max=1000");
    List<String> out = new java.util.ArrayList<>();
    for (JsonNode m : list) out.add(m.path("message").path("payload").asText());
    return out;
  }

  // Unchecked, for use inside the polling lambdas of TestNode.await.
  private JsonNode read(String path) {
    try {
      return JSON.readTree(api.get(path, null).body());
    } catch (Exception e) {
      throw new AssertionError("GET " + path, e);
    }
  }
}
