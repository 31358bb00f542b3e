package io.junction.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.junction.testing.HttpApi;
import io.junction.testing.TestNode;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The queue API over real HTTP: publish when durable, lease, ack, nack, redelivery, dead letters.
 */
class QueueApiTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static TestNode node;
  static HttpApi api;

  @BeforeAll
  static void start() {
    node =
        TestNode.start(
            """
            junction {
              structs.Person.fields = [ { name = name, type = "char[128]" }, { name = age, type = int32 } ]
              queues {
                jobs {}
                flaky { max-deliveries = 2 }
                people {}
                rated {}
                idle {}
                timed {}
                rejects {}
              }
              queue-policies.tiny { pattern = "^tiny[.]", max-length = 1 }
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

  private static HttpResponse<String> publish(String q, String body) throws Exception {
    return api.post(
        "/v1/queues/" + q + "/messages", null, "text/plain", body.getBytes(StandardCharsets.UTF_8));
  }

  private static HttpResponse<String> settle(String q, String verb, JsonNode receipts)
      throws Exception {
    return api.post(
        "/v1/queues/" + q + "/" + verb,
        null,
        "application/json",
        JSON.writeValueAsBytes(java.util.Map.of("receipts", receipts)));
  }

  @Test
  void publishesLeasesAcksAndNacksInFifoOrder() throws Exception {
    for (String m : new String[] {"a", "b", "c"})
      assertEquals(201, publish("jobs", m).statusCode());
    assertEquals(3, json(api.get("/v1/queues/jobs", null)).get("depth").asInt());
    JsonNode leased = json(api.get("/v1/queues/jobs/messages?max=2&visibility=30s", null));
    assertEquals(2, leased.size());
    assertEquals("a", leased.get(0).at("/message/payload").asText());
    assertEquals("b", leased.get(1).at("/message/payload").asText());
    var ack = JSON.createArrayNode().add(leased.get(0).get("receipt").asText());
    assertEquals(1, json(settle("jobs", "ack", ack)).get("settled").asInt());
    var nack = JSON.createArrayNode().add(leased.get(1).get("receipt").asText());
    assertEquals(1, json(settle("jobs", "nack", nack)).get("settled").asInt());
    JsonNode next = json(api.get("/v1/queues/jobs/messages?max=5", null));
    assertEquals(2, next.size());
    assertEquals("b", next.get(0).at("/message/payload").asText());
    assertEquals(2, next.get(0).get("delivery_count").asInt());
    assertEquals("c", next.get(1).at("/message/payload").asText());
    // an ack for an unknown receipt is reported, not fatal
    JsonNode unknown = json(settle("jobs", "ack", JSON.createArrayNode().add("nope")));
    assertEquals("nope", unknown.get("unknown").get(0).asText());
  }

  @Test
  void showsPublishDeliverAndAckRates() throws Exception {
    for (int i = 0; i < 20; i++) assertEquals(201, publish("rated", "m" + i).statusCode());
    JsonNode leased = json(api.get("/v1/queues/rated/messages?max=10", null));
    assertEquals(10, leased.size());
    var receipts = JSON.createArrayNode();
    for (int i = 0; i < 5; i++) receipts.add(leased.get(i).get("receipt").asText());
    assertEquals(5, json(settle("rated", "ack", receipts)).get("settled").asInt());
    JsonNode rated = json(api.get("/v1/queues/rated", null));
    double publish = rated.get("publish_rate").asDouble();
    double deliver = rated.get("deliver_rate").asDouble();
    double ack = rated.get("ack_rate").asDouble();
    // Counted since the queue recovered (at most ten seconds back): 20, 10 and 5 messages, so the
    // rates keep those proportions whatever the time they are spread over (up to a full window, the
    // rates, shown to 0.1, are then about 2, 1 and 0.5: the rounding moves the ratios by up to
    // 0.2).
    assertTrue(publish > 0 && deliver > 0 && ack > 0, rated.toString());
    assertEquals(2.0, publish / deliver, 0.2, rated.toString());
    assertEquals(2.0, deliver / ack, 0.25, rated.toString());
    JsonNode idle = json(api.get("/v1/queues/idle", null));
    assertEquals(0.0, idle.get("publish_rate").asDouble(), idle.toString());
    assertEquals(0.0, idle.get("deliver_rate").asDouble(), idle.toString());
    assertEquals(0.0, idle.get("ack_rate").asDouble(), idle.toString());
  }

  @Test
  void unackedMessageComesBackAfterItsLeaseThenGoesToDeadLetters() throws Exception {
    assertEquals(201, publish("flaky", "poison").statusCode());
    JsonNode first = json(api.get("/v1/queues/flaky/messages?visibility=300ms", null));
    assertEquals(1, first.size());
    JsonNode again =
        node.await(
            () -> {
              try {
                JsonNode l = json(api.get("/v1/queues/flaky/messages?visibility=300ms", null));
                assertEquals(1, l.size(), "redelivered after the lease expired");
                return l;
              } catch (Exception e) {
                throw new AssertionError(e);
              }
            });
    assertEquals(2, again.get(0).get("delivery_count").asInt());
    node.await(
        () -> {
          try {
            JsonNode dead = json(api.get("/v1/queues/flaky/dead-letters", null));
            assertEquals(1, dead.size());
            assertTrue(dead.toString().contains("max-deliveries"), dead.toString());
            assertEquals(0, json(api.get("/v1/queues/flaky", null)).get("depth").asInt());
          } catch (Exception e) {
            throw new AssertionError(e);
          }
          return null;
        });
  }

  @Test
  void encodesJsonIntoAStructAndShowsItsFieldsOnPeek() throws Exception {
    var r =
        api.post(
            "/v1/queues/people/messages?struct=Person",
            null,
            "application/json",
            "{\"name\":\"Alice\",\"age\":42}".getBytes(StandardCharsets.UTF_8));
    assertEquals(201, r.statusCode(), r.body());
    JsonNode peeked = json(api.get("/v1/queues/people/peek", null));
    assertEquals("Alice", peeked.get(0).at("/message/fields/name").asText());
    assertEquals(42, peeked.get(0).at("/message/fields/age").asInt());
    assertEquals("Person", peeked.get(0).at("/message/type").asText());
  }

  @Test
  void rejectsBadQueueNamesAndLeaseParametersWithProblems() throws Exception {
    var bad = api.get("/v1/queues/bad%20name/messages?max=0", null);
    assertEquals(400, bad.statusCode());
    assertTrue(bad.headers().firstValue("content-type").orElse("").contains("problem+json"));
    var badMax = api.get("/v1/queues/jobs/messages?max=0", null);
    assertEquals(400, badMax.statusCode());
    assertTrue(json(badMax).get("detail").asText().contains("max must be"));
  }

  @Test
  void deadLettersAreShownRedrivenWithoutTheirExpiryAndPurged() throws Exception {
    assertEquals(201, publish("rejects", "a").statusCode());
    var b =
        api.post(
            "/v1/queues/rejects/messages?header.expiration=600000&header.kind=b",
            null,
            "text/plain",
            "b".getBytes(StandardCharsets.UTF_8));
    assertEquals(201, b.statusCode(), b.body());
    assertEquals(201, publish("rejects", "c").statusCode());
    JsonNode leased = json(api.get("/v1/queues/rejects/messages?max=3", null));
    var receipts = JSON.createArrayNode();
    leased.forEach(d -> receipts.add(d.get("receipt").asText()));
    var nack =
        api.post(
            "/v1/queues/rejects/nack",
            null,
            "application/json",
            JSON.writeValueAsBytes(java.util.Map.of("receipts", receipts, "requeue", false)));
    assertEquals(3, json(nack).get("settled").asInt(), nack.body());

    JsonNode dead = json(api.get("/v1/queues/rejects/dead-letters?max=2", null));
    assertEquals(2, dead.size(), dead.toString());
    assertEquals("a", dead.get(0).at("/message/payload").asText(), dead.toString());
    assertEquals("b", dead.get(1).at("/message/payload").asText(), dead.toString());
    assertEquals(2, dead.get(1).get("seq").asLong(), dead.toString());
    assertEquals("rejected by consumer", dead.get(1).get("reason").asText(), dead.toString());
    assertTrue(dead.get(1).get("dead_lettered_at").asLong() > 0, dead.toString());
    assertEquals("600000", dead.get(1).at("/message/headers/expiration").asText());

    var moved =
        api.post("/v1/queues/rejects/dead-letters/redrive?max=2", null, "text/plain", new byte[0]);
    assertEquals(200, moved.statusCode(), moved.body());
    assertEquals(2, json(moved).get("moved").asInt(), moved.body());
    JsonNode back = json(api.get("/v1/queues/rejects/peek", null));
    assertEquals(2, back.size(), back.toString());
    assertEquals("a", back.get(0).at("/message/payload").asText(), back.toString());
    JsonNode redriven = back.get(1);
    assertEquals(5, redriven.get("seq").asLong(), "appended after seqs 1-3 and a: " + back);
    assertEquals(0, redriven.get("deliveries").asInt(), back.toString());
    assertEquals("b", redriven.at("/message/headers/kind").asText(), back.toString());
    assertTrue(
        redriven.at("/message/headers/expiration").isMissingNode(),
        "RabbitMQ drops expiration on dead-lettering: " + back);

    var purged = api.delete("/v1/queues/rejects/dead-letters", null);
    assertEquals(200, purged.statusCode(), purged.body());
    assertEquals(1, json(purged).get("removed").asInt(), purged.body());
    JsonNode stats = json(api.get("/v1/queues/rejects", null));
    assertEquals(0, stats.get("dead_letters").asInt(), stats.toString());
    assertEquals(2, stats.get("depth").asInt(), stats.toString());
  }

  private static List<String> listedNames() throws Exception {
    List<String> names = new ArrayList<>();
    json(api.get("/v1/queues", null)).forEach(q -> names.add(q.get("name").asText()));
    return names;
  }

  @Test
  void queuesCreatedByPutOrByUseAreListedAndDeleteRemovesThem() throws Exception {
    var put = api.put("/v1/queues/made", null);
    assertEquals(201, put.statusCode(), put.body());
    assertTrue(json(put).get("created").asBoolean(), put.body());
    var again = api.put("/v1/queues/made", null);
    assertEquals(200, again.statusCode(), again.body());
    assertTrue(!json(again).get("created").asBoolean(), again.body());
    assertEquals(201, publish("used", "one").statusCode());
    assertEquals(201, publish("used", "two").statusCode());
    node.await(
        () -> {
          try {
            List<String> names = listedNames();
            assertTrue(
                names.containsAll(
                    List.of("jobs", "flaky", "people", "rated", "idle", "timed", "rejects")),
                "every declared one, used or not: " + names);
            assertTrue(names.containsAll(List.of("made", "used")), names.toString());
            assertEquals(names.stream().sorted().toList(), names, "by name");
          } catch (Exception e) {
            throw new AssertionError(e);
          }
          return null;
        });

    var declared = api.delete("/v1/queues/jobs", null);
    assertEquals(409, declared.statusCode(), declared.body());
    assertEquals("urn:junction:problem:queue-declared", json(declared).get("type").asText());
    var notEmpty = api.delete("/v1/queues/used?if-empty=true", null);
    assertEquals(409, notEmpty.statusCode(), notEmpty.body());
    assertTrue(json(notEmpty).get("detail").asText().contains("2 messages"), notEmpty.body());
    var deleted = api.delete("/v1/queues/used", null);
    assertEquals(200, deleted.statusCode(), deleted.body());
    assertEquals(2, json(deleted).get("messages").asInt(), deleted.body());
    node.await(
        () -> {
          try {
            List<String> names = listedNames();
            assertTrue(!names.contains("used") && names.contains("made"), names.toString());
          } catch (Exception e) {
            throw new AssertionError(e);
          }
          return null;
        });
    JsonNode gone = json(api.get("/v1/queues/used", null));
    assertEquals(0, gone.get("depth").asInt(), gone.toString());
    assertEquals(0, gone.get("published").asInt(), "counters go with the queue: " + gone);

    var withBody =
        api.put("/v1/queues/other", null, "application/json", "{\"ttl\":\"1m\"}".getBytes());
    assertEquals(400, withBody.statusCode(), withBody.body());
    assertTrue(json(withBody).get("detail").asText().contains("junction.queues.other"));
  }

  @Test
  void aPolicyGivesAnUndeclaredQueueItsSettingsAndTheStatsSayWhere() throws Exception {
    assertEquals(201, publish("tiny.one", "fits").statusCode());
    var full = publish("tiny.one", "too many");
    assertEquals(503, full.statusCode(), full.body());
    assertTrue(json(full).get("detail").asText().contains("max-length (1)"), full.body());
    JsonNode tiny = json(api.get("/v1/queues/tiny.one", null));
    assertEquals("tiny", tiny.get("policy").asText(), tiny.toString());
    assertTrue(!tiny.get("declared").asBoolean(), tiny.toString());
    JsonNode jobs = json(api.get("/v1/queues/jobs", null));
    assertTrue(jobs.get("declared").asBoolean() && !jobs.has("policy"), jobs.toString());
    assertEquals(201, publish("tinyx", "a").statusCode());
    assertEquals(201, publish("tinyx", "b").statusCode(), "no policy matches: the defaults");
  }

  @Test
  void countParametersOutOfRangeAreProblemsNamingTheParameter() throws Exception {
    for (String path :
        new String[] {
          "/v1/queues/jobs/peek?max=x",
          "/v1/queues/jobs/peek?max=0",
          "/v1/queues/jobs/dead-letters?max=1001",
          "/v1/queues/jobs/stream?prefetch=0"
        }) {
      var r = api.get(path, null);
      assertEquals(400, r.statusCode(), path + ": " + r.body());
      assertEquals("urn:junction:problem:bad-parameter", json(r).get("type").asText(), path);
      assertTrue(json(r).get("detail").asText().contains("must be 1.."), path + ": " + r.body());
    }
    var redrive =
        api.post("/v1/queues/jobs/dead-letters/redrive?max=-1", null, "text/plain", new byte[0]);
    assertEquals(400, redrive.statusCode(), redrive.body());
  }

  @Test
  void delayAndTtlPerMessageTravelAsHeadersAndBadOnesAreRefusedAtOnce() throws Exception {
    byte[] body = "x".getBytes(StandardCharsets.UTF_8);
    var later =
        api.post("/v1/queues/timed/messages?header.x-delay=600000", null, "text/plain", body);
    assertEquals(201, later.statusCode(), later.body());
    JsonNode stats = json(api.get("/v1/queues/timed", null));
    assertEquals(1, stats.get("delayed").asInt(), stats.toString());
    assertEquals(0, json(api.get("/v1/queues/timed/messages?max=5", null)).size(), "not yet due");

    var bad =
        api.post("/v1/queues/timed/messages?header.expiration=soon", null, "text/plain", body);
    assertEquals(400, bad.statusCode(), bad.body());
    assertEquals("urn:junction:problem:bad-header", json(bad).get("type").asText(), bad.body());
    assertTrue(
        json(bad).get("detail").asText().contains("header expiration must be whole milliseconds"),
        bad.body());
    var badBatch =
        api.post(
            "/v1/queues/timed/messages:batch",
            null,
            "application/json",
            "[{\"payload\":\"a\"},{\"payload\":\"b\",\"headers\":{\"x-delay\":\"-1\"}}]"
                .getBytes(StandardCharsets.UTF_8));
    assertEquals(400, badBatch.statusCode(), badBatch.body());
    assertTrue(
        json(badBatch).get("detail").asText().contains("message 1: header x-delay"),
        badBatch.body());
    assertEquals(1, json(api.get("/v1/queues/timed", null)).get("depth").asInt(), "nothing stored");
  }
}
