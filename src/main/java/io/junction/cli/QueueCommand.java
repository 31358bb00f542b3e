package io.junction.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code junction queue ...}: durable queues of a running node, through its HTTP API. */
@Command(
    name = "queue",
    mixinStandardHelpOptions = true,
    description = "Work with the durable queues of a running node (through its HTTP API).",
    subcommands = {
      QueueCommand.Ls.class,
      QueueCommand.Stats.class,
      QueueCommand.Peek.class,
      QueueCommand.Publish.class,
      QueueCommand.Tail.class,
      QueueCommand.Purge.class,
      QueueCommand.DeadLetters.class,
      QueueCommand.Redrive.class,
      QueueCommand.Create.class,
      QueueCommand.Delete.class
    },
    footer = {
      "",
      "Examples:",
      "  junction queue ls",
      "  junction queue publish people --struct Person --json '{\"name\":\"Ann\",\"age\":3}'",
      "  junction queue tail people --count 10",
      "  JUNCTION_TOKEN=... junction queue purge people --url https://node:8080",
      "  junction queue dead-letters people && junction queue redrive people",
      "Exit codes: 0 ok, 1 the node refused or failed, 2 usage."
    })
public final class QueueCommand implements Runnable {
  static final String EXIT = "Exit codes: 0 ok, 1 the node refused or failed, 2 usage.";

  @Override
  public void run() {
    picocli.CommandLine.usage(this, System.out);
  }

  /** A command about one queue, named by its first parameter. */
  abstract static class OneQueue extends ApiCommand {

    @Parameters(index = "0", description = "Queue name.")
    String queue;

    /** {@code /v1/queues/<queue>}, the name URL-encoded. */
    String queuePath() {
      return "/v1/queues/" + q(queue);
    }
  }

  private static String q(String name) {
    return URLEncoder.encode(name, StandardCharsets.UTF_8);
  }

  /** Lists queues with depth, in flight and dead letters. */
  @Command(
      name = "ls",
      mixinStandardHelpOptions = true,
      description =
          "List the queues: depth, in flight, dead letters, published; publish, deliver and ack"
              + " rates (messages per second over the last 10 s).",
      footer = {
        "",
        "Examples:",
        "  junction queue ls",
        "  junction queue ls --output json | jq '.[] | select(.dead_letters > 0) | .name'",
        EXIT
      })
  static final class Ls extends ApiCommand {

    @Option(names = "--output", defaultValue = "text", description = "text or json.")
    Output.Format output;

    @Override
    void execute() throws Exception {
      JsonNode list = api.get("/v1/queues");
      if (output == Output.Format.JSON) System.out.println(list.toPrettyString());
      else {
        System.out.printf(
            "%-24s %10s %10s %10s %12s %9s %9s %9s%n",
            "QUEUE", "DEPTH", "IN-FLIGHT", "DEAD", "PUBLISHED", "PUB/S", "DELIV/S", "ACK/S");
        for (JsonNode n : list)
          System.out.printf(
              "%-24s %10d %10d %10d %12d %9.1f %9.1f %9.1f%n",
              n.get("name").asText(),
              n.get("depth").asInt(),
              n.get("in_flight").asInt(),
              n.get("dead_letters").asInt(),
              n.get("published").asLong(),
              n.get("publish_rate").asDouble(),
              n.get("deliver_rate").asDouble(),
              n.get("ack_rate").asDouble());
      }
    }
  }

  /** One queue's counters as JSON. */
  @Command(
      name = "stats",
      mixinStandardHelpOptions = true,
      description = "A queue's depth and counters.",
      footer = {
        "",
        "Examples:",
        "  junction queue stats people",
        "  junction queue stats people --output text",
        EXIT
      })
  static final class Stats extends OneQueue {

    @Option(
        names = "--output",
        defaultValue = "json",
        description = "json (default) or text (one counter per line).")
    Output.Format output;

    @Override
    void execute() throws Exception {
      JsonNode stats = api.get(queuePath());
      if (output == Output.Format.JSON) System.out.println(stats.toPrettyString());
      else
        for (var f : stats.properties())
          System.out.printf("%-14s %s%n", f.getKey(), f.getValue().asText());
    }
  }

  /** The first messages, without leasing them. */
  @Command(
      name = "peek",
      mixinStandardHelpOptions = true,
      description = "Show the first messages without taking them.",
      footer = {
        "",
        "Examples:",
        "  junction queue peek people --max 3          # one JSON object per line",
        "  junction queue peek people --output json | jq '.[].fields.name'",
        EXIT
      })
  static final class Peek extends Listing {

