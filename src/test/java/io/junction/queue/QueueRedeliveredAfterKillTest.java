package io.junction.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.junction.testing.ChildNode;
import io.junction.testing.HttpApi;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code redelivered} flag across {@code kill -9} and a graceful stop, on the embedded H2
 * journal with its write pipeline: messages leased before the kill come back flagged, messages the
 * node had not reached come back unflagged (the delivery mark, written ahead of the deliveries, is
 * what tells them apart), and no delivery count is invented. A graceful stop hands the queue off
 * and makes the mark exact: only what was leased comes back flagged.
 */
class QueueRedeliveredAfterKillTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MESSAGES = (int) QueueBehavior.DELIVERY_MARK_AHEAD + 1000;
  private static final int LEASED_BEFORE_KILL = 10;

  private static ChildNode start(Path dir) throws Exception {
    return ChildNode.start(
        dir,
        """
        junction {
          data-dir = "%s"
          http.port = 0
          queues.marks { ack-timeout = 5m }
        }
        """
            .formatted(dir.resolve("data")));
  }

  @Test
  void leasesLostInAKillComeBackFlaggedAndMessagesNeverReachedDoNot(@TempDir Path dir)
      throws Exception {
    ChildNode node = start(dir);
    try {
      HttpApi api = new HttpApi(node.port("http", 90));
      fillAndLease(api);
      node.kill();
      node = start(dir);
      // written at the first lease (seq 1): the kill left the look-ahead in place
      long mark = 1 + QueueBehavior.DELIVERY_MARK_AHEAD;
      assertFlaggedUpTo(new HttpApi(node.port("http", 90)), mark);
    } finally {
      node.close();
    }
  }

  @Test
  void aGracefulStopFlagsOnlyWhatWasLeased(@TempDir Path dir) throws Exception {
    ChildNode node = start(dir);
    try {
      fillAndLease(new HttpApi(node.port("http", 90)));
      assertEquals(0, node.terminate(60), "SIGTERM: a clean exit");
      node = start(dir);
      assertFlaggedUpTo(new HttpApi(node.port("http", 90)), LEASED_BEFORE_KILL);
    } finally {
      node.close();
    }
  }

  // MESSAGES messages published, the first LEASED_BEFORE_KILL of them leased and not settled.
  private static void fillAndLease(HttpApi api) throws Exception {
    for (int from = 1; from <= MESSAGES; from += 1000) {
      List<Map<String, String>> batch = new ArrayList<>();
      for (int n = from; n < from + 1000 && n <= MESSAGES; n++)
        batch.add(Map.of("payload", "m" + n));
      var r =
          api.post(
              "/v1/queues/marks/messages:batch",
              null,
              "application/json",
              JSON.writeValueAsBytes(batch));
      assertEquals(201, r.statusCode(), r.body());
    }
    List<JsonNode> before = lease(api, LEASED_BEFORE_KILL);
    assertEquals(LEASED_BEFORE_KILL, before.size());
    for (JsonNode d : before) assertEquals(false, d.get("redelivered").asBoolean(), d.toString());
  }

  // Consumes everything in order: flagged redelivered exactly up to seq mark, every count 1.
  private static void assertFlaggedUpTo(HttpApi api, long mark) throws Exception {
    List<JsonNode> after = new ArrayList<>();
    for (int round = 0; round < 20 && after.size() < MESSAGES; round++) {
      List<JsonNode> got = lease(api, 500);
      after.addAll(got);
      ack(api, got);
    }
    assertEquals(MESSAGES, after.size());
    for (int i = 0; i < after.size(); i++) {
      JsonNode d = after.get(i);
      long seq = d.get("seq").asLong();
      assertEquals(i + 1, seq, "FIFO after the restart");
      assertEquals("m" + seq, d.at("/message/payload").asText());
      assertEquals(1, d.get("delivery_count").asInt(), d.toString());
      assertEquals(seq <= mark, d.get("redelivered").asBoolean(), "seq " + seq);
    }
    assertTrue(after.get(LEASED_BEFORE_KILL - 1).get("redelivered").asBoolean());
  }

  private static List<JsonNode> lease(HttpApi api, int max) throws Exception {
    var r = api.get("/v1/queues/marks/messages?max=" + max + "&visibility=5m", null);
    assertEquals(200, r.statusCode(), r.body());
    List<JsonNode> out = new ArrayList<>();
    JSON.readTree(r.body()).forEach(out::add);
    return out;
  }

  private static void ack(HttpApi api, List<JsonNode> deliveries) throws Exception {
    List<String> receipts = deliveries.stream().map(d -> d.get("receipt").asText()).toList();
    var r =
        api.post(
            "/v1/queues/marks/ack",
            null,
            "application/json",
            JSON.writeValueAsString(Map.of("receipts", receipts)).getBytes(StandardCharsets.UTF_8));
    assertEquals(200, r.statusCode(), r.body());
  }
}
