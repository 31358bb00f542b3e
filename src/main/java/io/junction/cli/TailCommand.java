package io.junction.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code junction tail topic:NAME | queue:NAME}: follow a topic through its server-sent events, or
 * a queue (as {@code junction queue tail}), printing one JSON object per message.
 */
@Command(
    name = "tail",
    mixinStandardHelpOptions = true,
    description =
        "Follow a topic (GET /v1/topics/NAME/events, at most once: what is published while you"
            + " watch) or a queue (takes and acknowledges messages, as 'junction queue tail')."
            + " Prints one JSON object per message.",
    footer = {
      "",
      "Examples:",
      "  junction tail topic:alerts",
      "  junction tail topic:alerts --count 5 | jq -r .payload",
      "  junction tail queue:people --count 10 --no-ack",
      "Routes have no stream of their own: set trace = on on the route and follow its log lines"
          + " (logger junction.trace; JSON logs carry message_id and route, see docs/LOGGING.md).",
      "Exit codes: 0 ended (--count reached, or the node closed the stream), 1 the node refused"
          + " or failed, 2 usage."
    })
public final class TailCommand extends ApiCommand {

  @Parameters(index = "0", paramLabel = "topic:NAME|queue:NAME", description = "What to follow.")
  String target;

  @Option(names = "--count", description = "Stop after this many messages.")
  Long count;

  @Option(names = "--no-ack", description = "Queues: do not acknowledge (they come back later).")
  boolean noAck;

  @Override
  void execute() throws Exception {
    int colon = target.indexOf(':');
    String kind = colon < 0 ? "" : target.substring(0, colon);
    String name = target.substring(colon + 1);
    if (name.isEmpty() || !(kind.equals("topic") || kind.equals("queue")))
      throw new IllegalArgumentException("expected topic:NAME or queue:NAME, got " + target);
    if (kind.equals("queue")) {
      QueueCommand.Tail queue = new QueueCommand.Tail();
      queue.api = api;
      queue.queue = name;
      queue.count = count;
      queue.noAck = noAck;
      queue.pollMillis = 500;
      queue.execute();
    } else topic(name);
  }

  @Override
  String name() {
    return "tail";
  }

  // Server-sent events: "event: message" / "data: {json}" / blank line; heartbeats carry no data.
  private void topic(String topic) throws IOException, InterruptedException {
    HttpRequest request =
        api.request("/v1/topics/" + URLEncoder.encode(topic, StandardCharsets.UTF_8) + "/events")
            .timeout(Duration.ofDays(3650)) // a stream that lasts as long as the user watches
            .header("Accept", "text/event-stream")
            .GET()
            .build();
    HttpResponse<java.io.InputStream> r =
        api.http().send(request, HttpResponse.BodyHandlers.ofInputStream());
    try (BufferedReader in =
        new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
      if (r.statusCode() >= 400) throw api.failure(r.statusCode(), in.lines().toList());
      long seen = 0;
      String line;
      while ((count == null || seen < count) && (line = in.readLine()) != null) {
        if (!line.startsWith("data:")) continue;
        String data = line.substring(5).strip();
        if (data.isEmpty()) continue;
        JsonNode message = ApiClient.JSON.readTree(data);
        System.out.println(message.toString());
        System.out.flush();
        seen++;
      }
    }
  }
}
