package io.junction.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code junction faults ...}: fault rules of a running node, through its HTTP API. */
@Command(
    name = "faults",
    mixinStandardHelpOptions = true,
    description = "Inject faults into a running node (needs junction.faults.enabled = on).",
    subcommands = {FaultsCommand.Add.class, FaultsCommand.Ls.class, FaultsCommand.Rm.class},
    footer = {
      "",
      "Examples:",
      "  junction faults add drop --endpoint frames --percent 20 --ttl 30s",
      "  junction faults add delay --endpoint frames --set delay=200ms --set jitter=50ms --ttl 1m",
      "  junction faults add fail-destination --destination queue:orders --ttl 10s",
      "  junction faults ls",
      "  junction faults rm f3",
      "Kinds and parameters: docs/FAULTS.md.",
      "Exit codes: 0 ok, 1 the node refused, 2 usage."
    })
public final class FaultsCommand implements Runnable {
  @Override
  public void run() {
    picocli.CommandLine.usage(this, System.out);
  }

  /** Base of the subcommands: errors are reported as {@code junction faults: ...}. */
  abstract static class FaultsApiCommand extends ApiCommand {
    @Override
    String name() {
      return "faults";
    }
  }

  /** Adds a rule and prints its id. */
  @Command(
      name = "add",
      mixinStandardHelpOptions = true,
      description = "Add a fault rule.",
      footer = {
        "",
        "Examples:",
        "  junction faults add drop --endpoint frames --percent 20 --ttl 30s",
        "  junction faults add delay --endpoint frames --set delay=200ms --set jitter=50ms --ttl 1m",
        "  junction faults add fail-destination --destination queue:orders --ttl 10s",
        "  junction faults add fail-journal-writes --queue orders --percent 30 --ttl 1m",
        "Exit codes: 0 added, 1 the node refused or failed, 2 usage."
      })
  static final class Add extends FaultsApiCommand {
    @Parameters(index = "0", description = "Kind: drop, delay, duplicate, corrupt, ...")
    String kind;

    @Option(names = "--endpoint", description = "Endpoint the rule applies to.")
    String endpoint;

    @Option(names = "--destination", description = "Destination, e.g. queue:orders.")
    String destination;

    @Option(names = "--route", description = "Route whose deliveries the rule applies to.")
    String route;

    @Option(names = "--queue", description = "Queue whose journal writes the rule applies to.")
    String queue;

    @Option(names = "--percent", description = "Share of frames or deliveries hit (default 100).")
    String percent;

    @Option(names = "--ttl", description = "How long the rule lasts, e.g. 30s.")
    String ttl;

    @Option(names = "--until", description = "When the rule ends (ISO-8601 instant).")
    String until;

    @Option(
        names = "--set",
        description = "A kind's parameter, e.g. delay=200ms, jitter=50ms, count=10, bytes=2.")
    Map<String, String> params = new LinkedHashMap<>();

    @Override
    void execute() throws Exception {
      ObjectNode rule = ApiClient.JSON.createObjectNode();
      rule.put("kind", kind);
      put(rule, "endpoint", endpoint);
      put(rule, "destination", destination);
      put(rule, "route", route);
      put(rule, "queue", queue);
      put(rule, "percent", percent);
      put(rule, "ttl", ttl);
      put(rule, "until", until);
      params.forEach(rule::put);
      JsonNode r =
          api.post("/v1/faults", "application/json", ApiClient.JSON.writeValueAsBytes(rule));
      System.out.println(r.get("id").asText());
    }

    private static void put(ObjectNode n, String key, String value) {
      if (value != null) n.put(key, value);
    }
  }

  /** Lists the active rules with their hits. */
  @Command(
      name = "ls",
      mixinStandardHelpOptions = true,
      description = "List active fault rules.",
      footer = {
        "",
        "Examples:",
        "  junction faults ls",
        "  junction faults ls --output json",
        "Exit codes: 0 ok, 1 the node refused or failed, 2 usage."
      })
  static final class Ls extends FaultsApiCommand {
    @Option(names = "--output", defaultValue = "text", description = "text or json.")
    String output;

    @Override
    void execute() throws Exception {
      JsonNode body = api.get("/v1/faults");
      if (output.equals("json")) {
        System.out.println(body.toPrettyString());
        return;
      }
      if (!body.path("enabled").asBoolean()) System.out.println("fault injection is off");
      System.out.printf(
          "%-6s %-18s %-24s %8s %10s  %s%n", "ID", "KIND", "TARGET", "PERCENT", "HITS", "UNTIL");
      for (JsonNode n : body.path("rules"))
        System.out.printf(
            "%-6s %-18s %-24s %8s %10d  %s%n",
            n.get("id").asText(),
            n.get("kind").asText(),
            n.has("endpoint") ? n.get("endpoint").asText() : n.path("destination").asText(),
            n.get("percent").asText(),
            n.get("hits").asLong(),
            n.get("until").asText());
    }
  }

  /** Removes a rule by id. */
  @Command(
      name = "rm",
      mixinStandardHelpOptions = true,
      description = "Remove a fault rule.",
      footer = {
        "",
        "Examples:",
        "  junction faults rm 3",
        "Exit codes: 0 removed, 1 the node refused or failed (no such rule), 2 usage."
      })
  static final class Rm extends FaultsApiCommand {
    @Parameters(index = "0", description = "Rule id, as `faults ls` shows it.")
    String id;

    @Override
    void execute() throws Exception {
      JsonNode r = api.delete("/v1/faults/" + URLEncoder.encode(id, StandardCharsets.UTF_8));
      System.out.println("removed " + r.get("id").asText() + " after " + r.get("hits") + " hits");
    }
  }
}
