package io.junction.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.junction.queue.QueueEntity;
import io.junction.testing.HttpApi;
import io.junction.testing.TestNode;
import io.junction.testing.WireClient;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** POST /v1/routes/reload: invalid tables are refused whole; valid ones swap under load. */
class RouteReloadTest {
  static final String NODE =
      """
      junction {
        http.port = 0
        data-dir = "%s"
        structs.Person.fields = [
          { name = name, type = "char[128]" }
          { name = age, type = int32 }
        ]
        endpoints.people { kind = tcp-server, port = 0, codec = "struct:Person" }
        queues { people {}, %s {} }
        routes { %s }
      }
      """;
  static final String PLAIN =
      "keep { from = people, where = \"field.age >= 0\", to = [\"queue:people\", reply] }";
  static final String CHOICE =
      """
      keep { from = people, choice = [
        { when = "field.age < 50", to = ["queue:people", reply] }
        { otherwise = true, to = [reply, "queue:people"] }
      ] }
      """;

  @TempDir static Path dir;
  static Path file;
  static TestNode node;
  static HttpApi api;

  @BeforeAll
  static void start() throws Exception {
    file = dir.resolve("node.conf");
    write("spare", PLAIN);
    node = TestNode.startFromFile(file);
    api = new HttpApi(node.httpPort());
  }

  @AfterAll
  static void stop() throws Exception {
    node.close();
  }

  static void write(String queue, String routes) throws Exception {
    Files.writeString(
        file, NODE.formatted(dir.resolve("data").toString().replace("\\", "/"), queue, routes));
  }

  static HttpResponse<String> reload() throws Exception {
    return api.post("/v1/routes/reload", null, "application/json", new byte[0]);
  }

  private static byte[] person(String name, int age) {
    ByteBuffer b = ByteBuffer.allocate(132).order(ByteOrder.LITTLE_ENDIAN);
    b.put(name.getBytes(StandardCharsets.UTF_8));
    return b.putInt(128, age).array();
  }

  @Test
  void invalidTableIsRefusedWithEveryProblemAndTheOldOneStays() throws Exception {
    write(
        "spare",
        """
        keep { from = people, where = "field.age > ", to = ["queue:people", reply] }
        other { from = people, where = "field.shoe == 3", to = "queue:nope" }
        """);
    HttpResponse<String> r = reload();
    assertEquals(422, r.statusCode(), r.body());
    assertTrue(r.body().contains("\"path\":\"junction.routes.keep.where\""), r.body());
    assertTrue(r.body().contains("column 13: expected a value after '>'"), r.body());
    assertTrue(r.body().contains("struct Person has no field 'shoe'"), r.body());
    assertTrue(r.body().contains("no queue destination named 'nope'"), r.body());
    String routes = api.get("/v1/routes", null).body();
    assertTrue(routes.contains("field.age >= 0"), routes);
    write("spare", PLAIN);
  }

  @Test
  void reloadCommandExitsZeroWhenTheTableIsInForceAndTwoWhenRejected() throws Exception {
    String url = "http://127.0.0.1:" + node.httpPort();
    write("spare", PLAIN);
    assertEquals(0, io.junction.Main.commandLine().execute("reload", "--url", url));
    write("spare", "bad { from = nowhere, to = log }");
    assertEquals(2, io.junction.Main.commandLine().execute("reload", "--url", url));
    write("spare", PLAIN);
  }

  @Test
  void reloadThatChangesQueuesIsRefused() throws Exception {
    write("other", PLAIN);
    HttpResponse<String> r = reload();
    assertEquals(422, r.statusCode(), r.body());
    assertTrue(
        r.body()
            .contains(
                "changed; a reload changes routes, endpoints and structs: restart the node to"
                    + " change queues"),
        r.body());
    write("spare", PLAIN);
    assertEquals(200, reload().statusCode());
  }

  @Test
  void reloadsUnderLoadLoseAndDuplicateNothingAndDropNoConnection() throws Exception {
    int n = 3000;
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try (WireClient client = new WireClient(node.port("people"))) {
      Future<?> writer =
          pool.submit(
              () -> {
                for (int i = 0; i < n; i++) client.write(person("P" + i, i % 100));
                return null;
              });
      Future<byte[]> replies = pool.submit(() -> client.readExactly(n * 132));
      int reloads = 0;
      while (!writer.isDone() || reloads < 6) {
        write("spare", reloads % 2 == 0 ? CHOICE : PLAIN);
        HttpResponse<String> r = reload();
        assertEquals(200, r.statusCode(), r.body());
        reloads++;
      }
      writer.get(60, TimeUnit.SECONDS);
      byte[] echoed = replies.get(60, TimeUnit.SECONDS);
      assertEquals(n * 132, echoed.length);
      assertFalse(client.socket().isClosed());
      client.write(person("after", 1));
      assertEquals(132, client.readExactly(132).length, "the connection survived every reload");
    } finally {
      pool.shutdownNow();
    }
    TestProbe<QueueEntity.QueueStats> stats = node.kit().createTestProbe();
    node.await(
        () -> {
          node.refs()
              .queues()
              .tell(new ShardingEnvelope<>("people", new QueueEntity.GetStats(stats.ref())));
          assertEquals(n + 1, stats.receiveMessage().depth());
          return null;
        });
  }
}
