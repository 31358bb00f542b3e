package io.junction.http;

import static io.junction.http.StubServer.Answer.ERROR_500;
import static io.junction.http.StubServer.Answer.OK;
import static io.junction.http.StubServer.Answer.RESET;
import static io.junction.http.StubServer.Answer.SLOW;
import static io.junction.http.StubServer.Answer.TOO_MANY_429;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.junction.testing.HttpApi;
import io.junction.testing.TestNode;
import io.junction.testing.UdpPeer;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HttpDestinationTest {
  static final ObjectMapper JSON = new ObjectMapper();
  StubServer stub;
  TestNode node;
  HttpApi api;

  void start(String destination) throws Exception {
    start(destination, "");
  }

  void start(String destination, String more) throws Exception {
    stub = new StubServer();
    node =
        TestNode.start(
            """
            junction {
              structs.Person.fields = [
                { name = name, type = "char[128]", encoding = utf-8 }
                { name = age, type = int32 }
              ]
              http.destinations.hook { url = "http://127.0.0.1:%d/hook", %s }
              %s
            }
            """
                .formatted(stub.port(), destination, more));
    api = new HttpApi(node.httpPort());
    awaitReady();
  }

  void awaitReady() {
    node.await(
        () -> {
          try {
            assertEquals(200, api.get("/v1/ready", null).statusCode());
          } catch (Exception e) {
            throw new AssertionError(e);
          }
          return null;
        });
  }

  @AfterEach
  void stop() throws Exception {
    if (stub != null) stub.close();
    if (node != null) node.close();
  }

  HttpResponse<String> publish(String query, String json) throws Exception {
    return api.post(
        "/v1/publish/http:hook" + query,
        null,
        "application/json",
        json.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void fillsTheUrlTemplateSendsFieldsAsJsonAndAcknowledgesOn2xx() throws Exception {
    stub = new StubServer();
    node =
        TestNode.start(
            """
            junction {
              structs.Person.fields = [
                { name = name, type = "char[128]", encoding = utf-8 }
                { name = age, type = int32 }
              ]
              http.destinations.hook {
                method = PUT
                url = "http://127.0.0.1:%d/people/{header.site}/{field.name}"
                body = fields-json
              }
            }
            """
                .formatted(stub.port()));
    api = new HttpApi(node.httpPort());
    awaitReady();
    stub.script(OK);
    HttpResponse<String> r =
        publish("?struct=Person&header.site=north%20gate", "{\"name\":\"Alice\",\"age\":42}");
    assertEquals(202, r.statusCode(), r.body());
    StubServer.Seen seen = stub.seen().get(0);
    assertEquals("PUT", seen.method());
    assertEquals("/people/north%20gate/Alice", seen.path());
    assertEquals(42, JSON.readTree(seen.body()).get("age").asInt());
  }

  @Test
  void retriesServerErrorsAndConnectionResetsThenAcknowledges() throws Exception {
    start("retries { max = 3, min-backoff = 50ms, max-backoff = 200ms }");
    stub.script(ERROR_500, RESET, OK);
    HttpResponse<String> r = publish("", "{\"n\":1}");
    assertEquals(202, r.statusCode(), r.body());
    assertEquals(3, stub.seen().size());
  }

  @Test
  void waitsAsLongAsRetryAfterAsksBeforeTheRetry() throws Exception {
    start("retries { max = 2, min-backoff = 10ms, max-backoff = 5s }");
    stub.script(TOO_MANY_429, OK);
    HttpResponse<String> r = publish("", "{\"n\":1}");
    assertEquals(202, r.statusCode(), r.body());
    List<StubServer.Seen> seen = stub.seen();
    assertEquals(2, seen.size());
    long waited = TimeUnit.NANOSECONDS.toMillis(seen.get(1).nanos() - seen.get(0).nanos());
    assertTrue(waited >= 950, "retried after " + waited + " ms, Retry-After said 1 s");
  }

  @Test
  void givesUpAfterMaxRetriesWithExactlyThatManyRequests() throws Exception {
    start("retries { max = 2, min-backoff = 20ms, max-backoff = 100ms }");
    stub.script(ERROR_500);
    HttpResponse<String> r = publish("", "{\"n\":1}");
    HttpApiTest.assertProblem(r, 503, "delivery-failed");
    assertTrue(r.body().contains("gave up after 3 attempts"), r.body());
    assertEquals(3, stub.seen().size());
  }

  @Test
  void breakerOpensAfterRepeatedFailuresFailsFastAndClosesAfterTheResetTimeout() throws Exception {
    start("retries.max = 0, circuit-breaker { max-failures = 3, reset-timeout = 500ms }");
    stub.script(ERROR_500);
    for (int i = 0; i < 3; i++)
      HttpApiTest.assertProblem(publish("", "{}"), 503, "delivery-failed");
    HttpResponse<String> fast = publish("", "{}");
    HttpApiTest.assertProblem(fast, 503, "delivery-failed");
    assertTrue(fast.body().contains("circuit breaker open"), fast.body());
    assertEquals(3, stub.seen().size(), "an open breaker sends nothing");
    assertEquals("open", node.status("http:hook").state());
    stub.script(OK);
    node.await(
        () -> {
          try {
            assertEquals(202, publish("", "{}").statusCode());
          } catch (Exception e) {
            throw new AssertionError(e);
          }
          return null;
        });
    assertEquals("closed", node.status("http:hook").state());
  }

  @Test
  void slowServiceTimesOutAndIsRetriedWithinTheBound() throws Exception {
    start("timeout = 300ms, retries { max = 1, min-backoff = 10ms, max-backoff = 50ms }");
    stub.script(SLOW);
    HttpResponse<String> r = publish("", "{}");
    HttpApiTest.assertProblem(r, 503, "delivery-failed");
    assertTrue(r.body().contains("gave up after 2 attempts; last: no answer within"), r.body());
    assertEquals(2, stub.seen().size());
  }

  @Test
  void holdsAtMostMaxConcurrentPlusMaxQueueAndRefusesTheRestAtOnce() throws Exception {
    start("max-concurrent = 1, max-queue = 2, timeout = 20s, retries.max = 0");
    stub.script(SLOW);
    List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
    for (int i = 0; i < 6; i++)
      calls.add(
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return publish("", "{}");
                } catch (Exception e) {
                  throw new RuntimeException(e);
                }
              }));
    // Three are refused without a request: one is in flight, two wait.
    node.await(
        () -> {
          long refused = calls.stream().filter(CompletableFuture::isDone).count();
          assertEquals(3, refused);
          // awaited too: on a busy machine the one admitted request can reach the service
          // after the three refusals are answered
          assertEquals(1, stub.seen().size(), "only one request while the service is slow");
          return null;
        });
    stub.releaseSlow();
    int accepted = 0;
    for (var c : calls) {
      HttpResponse<String> r = c.get(20, TimeUnit.SECONDS);
      if (r.statusCode() == 202) accepted++;
      else assertTrue(r.body().contains("queue full"), r.body());
    }
    assertEquals(3, accepted);
    assertEquals(3, stub.seen().size());
  }

  @Test
  void routesTheResponseOnToTheThenDestination() throws Exception {
    try (UdpPeer peer = new UdpPeer()) {
      start(
          "then = \"udp:back\"",
          "endpoints.back { kind = udp, port = 0, target-host = 127.0.0.1, target-port = %d }"
              .formatted(peer.port()));
      stub.script(OK);
      assertEquals(202, publish("", "{}").statusCode());
      assertEquals("{\"ok\":true}", new String(peer.receive(), StandardCharsets.UTF_8));
    }
  }
}
