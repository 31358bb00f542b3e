package io.junction.cli;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Asks a running node to reload its routes through the HTTP API (admin scope). */
@Command(
    name = "reload",
    mixinStandardHelpOptions = true,
    description =
        "Reload the routes of a running node from its config file (POST /v1/routes/reload)."
            + " Exit 0 when the new table is in force, 2 when it was rejected (every problem is"
            + " printed; the old table stays), 1 when the node could not be reached.",
    footer = {
      "",
      "Examples:",
      "  junction reload",
      "  JUNCTION_ADMIN_TOKEN=... junction reload --url http://10.0.0.5:8080 --token-env"
          + " JUNCTION_ADMIN_TOKEN",
      "  kill -HUP $(pgrep -f 'junction.*run')   # the same, by signal",
      "Exit codes: 0 new routes in force, 1 node unreachable or failed,"
          + " 2 new routes rejected (old table stays) or usage."
    })
public final class ReloadCommand implements Callable<Integer> {
  @Option(
      names = "--url",
      description = "The node's HTTP API (default: ${DEFAULT-VALUE}).",
      defaultValue = "http://127.0.0.1:8080")
  String url;

  @Option(
      names = "--token-env",
      description = "Environment variable holding a bearer token with admin scope.")
  String tokenEnv;

  @Override
  public Integer call() throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(url.replaceAll("/+$", "") + "/v1/routes/reload"))
            .timeout(Duration.ofSeconds(60))
            .POST(HttpRequest.BodyPublishers.noBody());
    if (tokenEnv != null) {
      String token = System.getenv(tokenEnv);
      if (token == null || token.isBlank()) {
        System.err.println("environment variable " + tokenEnv + " is not set");
        return 2;
      }
      request.header("Authorization", "Bearer " + token.strip());
    }
    HttpResponse<String> response;
    try {
      response =
          HttpClient.newBuilder()
              .connectTimeout(Duration.ofSeconds(5))
              .build()
              .send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (java.io.IOException e) {
      System.err.println("cannot reach " + url + ": " + e);
      return 1;
    }
    if (response.statusCode() == 200) {
      System.out.println(response.body());
      return 0;
    }
    System.err.println(response.statusCode() + " " + response.body());
    return response.statusCode() == 422 ? 2 : 1;
  }
}
