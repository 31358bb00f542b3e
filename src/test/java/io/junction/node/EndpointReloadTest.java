package io.junction.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.junction.testing.HttpApi;
import io.junction.testing.TestNode;
import io.junction.testing.WireClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A reload starts added endpoints, stops removed ones, and leaves unchanged ones' connections. */
class EndpointReloadTest {
  static final String NODE =
      """
      junction {
        http.port = 0
        data-dir = "%s"
        endpoints {
          stays { kind = tcp-server, port = 0, framing { kind = length-prefixed } }
          %s
        }
        routes {
          a { from = stays, to = reply }
          %s
        }
      }
      """;

  @TempDir static Path dir;
  static Path file;
  static TestNode node;
  static HttpApi api;

  @BeforeAll
  static void start() throws Exception {
    file = dir.resolve("node.conf");
    write("", "");
    node = TestNode.startFromFile(file);
    api = new HttpApi(node.httpPort());
  }

  @AfterAll
  static void stop() throws Exception {
    node.close();
  }

  static void write(String endpoints, String routes) throws Exception {
    Files.writeString(
        file, NODE.formatted(dir.resolve("data").toString().replace("\\", "/"), endpoints, routes));
  }

  private static byte[] echo(WireClient c, String text) throws Exception {
    c.write(WireClient.frame(text.getBytes(StandardCharsets.UTF_8)));
    return c.readFrame();
  }

  @Test
  void addsAndRemovesEndpointsWithoutTouchingTheOthersConnections() throws Exception {
    try (WireClient stays = new WireClient(node.port("stays"))) {
      assertArrayEquals("one".getBytes(StandardCharsets.UTF_8), echo(stays, "one"));
      write(
          "added { kind = tcp-server, port = 0, codec = text, framing { kind = delimiter } }",
          "b { from = added, to = reply }");
      var r = api.post("/v1/routes/reload", null, "application/json", new byte[0]);
      assertEquals(200, r.statusCode(), r.body());
      try (WireClient added = new WireClient(node.port("added"))) {
        added.writeLine("hello");
        assertEquals("hello", added.readLine());
      }
      assertArrayEquals("two".getBytes(StandardCharsets.UTF_8), echo(stays, "two"));
      write("", "");
      r = api.post("/v1/routes/reload", null, "application/json", new byte[0]);
      assertEquals(200, r.statusCode(), r.body());
      node.await(
          () -> {
            assertTrue(node.statuses().stream().noneMatch(s -> s.name().equals("added")));
            return null;
          });
      // the connection to the endpoint that stayed was never dropped
      assertArrayEquals("three".getBytes(StandardCharsets.UTF_8), echo(stays, "three"));
    }
  }
}
