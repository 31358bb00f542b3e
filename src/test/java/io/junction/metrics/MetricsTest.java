package io.junction.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.junction.testing.HttpApi;
import io.junction.testing.StompClient;
import io.junction.testing.TestNode;
import io.junction.testing.WireClient;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code /metrics} after real traffic: every metric docs/METRICS.md documents is scraped with the
 * documented labels, every {@code junction_*} metric scraped is documented, and the Grafana
 * dashboard only uses metrics that exist.
 */
class MetricsTest {
  private static final Pattern SAMPLE = Pattern.compile("^(junction_[a-z_]+)(?:\\{(.*)})? .*$");
  private static final Pattern LABEL = Pattern.compile("([a-z_]+)=\"");
  private static final Pattern DOC_ROW =
      Pattern.compile("^\\| `(junction_[a-z_]+)` \\| [a-z]+ \\| ([^|]*)\\|.*$");
  private static final ObjectMapper JSON = new ObjectMapper();

  static TestNode node;
  static HttpApi api;
  static String scrape;
  static StompClient openStomp;

  @BeforeAll
  static void startAndMakeTraffic() throws Exception {
    node =
        TestNode.start(
            """
            junction {
              queue-defaults.sweep-interval = 100ms
              queues { jobs {} }
              topics { alerts {} }
              endpoints {
                lines { kind = tcp-server, port = 0, codec = text,
                        framing { kind = delimiter, delimiter = "\\n", max-frame-bytes = 64 } }
              }
              routes {
                echo { from = lines, to = [reply, "queue:jobs", "topic:alerts"] }
              }
              stomp { enabled = on, port = 0 }
            }
            """);
    // STOMP: a publish (frames by command), a refused frame (errors by reason), an open connection
    try (StompClient bad = new StompClient(node.stompPort())) {
      bad.send("FROB", "");
      assertEquals("ERROR", bad.read().command());
    }
    StompClient stomp = new StompClient(node.stompPort());
    stomp.connect(null);
    stomp.send("SEND\ndestination:/queue/stomped\nreceipt:r", "hello");
    assertEquals("RECEIPT", stomp.read().command());
    openStomp = stomp;
    api = new HttpApi(node.httpPort());
    // SSE subscriber of the topic: registers junction_topic_dropped
    HttpResponse<InputStream> sse =
        api.client()
            .send(
                api.request("/v1/topics/alerts/events", null).GET().build(),
                HttpResponse.BodyHandlers.ofInputStream());
    try (InputStream events = sse.body();
        WireClient client = new WireClient(node.port("lines"))) {
      for (int i = 0; i < 5; i++)
        assertEquals("hello " + i, client.writeLine("hello " + i).readLine());
      assertTrue(events.read() >= 0, "the SSE subscriber saw a message");
    }
    try (WireClient tooLong = new WireClient(node.port("lines"))) {
      tooLong.writeLine("x".repeat(100)); // over max-frame-bytes: a frame error
      node.await(
          () -> {
            assertTrue(tooLong.isClosedByPeer());
            return null;
          });
    }
    // the echo route publishes without waiting: lease only once all five are durable
    node.await(
        () -> {
          String q = api(api -> api.get("/v1/queues/jobs", null).body());
          assertTrue(q.contains("\"depth\":5"), q);
          return null;
        });
    // lease one message so in-flight is non-zero
    assertEquals(200, api.get("/v1/queues/jobs/messages?max=1", null).statusCode());
    scrape =
        node.await(
            () -> {
              String body = api(api -> api.get("/metrics", null).body());
              assertTrue(body.contains("junction_queue_depth{queue=\"jobs\"} 4.0"), body);
              assertTrue(body.contains("junction_queue_in_flight{queue=\"jobs\"} 1.0"), body);
              return body;
            });
    Files.writeString(Path.of("target/metrics-scrape.txt"), scrape); // for whoever reads the docs
  }

  @AfterAll
  static void stop() throws Exception {
    openStomp.close();
    node.close();
  }

  @Test
  void everyDocumentedMetricIsScrapedWithItsDocumentedLabels() throws Exception {
    Map<String, Set<String>> documented = documented();
    Map<String, Set<String>> scraped = scraped();
    assertTrue(documented.size() > 20, "docs/METRICS.md documents the metrics: " + documented);
    for (var e : documented.entrySet()) {
      assertTrue(scraped.containsKey(e.getKey()), e.getKey() + " missing from:\n" + scrape);
      assertEquals(e.getValue(), scraped.get(e.getKey()), "labels of " + e.getKey());
    }
  }

