package io.junction.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.junction.Main;
import io.junction.testing.Cli;
import io.junction.testing.TestNode;
import io.junction.testing.WireClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The command line as a whole: help everywhere, JSON output, tail, completion, docs/CLI.md. */
class CliTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  static TestNode node;
  static String url;

  @BeforeAll
  static void start() {
    node =
        TestNode.start(
            """
            junction {
              topics { alerts {} }
              queues { work {} }
              endpoints {
                lines { kind = tcp-server, port = 0, codec = text,
                        framing { kind = delimiter, delimiter = "\\n", max-frame-bytes = 1k } }
              }
              routes { alert { from = lines, to = [reply, "topic:alerts"] } }
            }
            """);
    url = "http://127.0.0.1:" + node.httpPort();
  }

  @AfterAll
  static void stop() throws Exception {
    node.close();
  }

  /** Every command's path, e.g. ["queue", "peek"], without picocli's own "help". */
  private static List<List<String>> commands() {
    List<List<String>> all = new ArrayList<>();
    collect(Main.commandLine(), new ArrayList<>(), all);
    return all;
  }

  private static void collect(CommandLine cl, List<String> path, List<List<String>> all) {
    for (var e : cl.getSubcommands().entrySet()) {
      if (e.getKey().equals("help")) continue;
      List<String> p = new ArrayList<>(path);
      p.add(e.getKey());
      all.add(p);
      collect(e.getValue(), p, all);
    }
  }

  @Test
  void everyCommandHasHelpWithExamplesAndExitCodes() {
    List<List<String>> commands = commands();
    assertTrue(commands.size() >= 20, commands.toString());
    for (List<String> c : commands) {
      List<String> args = new ArrayList<>(c);
      args.add("--help");
      Cli.Result r = Cli.run(args.toArray(String[]::new));
      assertEquals(0, r.exit(), c + ": " + r.err());
      assertTrue(r.out().contains("Usage: junction " + String.join(" ", c)), c + ":\n" + r.out());
      assertTrue(r.out().contains("Example"), c + " has no examples:\n" + r.out());
      assertTrue(r.out().contains("Exit codes: 0"), c + " documents no exit codes:\n" + r.out());
    }
  }

  @Test
  void docsCliMentionsEveryCommand() throws Exception {
    String doc = Files.readString(Path.of("docs/CLI.md"), StandardCharsets.UTF_8);
    for (List<String> c : commands())
      assertTrue(
          doc.contains("junction " + String.join(" ", c)),
          "docs/CLI.md does not mention junction " + String.join(" ", c));
  }

  @Test
  void checkPrintsJsonForScripts() throws Exception {
    Path conf = Files.createTempFile("check", ".conf");
    try {
      Files.writeString(
          conf,
          """
          junction.endpoints.e { kind = tcp-server, port = 0, codec = text, framing.kind = delimiter }
          junction.routes.r { from = e, to = reply }
          junction.queue-policies.scratch { pattern = "^scratch[.]", priority = 2, ttl = 1m }
          """);
      Cli.Result ok = Cli.run("check", "--config", conf.toString(), "--output", "json");
      assertEquals(0, ok.exit(), ok.err());
      JsonNode n = JSON.readTree(ok.out());
      assertTrue(n.get("valid").asBoolean());
      assertEquals("e", n.get("endpoints").get(0).get("name").asText());
      assertEquals("reply", n.get("routes").get(0).get("to").get(0).asText());
      JsonNode policy = n.get("queue_policies").get(0);
      assertEquals("scratch", policy.get("name").asText(), ok.out());
      assertEquals("^scratch[.]", policy.get("pattern").asText(), ok.out());
      assertEquals(2, policy.get("priority").asInt(), ok.out());
      Files.writeString(conf, "junction.endpoints.e { kind = tcp-server, port = -1 }\n");
      Cli.Result bad = Cli.run("check", "--config", conf.toString(), "--output", "json");
      assertEquals(2, bad.exit());
      JsonNode problems = JSON.readTree(bad.out()).get("problems");
      assertTrue(
          problems.get(0).get("path").asText().startsWith("junction.endpoints.e"), bad.out());
    } finally {
      Files.delete(conf);
    }
  }

  @Test
  void versionAndQueueCommandsPrintJson() throws Exception {
    Cli.Result v = Cli.run("version", "--output", "json");
    assertEquals("junction", JSON.readTree(v.out()).get("name").asText());
    Cli.run("queue", "publish", "work", "--text", "one", "--url", url);
    JsonNode peek =
        JSON.readTree(Cli.run("queue", "peek", "work", "--output", "json", "--url", url).out());
    assertEquals("one", peek.get(0).findValue("payload").asText(), peek.toString());
    Cli.Result stats = Cli.run("queue", "stats", "work", "--output", "text", "--url", url);
    assertTrue(stats.out().matches("(?s).*depth\\s+1.*"), stats.out());
    assertTrue(
        JSON.readTree(Cli.run("queue", "ls", "--output", "JSON", "--url", url).out()).isArray());
    Cli.Result tail = Cli.run("tail", "queue:work", "--count", "1", "--url", url);
    assertEquals(0, tail.exit(), tail.err());
    assertEquals("one", JSON.readTree(tail.out()).get("payload").asText());
  }

  @Test
  void tailFollowsATopic() throws Exception {
    CompletableFuture<Cli.Result> tail =
        CompletableFuture.supplyAsync(
            () -> Cli.run("tail", "topic:alerts", "--count", "2", "--url", url));
    // At most once: messages published before the stream is open are not seen, so publish until
    // the tail has had two (each echo round trip paces the loop; bounded in count and time).
    try (WireClient in = new WireClient(node.port("lines"))) {
      for (int i = 0; i < 500 && !tail.isDone(); i++) {
        assertEquals("alert " + i, in.writeLine("alert " + i).readLine());
        try {
          tail.get(20, TimeUnit.MILLISECONDS);
        } catch (TimeoutException notYet) {
          // keep publishing
        }
      }
    }
    Cli.Result r = tail.get(10, TimeUnit.SECONDS);
    assertEquals(0, r.exit(), r.err());
    List<String> lines = r.out().lines().toList();
    assertEquals(2, lines.size(), r.out());
    for (String l : lines)
      assertTrue(JSON.readTree(l).get("payload").asText().startsWith("alert "), l);
  }

  @Test
  void tailRejectsAnUnknownTargetWithUsageExit() {
    Cli.Result r = Cli.run("tail", "route:x", "--url", url);
    assertEquals(2, r.exit(), r.out());
    assertTrue(r.err().contains("expected topic:NAME or queue:NAME"), r.err());
    Cli.Result unknown = Cli.run("tail", "topic:nope", "--url", url);
    assertEquals(1, unknown.exit());
    assertTrue(unknown.err().contains("404"), unknown.err());
  }

  @Test
  void completionPrintsABashScriptForEveryCommand() {
    Cli.Result r = Cli.run("completion");
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.out().contains("complete -F"), r.out());
    for (String c : List.of("run", "check", "queue", "tail", "cluster", "ftp", "completion"))
      assertTrue(r.out().contains(c), c);
  }
}
