package io.junction.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code junction cluster ...}: the cluster a running node belongs to, through its HTTP API. */
@Command(
    name = "cluster",
    mixinStandardHelpOptions = true,
    description = "Inspect or change the cluster of a running node (through its HTTP API).",
    subcommands = {ClusterCommand.Status.class, ClusterCommand.Leave.class},
    footer = {
      "",
      "Examples:",
      "  junction cluster status --url http://127.0.0.1:8081",
      "  junction cluster status --shards",
      "  JUNCTION_TOKEN=... junction cluster leave pekko://junction@127.0.0.1:25523",
      "Exit codes: 0 ok, 1 the node refused or failed (or runs without a cluster), 2 usage."
    })
public final class ClusterCommand implements Runnable {
  @Override
  public void run() {
    picocli.CommandLine.usage(this, System.out);
  }

  private static Integer failed(Exception e) {
    System.err.println("junction cluster: " + e.getMessage());
    return 1;
  }

  /** Members with status, roles and reachability; the leader; optionally the queue shards. */
  @Command(
      name = "status",
      mixinStandardHelpOptions = true,
      description = "Members, their status and reachability, and the leader.",
      footer = {
        "",
        "Examples:",
        "  junction cluster status --url http://127.0.0.1:8081",
        "  junction cluster status --shards --output json | jq '.cluster.members[].address'",
        "Exit codes: 0 ok, 1 the node failed or runs without a cluster, 2 usage."
      })
  static final class Status implements Callable<Integer> {
    @Mixin ApiClient api;

    @Option(names = "--output", defaultValue = "text", description = "text or json.")
    Output.Format output;

    @Option(names = "--shards", description = "Also list how many queue shards each node hosts.")
    boolean shards;

    @Override
    public Integer call() {
      try {
        JsonNode c = api.get("/v1/cluster");
        JsonNode s = shards ? api.get("/v1/cluster/shards") : null;
        if (output == Output.Format.JSON) {
          System.out.println(
              (s == null ? c : ApiClient.JSON.valueToTree(Map.of("cluster", c, "shards", s)))
                  .toPrettyString());
          return 0;
        }
        String leader = c.path("leader").asText("");
        System.out.printf("%-40s %-10s %-12s %s%n", "MEMBER", "STATUS", "REACHABLE", "ROLES");
        for (JsonNode m : c.get("members")) {
          String address = m.get("address").asText();
          String mark =
              (address.equals(c.get("self").asText()) ? " (self)" : "")
                  + (address.equals(leader) ? " (leader)" : "");
          System.out.printf(
              "%-40s %-10s %-12s %s%n",
              address + mark,
              m.get("status").asText(),
              m.get("reachability").asText(),
              String.join(",", ApiClient.JSON.convertValue(m.get("roles"), String[].class)));
        }
        if (s != null) {
          System.out.printf("%n%-40s %s%n", "NODE", "QUEUE SHARDS");
          for (JsonNode r : s.get("regions"))
            System.out.printf("%-40s %d%n", r.get("address").asText(), r.get("shards").size());
        }
        return 0;
      } catch (Exception e) {
        return failed(e);
      }
    }
  }

  /** Asks a member to leave the cluster gracefully (its shards move to the others first). */
  @Command(
      name = "leave",
      mixinStandardHelpOptions = true,
      description =
          "Ask a member to leave gracefully: its queue shards move to the other members, then"
              + " it shuts down.",
      footer = {
        "",
        "Example:",
        "  JUNCTION_TOKEN=... junction cluster leave 127.0.0.1:25523",
        "Exit codes: 0 leaving, 1 the node refused or failed, 2 usage."
      })
  static final class Leave implements Callable<Integer> {
    @Mixin ApiClient api;

    @Parameters(
        paramLabel = "ADDRESS",
        description = "The member's address: pekko://junction@host:port, or host:port.")
    String address;

    @Override
    public Integer call() {
      try {
        byte[] body =
            ApiClient.JSON
                .writeValueAsString(Map.of("address", address))
                .getBytes(StandardCharsets.UTF_8);
        JsonNode r = api.post("/v1/cluster/leave", "application/json", body);
        System.out.println(r.get("address").asText() + " " + r.get("status").asText());
        return 0;
      } catch (Exception e) {
        return failed(e);
      }
    }
  }
}
