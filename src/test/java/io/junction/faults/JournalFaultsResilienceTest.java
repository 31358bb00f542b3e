package io.junction.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.junction.testing.TestNode;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults in the real (H2, JDBC) journal of a queue: a failed write is reported to its publishers
 * and stores nothing of what it carried, every acknowledged message survives a node restart, and
 * the queue serves again once the rule is gone; a slow journal raises latency but loses nothing.
 */
@Tag("resilience")
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class JournalFaultsResilienceTest {
  static final String NODE =
      """
      junction {
        http.port = 0
        data-dir = "%s"
        faults.enabled = on
        queues { orders {}, slow {}, other {}, fed {} }
        endpoints.feed { kind = tcp-server, port = 0, framing.kind = length-prefixed }
        routes.feed { from = feed, to = "queue:fed" }
      }
      """;

  @TempDir static Path dir;
  static Path file;
  static TestNode node;
  static FaultApi faults;

  @BeforeAll
  static void start() throws Exception {
    file = dir.resolve("node.conf");
    Files.writeString(file, NODE.formatted(dir.resolve("data").toString().replace("\\", "/")));
    restart();
  }

  @AfterAll
  static void stop() throws Exception {
    node.close();
  }

  private static void restart() throws Exception {
    if (node != null) node.close();
    node = TestNode.startFromFile(file);
    faults = new FaultApi(node.httpPort());
  }

  private static HttpResponse<String> publish(String q, String payload) throws Exception {
    return faults
        .http()
        .post(
            "/v1/queues/" + q + "/messages",
            null,
            "text/plain",
            payload.getBytes(StandardCharsets.UTF_8));
  }

  private static HttpResponse<String> publishBatch(String q, List<String> payloads)
      throws Exception {
    StringBuilder ndjson = new StringBuilder();
    for (String p : payloads) ndjson.append("{\"payload\":\"").append(p).append("\"}\n");
    return faults
        .http()
        .post(
            "/v1/queues/" + q + "/messages:batch",
            null,
            "application/x-ndjson",
            ndjson.toString().getBytes(StandardCharsets.UTF_8));
  }

  /** The payloads stored in the queue (it is never leased in these tests). */
  private static Set<String> stored(String q) throws Exception {
    JsonNode list =
        FaultApi.JSON.readTree(
            faults.http().get("/v1/queues/" + q + "/peek?max=1000", null).body());
    Set<String> out = new HashSet<>();
    for (JsonNode m : list)
      assertTrue(out.add(m.path("message").path("payload").asText()), "twice: " + m);
    return out;
  }

  private static int depth(String q) throws Exception {
    return FaultApi.JSON
        .readTree(faults.http().get("/v1/queues/" + q, null).body())
        .get("depth")
        .asInt();
  }

  @Test
  void failedJournalWritesAreReportedStoreNothingAndLoseNothingAcknowledged() throws Exception {
    String id =
        faults.add("kind", "fail-journal-writes", "queue", "orders", "percent", "30", "ttl", "4s");
    long ruleEnds = System.nanoTime() + TimeUnit.SECONDS.toNanos(4);
    // Each request's messages, by outcome. A publish the queue did not answer in time (its
    // restart backoff grows while failures keep coming) has an unknown outcome: stored or not.
    List<List<String>> refused = new ArrayList<>(), unknown = new ArrayList<>();
    Set<String> accepted = new HashSet<>();
    int sent = 0, requests = 0;
    for (int i = 0; i < 200 && System.nanoTime() < ruleEnds; i++, requests++) {
      List<String> payloads = new ArrayList<>();
      if (i % 3 == 0) for (int k = 0; k < 5; k++) payloads.add("b" + i + "-" + k);
      else payloads.add("s" + i);
      sent += payloads.size();
      var r =
          payloads.size() == 1
              ? publish("orders", payloads.get(0))
              : publishBatch("orders", payloads);
      if (r.statusCode() == 201) accepted.addAll(payloads);
      else if (r.statusCode() == 503 && r.body().contains("journal failure")) refused.add(payloads);
      else if (r.statusCode() == 503 && r.body().contains("queue-busy")) unknown.add(payloads);
      else throw new AssertionError(r.statusCode() + " " + r.body());
    }
    // The queue serves again once the rule is over (after its restart backoff).
    node.await(() -> wrap(() -> publish("orders", "probe").statusCode() == 201 ? true : fail()));
    accepted.add("probe");
    for (int i = 0; i < 10; i++) {
      var r = publish("orders", "after" + i);
      assertEquals(201, r.statusCode(), r.body());
      accepted.add("after" + i);
    }
    // The rule has expired by now: its count stays in /metrics.
    double injected = faults.injectedMetric(id);
    assertTrue(injected > 0 && !refused.isEmpty(), injected + " writes failed");
    assertTrue(refused.size() >= injected, refused.size() + " requests refused for " + injected);
    Set<String> stored = stored("orders");
    assertStoredIsAccountedFor(stored, accepted, refused, unknown);
    // Nothing acknowledged is lost across a node restart either.
    restart();
    assertEquals(stored, stored("orders"));
    System.out.printf(
        "fail-journal-writes 30%% for 4 s: %d messages in %d requests; %d requests refused (%d"
            + " writes failed), %d unanswered, %d messages stored%n",
        sent, requests, refused.size(), (long) injected, unknown.size(), stored.size());
  }

  // Every acknowledged message is stored; no refused one is; a request is stored whole or not at
  // all; whatever else is stored was sent by a request whose outcome the client was not told.
  private static void assertStoredIsAccountedFor(
      Set<String> stored,
      Set<String> accepted,
      List<List<String>> refused,
      List<List<String>> unknown) {
    assertTrue(
        stored.containsAll(accepted), "acknowledged but missing: " + minus(accepted, stored));
    for (List<String> r : refused)
      for (String p : r) assertTrue(!stored.contains(p), "refused but stored: " + p);
    Set<String> extra = minus(stored, accepted);
    for (List<String> u : unknown) {
      long in = u.stream().filter(stored::contains).count();
      assertTrue(in == 0 || in == u.size(), "half of a batch stored: " + u);
      u.forEach(extra::remove);
    }
    assertTrue(extra.isEmpty(), "stored but never sent: " + extra);
  }

  private static Set<String> minus(Set<String> a, Set<String> b) {
    Set<String> out = new HashSet<>(a);
    out.removeAll(b);
    return out;
  }

  private static boolean fail() {
    throw new AssertionError("the queue does not accept publishes yet");
  }

  @Test
  void failedJournalWritesOfOneQueueLeaveAnotherQueueAlone() throws Exception {
    String id = faults.add("kind", "fail-journal-writes", "queue", "orders", "ttl", "1m");
    try {
      var r = publish("orders", "refused");
      assertEquals(503, r.statusCode(), r.body());
      for (int i = 0; i < 20; i++) assertEquals(201, publish("other", "o" + i).statusCode());
      assertEquals(20, depth("other"));
    } finally {
      faults.remove(id);
    }
  }

  @Test
  void slowJournalRaisesLatencyLosesNothingAndBatchesUnderLoad() throws Exception {
    int before = depth("slow");
    String id =
        faults.add("kind", "slow-journal-writes", "queue", "slow", "delay", "300ms", "ttl", "2m");
    long t = System.nanoTime();
    assertEquals(201, publish("slow", "first").statusCode());
    long latencyMs = (System.nanoTime() - t) / 1_000_000;
    assertTrue(latencyMs >= 300, "a publish waits for its write: " + latencyMs + " ms");
    // 60 publishers at once: their writes queue behind the slow one and are batched, so the
    // journal sees far fewer writes than there are messages, and every publisher is answered.
    int n = 60;
    List<CompletableFuture<HttpResponse<String>>> inFlight = new ArrayList<>();
    t = System.nanoTime();
    for (int i = 0; i < n; i++) {
      HttpRequest req =
          faults
              .http()
              .request("/v1/queues/slow/messages", null)
              .header("Content-Type", "text/plain")
              .POST(HttpRequest.BodyPublishers.ofString("c" + i))
              .build();
      inFlight.add(faults.http().client().sendAsync(req, HttpResponse.BodyHandlers.ofString()));
    }
    for (var f : inFlight) {
      HttpResponse<String> r = f.get(30, TimeUnit.SECONDS);
      assertEquals(201, r.statusCode(), r.body());
    }
    long burstMs = (System.nanoTime() - t) / 1_000_000;
    long hits = faults.remove(id);
    assertTrue(hits < n / 2, hits + " writes for " + (n + 1) + " messages: batched");
    assertEquals(before + n + 1, depth("slow"));
    Set<String> payloads = stored("slow");
    for (int i = 0; i < n; i++) assertTrue(payloads.contains("c" + i), "c" + i);
    System.out.printf(
        "slow-journal-writes 300ms: single publish %d ms, %d concurrent publishes in %d ms with %d"
            + " journal writes%n",
        latencyMs, n, burstMs, hits);
  }

  @Test
  void slowJournalUnderARawTcpFloodRefusesWhatItCannotHoldAndCountsIt() throws Exception {
    String id =
        faults.add("kind", "slow-journal-writes", "queue", "fed", "delay", "300ms", "ttl", "2m");
    int n = 20_000;
    long t = System.nanoTime();
    // A raw TCP source cannot be told a delivery failed: each message must be stored or counted.
    try (FramedPeer peer = new FramedPeer(node.port("feed"))) {
      for (int i = 0; i < n; i += 1000) peer.send("f" + i + "-", 1000);
      node.await(
          () -> {
            double refused = wrap(() -> refusedMetric("fed"));
            assertEquals(n, wrap(() -> depth("fed")) + refused, 0.0, "stored + refused = sent");
            return true;
          });
    }
    long ms = (System.nanoTime() - t) / 1_000_000;
    double refused = refusedMetric("fed");
    long writes = faults.remove(id);
    System.out.printf(
        "slow-journal-writes 300ms, %d raw TCP frames: %d stored, %.0f refused and counted, in %d"
            + " ms with %d journal writes%n",
        n, depth("fed"), refused, ms, writes);
  }

  private static double refusedMetric(String q) throws Exception {
    String text = faults.http().get("/metrics", null).body();
    var m =
        java.util.regex.Pattern.compile(
                "junction_queue_publishes_refused_total\\{queue=\"" + q + "\"} (\\S+)")
            .matcher(text);
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }

  interface Check<T> {
    T get() throws Exception;
  }

  private static <T> T wrap(Check<T> c) {
    try {
      return c.get();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