    @Option(
        names = "--max",
        defaultValue = "10",
        description = "How many, 1 to 1000 (default ${DEFAULT-VALUE}).")
    int max;

    @Override
    String path() {
      return "/peek?max=" + max;
    }
  }

  /** A queue's messages or dead letters, shown without taking them. */
  abstract static class Listing extends OneQueue {

    @Option(
        names = "--output",
        defaultValue = "text",
        description = "text (one JSON object per line) or json (one array).")
    Output.Format output;

    /** Under the queue's path. */
    abstract String path();

    @Override
    void execute() throws Exception {
      JsonNode array = api.get(queuePath() + path());
      if (output == Output.Format.JSON) System.out.println(array.toPrettyString());
      else for (JsonNode m : array) System.out.println(m.toString());
    }
  }

  /** The oldest dead letters, with their reasons. */
  @Command(
      name = "dead-letters",
      mixinStandardHelpOptions = true,
      description =
          "Show the oldest dead letters: seq, reason, when (epoch ms) and the message, without"
              + " taking them.",
      footer = {
        "",
        "Examples:",
        "  junction queue dead-letters people --max 5",
        "  junction queue dead-letters people --output json | jq -r '.[].reason' | sort | uniq -c",
        EXIT
      })
  static final class DeadLetters extends Listing {

    @Option(
        names = "--max",
        defaultValue = "100",
        description = "How many, 1 to 1000 (default ${DEFAULT-VALUE}).")
    int max;

    @Override
    String path() {
      return "/dead-letters?max=" + max;
    }
  }

  /** Puts dead letters back at the end of their queue (admin). */
  @Command(
      name = "redrive",
      mixinStandardHelpOptions = true,
      description =
          "Put the oldest dead letters back at the end of the queue, with fresh delivery counts"
              + " (admin token).",
      footer = {
        "",
        "Examples:",
        "  JUNCTION_TOKEN=... junction queue redrive people",
        "  JUNCTION_TOKEN=... junction queue redrive people --max 10",
        EXIT
      })
  static final class Redrive extends OneQueue {

    @Option(names = "--max", description = "At most this many (default: all).")
    Integer max;

    @Override
    void execute() throws Exception {
      String path = queuePath() + "/dead-letters/redrive";
      if (max != null) path += "?max=" + max;
      System.out.println(
          "moved " + api.post(path, "application/json", new byte[0]).get("moved").asInt());
    }
  }

  /** Publishes one message; prints its id once it is durable. */
  @Command(
      name = "publish",
      mixinStandardHelpOptions = true,
      description = "Publish one message; prints its id once it is durable.",
      footer = {
        "",
        "Examples:",
        "  junction queue publish jobs --text 'hello'",
        "  junction queue publish people --struct Person name=Ann age=3",
        "  junction queue publish blobs --file frame.bin",
        EXIT
      })
  static final class Publish extends OneQueue {

    @Parameters(index = "1..*", arity = "0..*", description = "With --struct: field=value pairs.")
    List<String> fields = List.of();

    @Option(names = "--text", description = "A text payload.")
    String text;

    @Option(names = "--file", description = "A file's bytes as payload.")
    Path file;

    @Option(
        names = "--struct",
        description = "Encode the fields (pairs or --json) into this struct.")
    String struct;

    @Option(names = "--json", description = "The message as a JSON object.")
    String json;

    @Override
    void execute() throws Exception {
      String path = queuePath() + "/messages";
      JsonNode r;
      if (struct != null || json != null || !fields.isEmpty()) {
        Map<String, Object> body = new java.util.LinkedHashMap<>();
        if (json != null)
          body.putAll(
              ApiClient.JSON.readValue(
                  json,
                  new com.fasterxml.jackson.core.type.TypeReference<Map<String, Object>>() {}));
        for (String pair : fields) {
          int eq = pair.indexOf('=');
          if (eq <= 0) throw new IllegalArgumentException("expected field=value, got " + pair);
          body.put(pair.substring(0, eq), literal(pair.substring(eq + 1)));
        }
        if (struct != null) path += "?struct=" + q(struct);
        r = api.post(path, "application/json", ApiClient.JSON.writeValueAsBytes(body));
      } else if (file != null) {
        r = api.post(path, "application/octet-stream", Files.readAllBytes(file));
      } else {
        r =
            api.post(
                path, "text/plain", (text == null ? "" : text).getBytes(StandardCharsets.UTF_8));
      }
      System.out.println(r.get("id").asText());
    }

