package io.junction.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.junction.testing.HttpApi;
import io.junction.testing.TestNode;
import io.junction.testing.WireClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code GET /v1/events}, {@code GET /v1/node} and the console's static files, over real HTTP. */
class EventStreamTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String READ = "read-secret-1", PUBLISH = "publish-secret-2";
  @TempDir static Path dir;
  static TestNode node;
  static HttpApi api;
  static final ExecutorService reader = Executors.newCachedThreadPool();

  @BeforeAll
  static void start() throws Exception {
    Files.writeString(dir.resolve("read"), READ);
    Files.writeString(dir.resolve("publish"), PUBLISH);
    node =
        TestNode.start(
            """
            junction {
              node-name = console-node
              endpoints.lines { kind = tcp-server, port = 0, codec = text, framing { kind = delimiter } }
              routes.echo { from = lines, to = reply }
              queues.jobs {}
              http {
                require-auth = on
                events-interval = 200ms
                tokens = [
                  { token-file = "%s", scopes = [read] }
                  { token-file = "%s", scopes = [publish] }
                ]
              }
            }
            """
                .formatted(dir.resolve("read"), dir.resolve("publish")));
    api = new HttpApi(node.httpPort());
  }

  @AfterAll
  static void stop() throws Exception {
    reader.shutdownNow();
    node.close();
  }

  /** The first snapshot event that satisfies {@code wanted}, read within 15 s. */
  private static JsonNode awaitSnapshot(String query, String token, Predicate<JsonNode> wanted)
      throws Exception {
    HttpResponse<Stream<String>> r =
        api.client()
            .send(
                api.request("/v1/events" + query, token).GET().build(),
                HttpResponse.BodyHandlers.ofLines());
    assertEquals(200, r.statusCode());
    assertEquals("text/event-stream", r.headers().firstValue("Content-Type").orElseThrow());
    try (Stream<String> lines = r.body()) {
      Iterator<String> it = lines.iterator();
      CompletableFuture<JsonNode> found =
          CompletableFuture.supplyAsync(
              () -> {
                String event = "";
                while (it.hasNext()) {
                  String line = it.next();
                  if (line.startsWith("event:")) event = line.substring(6).strip();
                  if (line.startsWith("data:") && event.equals("snapshot")) {
                    JsonNode s = parse(line.substring(5));
                    if (wanted.test(s)) return s;
                  }
                }
                throw new AssertionError("event stream ended");
              },
              reader);
      return found.get(15, TimeUnit.SECONDS);
    }
  }

  private static JsonNode parse(String json) {
    try {
      return JSON.readTree(json);
    } catch (Exception e) {
      throw new AssertionError("not JSON: " + json, e);
    }
  }

  @Test
  void snapshotShowsNodeEndpointsQueuesAndRoutes() throws Exception {
    JsonNode s = awaitSnapshot("", READ, x -> true);
    assertEquals("console-node", s.at("/node/name").asText());
    assertEquals("lines", s.at("/endpoints/0/name").asText());
    assertEquals("bound", s.at("/endpoints/0/state").asText());
    assertEquals("jobs", s.at("/queues/0/name").asText());
    assertEquals("echo", s.at("/routes/0/name").asText());
    assertTrue(s.get("connections").isArray());
  }

  @Test
  void snapshotsFollowAConnectionFromOpenToClose() throws Exception {
    int port = node.port("lines");
    String id;
    try (WireClient client = new WireClient(port)) {
      client.writeLine("hello");
      assertEquals("hello", client.readLine());
      String peer = "127.0.0.1:" + client.socket().getLocalPort();
      JsonNode s =
          awaitSnapshot(
              "?access_token=" + READ,
              null,
              x ->
                  x.get("connections").findValuesAsText("peer").stream()
                      .anyMatch(p -> p.endsWith(peer)));
      JsonNode c = s.get("connections").get(0);
      id = c.get("id").asText();
      assertEquals(1, c.get("frames_in").asLong());
    }
    awaitSnapshot(
        "?access_token=" + READ,
        null,
        x -> !x.get("connections").findValuesAsText("id").contains(id));
  }

  @Test
  void queryTokenIsCheckedLikeTheHeader() throws Exception {
    HttpResponse<String> none = api.get("/v1/events", null);
    assertEquals(401, none.statusCode());
    assertEquals(401, api.get("/v1/events?access_token=guess", null).statusCode());
    HttpResponse<String> publishOnly = api.get("/v1/events?access_token=" + PUBLISH, null);
    assertEquals(403, publishOnly.statusCode());
    assertTrue(publishOnly.body().contains("insufficient-scope"), publishOnly.body());
  }

  @Test
  void queryTokenIsAcceptedByTheEventsEndpointOnly() throws Exception {
    assertEquals(401, api.get("/v1/endpoints?access_token=" + READ, null).statusCode());
  }

  @Test
  void nodeAnswersNameVersionAndUptime() throws Exception {
    HttpResponse<String> r = api.get("/v1/node", READ);
    assertEquals(200, r.statusCode(), r.body());
    JsonNode n = JSON.readTree(r.body());
    assertEquals("console-node", n.get("name").asText());
    assertTrue(n.get("uptime_seconds").asLong() >= 0);
    assertTrue(n.has("started") && n.has("version"));
  }

  @Test
  void consoleIsServedWithoutATokenFromTheJar() throws Exception {
    HttpResponse<String> index = api.get("/", null);
    assertEquals(200, index.statusCode());
    assertTrue(index.headers().firstValue("Content-Type").orElseThrow().startsWith("text/html"));
    assertTrue(index.body().contains("<title>Junction"), index.body());
    assertTrue(
        index.headers().firstValue("Content-Security-Policy").orElseThrow().contains("'self'"));
    HttpResponse<String> script = api.get("/console/app.js", null);
    assertEquals(200, script.statusCode());
    assertTrue(
        script.headers().firstValue("Content-Type").orElseThrow().contains("javascript"),
        script.headers().toString());
  }

  @Test
  void consoleServesNothingOutsideItsDirectory() throws Exception {
    for (String path :
        new String[] {
          "/console/../logback.xml", "/console/..%2Flogback.xml", "/console/%2e%2e/reference.conf"
        }) {
      HttpResponse<String> r = api.get(path, null);
      assertEquals(404, r.statusCode(), path + " -> " + r.body());
      assertTrue(r.body().contains("urn:junction:problem:"), path + " -> " + r.body());
    }
    assertEquals(
        "not-found",
        JSON.readTree(api.get("/console/nope.js", null).body())
            .get("type")
            .asText()
            .replace("urn:junction:problem:", ""));
  }
}
