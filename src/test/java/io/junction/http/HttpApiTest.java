package io.junction.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.junction.testing.HttpApi;
import io.junction.testing.TestNode;
import io.junction.testing.UdpPeer;
import io.junction.testing.WireClient;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HttpApiTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String READ = "read-secret-1",
      PUBLISH = "publish-secret-2",
      ADMIN = "admin-secret-3";
  @TempDir static Path dir;
  static ServerSocket plc;
  static Socket plcConnection;
  static TestNode node;
  static HttpApi api;

  @BeforeAll
  static void start() throws Exception {
    plc = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    plc.setSoTimeout(10_000);
    Files.writeString(dir.resolve("read"), READ + "\n");
    Files.writeString(dir.resolve("publish"), PUBLISH);
    Files.writeString(dir.resolve("admin"), ADMIN);
    node =
        TestNode.start(
            """
            junction {
              structs.Person.fields = [
                { name = name, type = "char[128]", encoding = utf-8 }
                { name = age, type = int32 }
              ]
              endpoints {
                out { kind = tcp-client, port = %d, codec = "struct:Person" }
                lines { kind = tcp-server, port = 0, codec = text, framing { kind = delimiter } }
                dgram { kind = udp, port = 0 }
              }
              routes.echo { from = lines, to = reply }
              http {
                require-auth = on
                max-body-bytes = 4k
                tokens = [
                  { token-file = "%s", scopes = [read] }
                  { token-file = "%s", scopes = [publish] }
                  { token-file = "%s", scopes = [admin, read] }
                ]
              }
            }
            """
                .formatted(
                    plc.getLocalPort(),
                    dir.resolve("read"),
                    dir.resolve("publish"),
                    dir.resolve("admin")));
    api = new HttpApi(node.httpPort());
    plcConnection = plc.accept();
    plcConnection.setSoTimeout(10_000);
  }

  @AfterAll
  static void stop() throws Exception {
    node.close();
    plcConnection.close();
    plc.close();
  }

  @Test
  void healthAnswersUpWithoutAToken() throws Exception {
    HttpResponse<String> r = api.get("/v1/health", null);
    assertEquals(200, r.statusCode());
    assertEquals("UP", JSON.readTree(r.body()).get("status").asText());
    assertEquals("application/json", r.headers().firstValue("Content-Type").orElseThrow());
  }

  @Test
  void readyAnswersOkOnceEveryListenerIsBound() throws Exception {
    node.port("lines");
    node.port("dgram");
    HttpResponse<String> r = api.get("/v1/ready", null);
    assertEquals(200, r.statusCode(), r.body());
  }

  @Test
  void callWithoutATokenGets401ProblemWithChallenge() throws Exception {
    HttpResponse<String> r = api.get("/v1/endpoints", null);
    assertProblem(r, 401, "missing-token");
    assertTrue(r.headers().firstValue("WWW-Authenticate").orElseThrow().startsWith("Bearer"));
  }

  @Test
  void callWithAnUnknownTokenGets401Problem() throws Exception {
    assertProblem(api.get("/v1/endpoints", "guess"), 401, "invalid-token");
  }

  @Test
  void callsBeyondTheTokensScopesGet403Problems() throws Exception {
    byte[] hi = "hi".getBytes(StandardCharsets.UTF_8);
    assertProblem(api.post("/v1/publish/log", READ, "text/plain", hi), 403, "insufficient-scope");
    assertProblem(api.get("/v1/endpoints", PUBLISH), 403, "insufficient-scope");
    assertProblem(api.delete("/v1/connections/lines-1", READ), 403, "insufficient-scope");
  }

  @Test
  void publishedJsonEncodedAsPersonReachesTheTcpPeerAsTheExact132Bytes() throws Exception {
    HttpResponse<String> r =
        api.post(
            "/v1/publish/tcp:out?struct=Person",
            PUBLISH,
            "application/json",
            "{\"name\":\"Alice\",\"age\":42}".getBytes(StandardCharsets.UTF_8));
    assertEquals(202, r.statusCode(), r.body());
    JsonNode body = JSON.readTree(r.body());
    assertEquals(36, body.get("id").asText().length());
    assertEquals("tcp:out", body.get("destination").asText());
    InputStream in = plcConnection.getInputStream();
    byte[] got = in.readNBytes(132);
    ByteBuffer expected = ByteBuffer.allocate(132).order(ByteOrder.LITTLE_ENDIAN);
    expected.put("Alice".getBytes(StandardCharsets.US_ASCII)).position(128);
    expected.putInt(42);
    assertArrayEquals(expected.array(), got);
  }

  @Test
  void publishedBodyWithHeaderTargetIsSentAsADatagram() throws Exception {
    try (UdpPeer peer = new UdpPeer()) {
      HttpResponse<String> r =
          api.post(
              "/v1/publish/udp:dgram?header.target-host=127.0.0.1&header.target-port="
                  + peer.port(),
              PUBLISH,
              "application/octet-stream",
              new byte[] {1, 2, 3});
      assertEquals(202, r.statusCode(), r.body());
      assertArrayEquals(new byte[] {1, 2, 3}, peer.receive());
    }
  }

  @Test
  void publishRequestsThatCannotBeDeliveredGetSpecificProblems() throws Exception {
    byte[] json = "{\"name\":\"Bob\",\"age\":7}".getBytes(StandardCharsets.UTF_8);
    assertProblem(
        api.post("/v1/publish/nowhere", PUBLISH, "text/plain", json), 400, "bad-destination");
    assertProblem(
        api.post("/v1/publish/reply", PUBLISH, "text/plain", json), 400, "bad-destination");
    assertProblem(
        api.post("/v1/publish/tcp:ghost", PUBLISH, "text/plain", json), 404, "unknown-destination");
    assertProblem(
        api.post("/v1/publish/tcp:out?struct=Nope", PUBLISH, "application/json", json),
        400,
        "unknown-struct");
    assertProblem(
        api.post("/v1/publish/tcp:out?struct=Person", PUBLISH, "text/plain", json),
        415,
        "unsupported-media-type");
    assertProblem(
        api.post(
            "/v1/publish/tcp:out?struct=Person",
            PUBLISH,
            "application/json",
            "{\"name\":".getBytes(StandardCharsets.UTF_8)),
        400,
        "bad-json");
    assertProblem(
        api.post(
            "/v1/publish/tcp:out?struct=Person",
            PUBLISH,
            "application/json",
            "{\"name\":\"Bob\",\"age\":\"old\"}".getBytes(StandardCharsets.UTF_8)),
        422,
        "struct-mismatch");
    assertProblem(
        api.post("/v1/publish/log", PUBLISH, "text/plain", new byte[5000]),
        413,
        "content-too-large");
  }

  @Test
  void unknownPathsAndMethodsGetProblems() throws Exception {
    assertProblem(api.get("/v1/nothing-here", READ), 404, "not-found");
    assertProblem(api.delete("/v1/endpoints", ADMIN), 405, "method-not-allowed");
  }

  @Test
  void endpointsListEveryEndpointWithStateAndCounters() throws Exception {
    node.port("dgram");
    JsonNode list = JSON.readTree(ok(api.get("/v1/endpoints", READ)));
    assertEquals(3, list.size(), list.toString());
    JsonNode dgram = list.get(0);
    assertEquals("dgram", dgram.get("name").asText());
    assertEquals("udp", dgram.get("kind").asText());
    assertEquals("bound", dgram.get("state").asText());
    assertTrue(dgram.get("counters").has("datagrams_in"), dgram.toString());
  }

  @Test
  void connectionsAreListedAndAdminCanCloseOne() throws Exception {
    try (WireClient c = new WireClient(node.port("lines"))) {
      c.writeLine("hello");
      assertEquals("hello", c.readLine());
      JsonNode list = JSON.readTree(ok(api.get("/v1/connections?endpoint=lines", READ)));
      assertEquals(1, list.size(), list.toString());
      JsonNode conn = list.get(0);
      assertEquals(5, conn.get("bytes_in").asLong()); // frame bytes, without the delimiter
      assertEquals(1, conn.get("frames_out").asLong());
      String id = conn.get("id").asText();
      HttpResponse<String> closed = api.delete("/v1/connections/" + id, ADMIN);
      assertEquals(202, closed.statusCode(), closed.body());
      assertTrue(c.isClosedByPeer());
      assertProblem(api.delete("/v1/connections/" + id + "0", ADMIN), 404, "unknown-connection");
    }
    assertProblem(api.get("/v1/connections?endpoint=nope", READ), 404, "unknown-endpoint");
  }

  @Test
  void routesShowTheirDestinationsAndCounters() throws Exception {
    try (WireClient c = new WireClient(node.port("lines"))) {
      c.writeLine("count me");
      c.readLine();
    }
    JsonNode routes = JSON.readTree(ok(api.get("/v1/routes", READ)));
    JsonNode echo = routes.get(0);
    assertEquals("echo", echo.get("name").asText());
    assertEquals("reply", echo.get("to").get(0).asText());
    assertTrue(echo.get("counters").get("matched").asLong() >= 1, echo.toString());
  }

  @Test
  void metricsShowTheRequestsTheApiServed() throws Exception {
    api.get("/v1/health", null);
    api.get("/v1/endpoints", null);
    HttpResponse<String> r = api.get("/metrics", null);
    assertEquals(200, r.statusCode());
    assertTrue(
        r.body()
            .lines()
            .anyMatch(
                l ->
                    l.startsWith("junction_http_requests_total{")
                        && l.contains("path=\"/v1/health\"")
                        && l.contains("status=\"200\"")),
        r.body());
    assertTrue(
        r.body()
            .lines()
            .anyMatch(l -> l.contains("path=\"/v1/endpoints\"") && l.contains("status=\"401\"")),
        r.body());
  }

  static String ok(HttpResponse<String> r) {
    assertEquals(200, r.statusCode(), r.body());
    return r.body();
  }

  static void assertProblem(HttpResponse<String> r, int status, String type) throws Exception {
    assertEquals(status, r.statusCode(), r.body());
    assertEquals(
        "application/problem+json", r.headers().firstValue("Content-Type").orElseThrow(), r.body());
    JsonNode p = JSON.readTree(r.body());
    assertEquals("urn:junction:problem:" + type, p.get("type").asText(), r.body());
    assertEquals(status, p.get("status").asInt());
    assertTrue(p.get("title").asText().length() > 0);
    assertTrue(p.get("detail").asText().length() > 0, r.body());
  }
}