    private static Object literal(String v) {
      try {
        JsonNode n = ApiClient.JSON.readTree(v);
        if (n.isNumber()) return n.numberValue();
        if (n.isBoolean()) return n.booleanValue();
      } catch (java.io.IOException e) {
        // plain text
      }
      return v;
    }
  }

  /** Follows a queue: takes messages as they come, prints and acknowledges them. */
  @Command(
      name = "tail",
      mixinStandardHelpOptions = true,
      description =
          "Take messages as they arrive, print one JSON line each, and acknowledge them"
              + " (--no-ack leaves them to come back after their lease).",
      footer = {
        "",
        "Examples:",
        "  junction queue tail people                  # until Ctrl-C",
        "  junction queue tail people --count 10 --no-ack | jq .fields",
        EXIT
      })
  static final class Tail extends OneQueue {

    @Option(names = "--count", description = "Stop after this many messages.")
    Long count;

    @Option(names = "--no-ack", description = "Do not acknowledge.")
    boolean noAck;

    @Option(
        names = "--poll",
        defaultValue = "500",
        description = "Milliseconds between empty polls.")
    long pollMillis;

    @Override
    void execute() throws Exception {
      long seen = 0;
      while (count == null || seen < count) {
        long want = count == null ? 100 : Math.min(100, count - seen);
        JsonNode leased = api.get(queuePath() + "/messages?max=" + want + "&visibility=60s");
        if (leased.isEmpty()) {
          // a CLI polling a remote API: waiting between empty polls is the point
          java.util.concurrent.locks.LockSupport.parkNanos(pollMillis * 1_000_000L);
          continue;
        }
        List<String> receipts = new ArrayList<>();
        for (JsonNode d : leased) {
          System.out.println(d.get("message").toString());
          receipts.add(d.get("receipt").asText());
          seen++;
        }
        if (!noAck)
          api.post(
              queuePath() + "/ack",
              "application/json",
              ApiClient.JSON.writeValueAsBytes(Map.of("receipts", receipts)));
      }
    }
  }

  /** Creates a queue that is not declared in the config. */
  @Command(
      name = "create",
      mixinStandardHelpOptions = true,
      description =
          "Create a queue (with junction.queue-defaults' settings) if it does not exist yet; it is"
              + " listed and recovered at start from then on. Publishing to a new name creates it"
              + " too.",
      footer = {"", "Example:", "  junction queue create jobs", EXIT})
  static final class Create extends OneQueue {

    @Override
    void execute() throws Exception {
      boolean created = api.put(queuePath()).get("created").asBoolean();
      System.out.println((created ? "created " : "exists ") + queue);
    }
  }

  /** Deletes a queue that is not declared in the config (admin). */
  @Command(
      name = "delete",
      mixinStandardHelpOptions = true,
      description =
          "Delete a queue that is not declared in the config: its messages, dead letters, counters"
              + " and journal (admin token).",
      footer = {
        "",
        "Examples:",
        "  JUNCTION_TOKEN=... junction queue delete scratch",
        "  JUNCTION_TOKEN=... junction queue delete scratch --if-empty",
        EXIT
      })
  static final class Delete extends OneQueue {

    @Option(names = "--if-empty", description = "Refuse if the queue holds messages.")
    boolean ifEmpty;

    @Override
    void execute() throws Exception {
      JsonNode d = api.delete(queuePath() + (ifEmpty ? "?if-empty=true" : ""));
      System.out.printf(
          "deleted %s: %d messages, %d dead letters%n",
          queue, d.get("messages").asInt(), d.get("dead_letters").asInt());
    }
  }

  /** Removes every waiting message (admin). */
  @Command(
      name = "purge",
      mixinStandardHelpOptions = true,
      description =
          "Remove every waiting message, or with --dead-letters every dead letter (admin token).",
      footer = {
        "",
        "Examples:",
        "  JUNCTION_TOKEN=... junction queue purge people",
        "  JUNCTION_TOKEN=... junction queue purge people --dead-letters",
        EXIT
      })
  static final class Purge extends OneQueue {

    @Option(
        names = "--dead-letters",
        description = "Remove the dead letters instead of the messages.")
    boolean deadLetters;

    @Override
    void execute() throws Exception {
      String what = deadLetters ? "/dead-letters" : "/messages";
      System.out.println("removed " + api.delete(queuePath() + what).get("removed").asInt());
    }
  }
}
