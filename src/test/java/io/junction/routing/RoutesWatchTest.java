package io.junction.routing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.junction.testing.HttpApi;
import io.junction.testing.TestNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** junction.routes-watch: editing the config file reloads the routes; a broken edit is refused. */
class RoutesWatchTest {
  static final String NODE =
      """
      junction {
        http.port = 0
        data-dir = "%s"
        routes-watch = on
        routes-watch-interval = 100ms
        endpoints.in { kind = tcp-server, port = 0, framing { kind = raw } }
        routes { %s }
      }
      """;

  @TempDir static Path dir;
  static Path file;
  static TestNode node;
  static HttpApi api;
  static int edits;

  @BeforeAll
  static void start() throws Exception {
    file = dir.resolve("node.conf");
    write("first { from = in, to = discard }");
    node = TestNode.startFromFile(file);
    api = new HttpApi(node.httpPort());
  }

  @AfterAll
  static void stop() throws Exception {
    node.close();
  }

  // Each edit moves the modification time forward, whatever the file system's clock granularity.
  static void write(String routes) throws Exception {
    Files.writeString(
        file, NODE.formatted(dir.resolve("data").toString().replace("\\", "/"), routes));
    Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(++edits * 10L)));
  }

  static String routes() {
    try {
      return api.get("/v1/routes", null).body();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void anEditReloadsTheRoutesAndABrokenEditLeavesThemInForce() throws Exception {
    node.await(
        () -> {
          assertTrue(routes().contains("\"first\""), routes());
          return null;
        });
    write("first { from = in, to = discard }\nsecond { from = in, to = log }");
    node.await(
        () -> {
          assertTrue(routes().contains("\"second\""), routes());
          return null;
        });
    write("broken { from = nowhere, to = log }");
    // the broken table is refused: the watcher checks several times, the routes stay
    for (int i = 0; i < 10; i++) assertTrue(routes().contains("\"second\""), routes());
    write("third { from = in, to = log }");
    node.await(
        () -> {
          String r = routes();
          assertTrue(r.contains("\"third\"") && !r.contains("\"second\""), r);
          return null;
        });
  }
}
