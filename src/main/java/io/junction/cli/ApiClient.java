package io.junction.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Option;

/** Options and calls shared by commands that talk to a running node's HTTP API. */
final class ApiClient {
  static final ObjectMapper JSON = new ObjectMapper();

  @Option(
      names = "--url",
      defaultValue = "${JUNCTION_URL:-http://127.0.0.1:8080}",
      description = "The node's API (default: ${DEFAULT-VALUE}, or $JUNCTION_URL).")
  String url;

  @Option(
      names = "--token-env",
      description = "Environment variable holding a bearer token.",
      defaultValue = "JUNCTION_TOKEN")
  String tokenEnv;

  @Option(names = "--token-file", description = "File holding a bearer token.")
  Path tokenFile;

  // Built on first call, not with the object: picocli instantiates every subcommand's mixin when
  // the command line is built, and each JDK client starts a selector thread, so `junction run`
  // would otherwise carry one idle client per API command.
  private HttpClient http;

  /** A failed call: the node's problem document (or status) as one line. */
  static final class ApiException extends IOException {
    private static final long serialVersionUID = 1L;

    ApiException(String message) {
      super(message);
    }
  }

  HttpRequest.Builder request(String path) throws IOException {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(url.replaceAll("/+$", "") + path))
            .timeout(Duration.ofSeconds(60));
    String token = token();
    if (token != null) b.header("Authorization", "Bearer " + token);
    return b;
  }

  private String token() throws IOException {
    if (tokenFile != null) return Files.readString(tokenFile).strip();
    String t = System.getenv(tokenEnv);
    return t == null || t.isBlank() ? null : t.strip();
  }

  synchronized HttpClient http() {
    if (http == null) http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    return http;
  }

  /** A failed call from its status and body lines. */
  ApiException failure(int status, java.util.List<String> body) {
    JsonNode n = parse(String.join("\n", body));
    String detail = n.hasNonNull("detail") ? n.get("detail").asText() : String.join(" ", body);
    return new ApiException(status + " " + detail);
  }

  JsonNode call(HttpRequest request) throws IOException, InterruptedException {
    HttpResponse<String> r = http().send(request, HttpResponse.BodyHandlers.ofString());
    JsonNode body = r.body().isEmpty() ? JSON.nullNode() : parse(r.body());
    if (r.statusCode() >= 400) {
      String detail = body.hasNonNull("detail") ? body.get("detail").asText() : r.body();
      throw new ApiException(r.statusCode() + " " + detail);
    }
    return body;
  }

  JsonNode get(String path) throws IOException, InterruptedException {
    return call(request(path).GET().build());
  }

  JsonNode post(String path, String contentType, byte[] body)
      throws IOException, InterruptedException {
    return call(
        request(path)
            .header("Content-Type", contentType)
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build());
  }

  JsonNode put(String path) throws IOException, InterruptedException {
    return call(request(path).PUT(HttpRequest.BodyPublishers.noBody()).build());
  }

  JsonNode delete(String path) throws IOException, InterruptedException {
    return call(request(path).DELETE().build());
  }

  private static JsonNode parse(String s) {
    try {
      return JSON.readTree(s);
    } catch (IOException e) {
      return JSON.getNodeFactory().textNode(s);
    }
  }
}