  @Test
  void everyScrapedJunctionMetricIsDocumented() throws Exception {
    Set<String> missing = new TreeSet<>(scraped().keySet());
    missing.removeAll(documented().keySet());
    assertEquals(Set.of(), missing, "junction_* metrics not in docs/METRICS.md");
  }

  @Test
  void countersReflectTheTraffic() {
    assertTrue(
        scrape.contains("junction_frames_in_total{endpoint=\"lines\",kind=\"tcp-server\"} 5.0"),
        scrape);
    assertTrue(
        scrape.contains("junction_frame_errors_total{endpoint=\"lines\",kind=\"tcp-server\"} 1.0"),
        scrape);
    assertTrue(scrape.contains("junction_route_matched_total{route=\"echo\"} 5.0"), scrape);
    assertTrue(scrape.contains("junction_queue_published_total{queue=\"jobs\"} 5.0"), scrape);
    assertTrue(scrape.contains("junction_topic_published_total{topic=\"alerts\"} 5.0"), scrape);
    // every journal write is timed once it is durable
    double writes = sample("junction_queue_journal_writes_total{queue=\"jobs\"}");
    assertTrue(writes >= 1, scrape);
    assertEquals(writes, sample("junction_queue_journal_write_seconds_count{queue=\"jobs\"}"));
    assertEquals(
        writes, sample("junction_queue_journal_write_seconds_bucket{queue=\"jobs\",le=\"+Inf\"}"));
  }

  private static double sample(String series) {
    return scrape
        .lines()
        .filter(l -> l.startsWith(series + " "))
        .mapToDouble(l -> Double.parseDouble(l.substring(series.length() + 1).strip()))
        .findFirst()
        .orElseThrow(() -> new AssertionError(series + " not scraped:\n" + scrape));
  }

  @Test
  void grafanaDashboardParsesAndQueriesOnlyScrapedMetrics() throws Exception {
    JsonNode dashboard = JSON.readTree(Files.readString(Path.of("deploy/grafana/junction.json")));
    assertEquals("Junction", dashboard.get("title").asText());
    Set<String> used = new TreeSet<>();
    for (JsonNode panel : dashboard.get("panels"))
      for (JsonNode target : panel.path("targets")) {
        Matcher m = Pattern.compile("junction_[a-z_]+").matcher(target.get("expr").asText());
        while (m.find()) used.add(m.group());
      }
    assertTrue(used.size() >= 10, "the dashboard uses the node's metrics: " + used);
    Set<String> known = scraped().keySet();
    Set<String> unknown = used.stream().filter(u -> !known.contains(u)).collect(Collectors.toSet());
    assertEquals(Set.of(), unknown, "dashboard queries metrics the node does not export");
  }

  /** Metric name to label names, from the scrape. */
  private static Map<String, Set<String>> scraped() {
    Map<String, Set<String>> m = new LinkedHashMap<>();
    for (String line : scrape.lines().toList()) {
      Matcher s = SAMPLE.matcher(line);
      if (!s.matches()) continue;
      Set<String> labels = new TreeSet<>();
      if (s.group(2) != null) {
        Matcher l = LABEL.matcher(s.group(2));
        while (l.find()) labels.add(l.group(1));
      }
      m.merge(s.group(1), labels, (a, b) -> a);
    }
    return m;
  }

  /** Metric name to label names, from the tables of docs/METRICS.md. */
  private static Map<String, Set<String>> documented() throws Exception {
    Map<String, Set<String>> m = new LinkedHashMap<>();
    for (String line : Files.readAllLines(Path.of("docs/METRICS.md"), StandardCharsets.UTF_8)) {
      Matcher r = DOC_ROW.matcher(line);
      if (!r.matches()) continue;
      List<String> labels = new ArrayList<>();
      for (String l : Arrays.asList(r.group(2).split(","))) {
        String name = l.replace("`", "").strip();
        if (!name.isEmpty() && !name.equals("—")) labels.add(name);
      }
      m.put(r.group(1), new TreeSet<>(labels));
    }
    return m;
  }

  private interface Call {
    String apply(HttpApi api) throws Exception;
  }

  private static String api(Call call) {
    try {
      return call.apply(api);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
