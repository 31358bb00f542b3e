package io.junction.topic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.junction.testing.TestNode;
import io.junction.testing.WireClient;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Topics: fan-out to every subscriber, each bounded on its own; SSE subscribers over HTTP. */
class TopicTest {
  static TestNode node;

  @BeforeAll
  static void start() {
    node =
        TestNode.start(
            """
            junction {
              topics { alerts {}, news { subscriber-buffer = 10 } }
              endpoints {
                in { kind = tcp-server, port = 0, framing { kind = length-prefixed } }
                # room for every message of the test, so only timing could make it drop
                fast { kind = tcp-server, port = 0, write-buffer-bytes = 16m, framing { kind = length-prefixed } }
                slow { kind = tcp-server, port = 0, framing { kind = length-prefixed } }
              }
              routes {
                publish { from = in, to = "topic:alerts" }
                to-fast { from = "topic:alerts", to = "tcp:fast" }
                to-slow { from = "topic:alerts", to = "tcp:slow" }
              }
            }
            """);
  }

  @AfterAll
  static void stop() throws Exception {
    node.close();
  }

  @Test
  void aSubscriberThatNeverReadsDoesNotSlowAFastOne() throws Exception {
    int n = 3000;
    try (WireClient fast = new WireClient(node.port("fast"));
        WireClient slow = new WireClient(node.port("slow"));
        WireClient in = new WireClient(node.port("in"))) {
      node.await(
          () -> {
            assertEquals(1, node.status("fast").connections());
            assertEquals(1, node.status("slow").connections());
            return null;
          });
      // the fast subscriber reads as messages come; the slow one never reads
      java.util.concurrent.CompletableFuture<Integer> received =
          java.util.concurrent.CompletableFuture.supplyAsync(
              () -> {
                try {
                  for (int i = 0; i < n; i++)
                    assertEquals(i, ByteBuffer.wrap(fast.readFrame()).getInt(), "in order");
                  return n;
                } catch (java.io.IOException e) {
                  throw new java.io.UncheckedIOException(e);
                }
              });
      byte[] payload = new byte[1024];
      for (int i = 0; i < n; i++) {
        ByteBuffer.wrap(payload).putInt(i);
        in.write(WireClient.frame(payload));
      }
      assertEquals(n, received.get(30, java.util.concurrent.TimeUnit.SECONDS));
    }
  }

  @Test
  void serverSentEventsCarryWhatIsPublishedToATopic() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    String base = "http://127.0.0.1:" + node.httpPort();
    HttpResponse<InputStream> stream =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/v1/topics/news/events")).build(),
            HttpResponse.BodyHandlers.ofInputStream());
    assertEquals(200, stream.statusCode());
    assertTrue(
        stream.headers().firstValue("content-type").orElse("").startsWith("text/event-stream"));
    try (BufferedReader events =
        new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
      // publish until the subscription is in place and the event arrives (bounded)
      String data = null;
      for (int attempt = 0; attempt < 50 && data == null; attempt++) {
        var r =
            http.send(
                HttpRequest.newBuilder(URI.create(base + "/v1/publish/topic:news"))
                    .timeout(Duration.ofSeconds(5))
                    .POST(HttpRequest.BodyPublishers.ofString("extra extra"))
                    .header("Content-Type", "text/plain")
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(202, r.statusCode(), r.body());
        data = nextData(events, stream);
      }
      assertTrue(
          data != null && data.contains("\"payload\":\"extra extra\""), String.valueOf(data));
    }
  }

  // Reads one event's data line, or null when none came within a short wait.
  private static String nextData(BufferedReader events, HttpResponse<InputStream> stream)
      throws Exception {
    long deadline = System.nanoTime() + Duration.ofMillis(200).toNanos();
    while (System.nanoTime() < deadline) {
      if (!events.ready()) {
        Thread.onSpinWait();
        continue;
      }
      String line = events.readLine();
      if (line != null && line.startsWith("data:")) return line.substring(5).strip();
    }
    return null;
  }
}
