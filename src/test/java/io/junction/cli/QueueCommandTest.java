package io.junction.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.junction.testing.Cli;
import io.junction.testing.HttpApi;
import io.junction.testing.TestNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code junction queue ...} against a running node's API. */
class QueueCommandTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static TestNode node;
  static String url;

  @BeforeAll
  static void start() {
    node =
        TestNode.start(
            """
            junction {
              structs.Person.fields = [ { name = name, type = "char[128]" }, { name = age, type = int32 } ]
              queues.work {}
            }
            """);
    url = "http://127.0.0.1:" + node.httpPort();
  }

  @AfterAll
  static void stop() throws Exception {
    node.close();
  }

  private static Cli.Result run(String... args) {
    return Cli.run(args);
  }

  @Test
  void publishesListsPeeksTailsAndPurges() {
    assertEquals(0, run("queue", "publish", "work", "--text", "first", "--url", url).exit());
    Cli.Result struct =
        run("queue", "publish", "work", "--struct", "Person", "name=Ann", "age=3", "--url", url);
    assertEquals(0, struct.exit(), struct.err());
    Cli.Result ls = run("queue", "ls", "--url", url);
    assertTrue(ls.out().matches("(?s).*work\\s+2\\s+0\\s+0\\s+2.*"), ls.out());
    Cli.Result peek = run("queue", "peek", "work", "--url", url);
    assertTrue(peek.out().contains("\"payload\":\"first\""), peek.out());
    assertTrue(peek.out().contains("\"name\":\"Ann\""), peek.out());
    Cli.Result tail = run("queue", "tail", "work", "--count", "1", "--url", url);
    assertEquals(0, tail.exit(), tail.err());
    assertTrue(tail.out().contains("\"payload\":\"first\""), tail.out());
    assertEquals("removed 1", run("queue", "purge", "work", "--url", url).out().strip());
    assertTrue(run("queue", "stats", "work", "--url", url).out().contains("\"depth\" : 0"));
  }

  @Test
  void showsRedrivesAndPurgesDeadLetters() throws Exception {
    assertEquals(0, run("queue", "publish", "spoiled", "--text", "one", "--url", url).exit());
    assertEquals(0, run("queue", "publish", "spoiled", "--text", "two", "--url", url).exit());
    rejectAll("spoiled", 2);
    Cli.Result dead = run("queue", "dead-letters", "spoiled", "--max", "1", "--url", url);
    assertEquals(0, dead.exit(), dead.err());
    List<String> lines = dead.out().strip().lines().toList();
    assertEquals(1, lines.size(), dead.out());
    assertTrue(lines.get(0).contains("\"reason\":\"rejected by consumer\""), dead.out());
    assertTrue(lines.get(0).contains("\"payload\":\"one\""), dead.out());
    assertEquals(
        "moved 1", run("queue", "redrive", "spoiled", "--max", "1", "--url", url).out().strip());
    assertTrue(run("queue", "peek", "spoiled", "--url", url).out().contains("\"payload\":\"one\""));
    assertEquals(
        "removed 1",
        run("queue", "purge", "spoiled", "--dead-letters", "--url", url).out().strip());
    Cli.Result stats = run("queue", "stats", "spoiled", "--url", url);
    assertTrue(stats.out().contains("\"dead_letters\" : 0"), stats.out());
    assertTrue(stats.out().contains("\"depth\" : 1"), stats.out());
  }

  // Leases n messages and nacks them without requeueing: each becomes a dead letter.
  private static void rejectAll(String queue, int n) throws Exception {
    HttpApi api = new HttpApi(node.httpPort());
    JsonNode leased =
        JSON.readTree(api.get("/v1/queues/" + queue + "/messages?max=" + n, null).body());
    assertEquals(n, leased.size(), leased.toString());
    List<String> receipts = new ArrayList<>();
    leased.forEach(d -> receipts.add(d.get("receipt").asText()));
    var nack =
        api.post(
            "/v1/queues/" + queue + "/nack",
            null,
            "application/json",
            JSON.writeValueAsBytes(Map.of("receipts", receipts, "requeue", false)));
    assertEquals(200, nack.statusCode(), nack.body());
  }

  @Test
  void createsListsAndDeletesAQueueThatIsNotDeclared() {
    assertEquals("created scratch", run("queue", "create", "scratch", "--url", url).out().strip());
    assertEquals("exists scratch", run("queue", "create", "scratch", "--url", url).out().strip());
    assertEquals(0, run("queue", "publish", "scratch", "--text", "x", "--url", url).exit());
    Cli.Result ls = run("queue", "ls", "--url", url);
    assertTrue(ls.out().matches("(?s).*scratch\\s+1\\s.*"), ls.out());
    Cli.Result refused = run("queue", "delete", "scratch", "--if-empty", "--url", url);
    assertEquals(1, refused.exit(), refused.out());
    assertTrue(refused.err().contains("409") && refused.err().contains("not empty"), refused.err());
    assertEquals(
        "deleted scratch: 1 messages, 0 dead letters",
        run("queue", "delete", "scratch", "--url", url).out().strip());
    Cli.Result declared = run("queue", "delete", "work", "--url", url);
    assertEquals(1, declared.exit(), declared.out());
    assertTrue(declared.err().contains("junction.queues"), declared.err());
  }

  @Test
  void reportsTheNodesProblemInOneLineWithExitOne() {
    Cli.Result r = run("queue", "peek", "bad name", "--url", url);
    assertEquals(1, r.exit());
    assertTrue(r.err().startsWith("junction queue: 400"), r.err());
  }
}
