package io.junction.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.junction.testing.Cli;
import io.junction.testing.HttpApi;
import io.junction.testing.TestNode;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Fault rules through the HTTP API and the CLI: validation, listing with hits, removal, off. */
class FaultsApiTest {
  static TestNode node;
  static TestNode off;

  @BeforeAll
  static void start() {
    node =
        TestNode.start(
            """
            junction.faults { enabled = on, max-rules = 3, max-ttl = 10m }
            junction.endpoints.frames { kind = tcp-server, port = 0, framing.kind = length-prefixed }
            junction.routes.echo { from = frames, to = reply }
            """);
    off = TestNode.start("junction.faults.enabled = off");
  }

  @AfterAll
  static void stop() throws Exception {
    node.close();
    off.close();
  }

  private static byte[] json(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void addsListsAndRemovesRulesWithTheirParameters() throws Exception {
    FaultApi faults = new FaultApi(node.httpPort());
    String id =
        faults.add(
            "kind", "delay", "endpoint", "frames", "delay", "200ms", "jitter", "50ms", "ttl", "1m");
    String list = faults.http().get("/v1/faults", null).body();
    assertTrue(list.contains("\"id\":\"" + id + "\""), list);
    assertTrue(list.contains("\"delay\":\"200ms\""), list);
    assertTrue(list.contains("\"enabled\":true"), list);
    assertEquals(0, faults.remove(id));
    assertEquals(404, faults.http().delete("/v1/faults/" + id, null).statusCode());
  }

  @Test
  void rejectsRulesThatAreIncompleteUnboundedOrMisScoped() throws Exception {
    HttpApi api = new HttpApi(node.httpPort());
    String[][] bad = {
      {"{\"kind\":\"drop\",\"endpoint\":\"frames\"}", "ttl or until"},
      {"{\"kind\":\"drop\",\"endpoint\":\"frames\",\"ttl\":\"2h\"}", "max-ttl"},
      {"{\"kind\":\"explode\",\"endpoint\":\"frames\",\"ttl\":\"1s\"}", "not one of"},
      {"{\"kind\":\"drop\",\"destination\":\"queue:x\",\"ttl\":\"1s\"}", "scoped to an endpoint"},
      {"{\"kind\":\"drop\",\"route\":\"r\",\"ttl\":\"1s\"}", "scoped to an endpoint, not a route"},
      {
        "{\"kind\":\"fail-destination\",\"route\":\"r\",\"destination\":\"queue:x\",\"ttl\":\"1s\"}",
        "takes one of destination or route"
      },
      {"{\"kind\":\"fail-journal-writes\",\"endpoint\":\"x\",\"ttl\":\"1s\"}", "scoped to a queue"},
      {"{\"kind\":\"slow-journal-writes\",\"queue\":\"q\",\"ttl\":\"1s\"}", "delay is required"},
      {"{\"kind\":\"drop\",\"endpoint\":\"frames\",\"ttl\":\"1s\",\"delay\":\"1s\"}", "does not"},
      {"{\"kind\":\"delay\",\"endpoint\":\"frames\",\"ttl\":\"1s\"}", "delay is required"},
      {"{\"kind\":\"drop\",\"endpoint\":\"frames\",\"ttl\":\"1s\",\"percent\":0}", "percent"},
      {
        "{\"kind\":\"fail-requests\",\"endpoint\":\"http\",\"status\":404,\"ttl\":\"1s\"}",
        "status must be 500..599"
      },
      {
        "{\"kind\":\"crash-queue\",\"queue\":\"q\",\"count\":0,\"ttl\":\"1s\"}",
        "crash-queue needs count 1..1000"
      },
      {"{\"kind\":\"crash-endpoint\",\"queue\":\"q\",\"ttl\":\"1s\"}", "scoped to an endpoint"},
      {"[1,2]", "JSON object"},
    };
    for (String[] b : bad) {
      var r = api.post("/v1/faults", null, "application/json", json(b[0]));
      assertEquals(400, r.statusCode(), b[0] + " -> " + r.body());
      assertTrue(r.body().contains(b[1]), b[0] + " -> " + r.body());
    }
  }

  @Test
  void refusesRulesWhenFaultInjectionIsOff() throws Exception {
    HttpApi api = new HttpApi(off.httpPort());
    var r =
        api.post(
            "/v1/faults",
            null,
            "application/json",
            json("{\"kind\":\"drop\",\"endpoint\":\"x\",\"ttl\":\"1s\"}"));
    assertEquals(409, r.statusCode(), r.body());
    assertTrue(api.get("/v1/faults", null).body().contains("\"enabled\":false"));
  }

  @Test
  void cliAddsListsAndRemovesARule() {
    String url = "http://127.0.0.1:" + node.httpPort();
    Cli.Result add =
        Cli.run(
            "faults",
            "add",
            "fail-destination",
            "--destination",
            "queue:x",
            "--percent",
            "50",
            "--ttl",
            "30s",
            "--url",
            url);
    assertEquals(0, add.exit(), add.err());
    String id = add.out().strip();
    Cli.Result ls = Cli.run("faults", "ls", "--url", url);
    assertEquals(0, ls.exit(), ls.err());
    assertTrue(ls.out().contains(id) && ls.out().contains("queue:x"), ls.out());
    Cli.Result journal =
        Cli.run(
            "faults", "add", "fail-journal-writes", "--queue", "x", "--ttl", "30s", "--url", url);
    assertEquals(0, journal.exit(), journal.err());
    Cli.Result route =
        Cli.run("faults", "add", "pause-destination", "--route", "r", "--ttl", "30s", "--url", url);
    assertEquals(0, route.exit(), route.err());
    String listed = Cli.run("faults", "ls", "--url", url).out();
    assertTrue(
        listed.contains("fail-journal-writes") && listed.contains("pause-destination"), listed);
    assertEquals(0, Cli.run("faults", "rm", journal.out().strip(), "--url", url).exit());
    assertEquals(0, Cli.run("faults", "rm", route.out().strip(), "--url", url).exit());
    Cli.Result rm = Cli.run("faults", "rm", id, "--url", url);
    assertEquals(0, rm.exit(), rm.err());
    Cli.Result again = Cli.run("faults", "rm", id, "--url", url);
    assertEquals(1, again.exit());
    assertTrue(again.err().contains("no active fault rule"), again.err());
  }
}
