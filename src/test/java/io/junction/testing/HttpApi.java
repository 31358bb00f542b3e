package io.junction.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A JDK {@link HttpClient} against one node's API, with bounded timeouts. */
public final class HttpApi {
  private final HttpClient client =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final String base;

  public HttpApi(int port) {
    this("127.0.0.1", port);
  }

  public HttpApi(String host, int port) {
    this.base = "http://" + host + ":" + port;
  }

  public HttpClient client() {
    return client;
  }

  public HttpRequest.Builder request(String path, String token) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(15));
    if (token != null) b.header("Authorization", "Bearer " + token);
    return b;
  }

  public HttpResponse<String> get(String path, String token)
      throws IOException, InterruptedException {
    return send(request(path, token).GET().build());
  }

  public HttpResponse<String> delete(String path, String token)
      throws IOException, InterruptedException {
    return send(request(path, token).DELETE().build());
  }

  public HttpResponse<String> post(String path, String token, String contentType, byte[] body)
      throws IOException, InterruptedException {
    return withBody("POST", path, token, contentType, body);
  }

  public HttpResponse<String> put(String path, String token)
      throws IOException, InterruptedException {
    return send(request(path, token).PUT(HttpRequest.BodyPublishers.noBody()).build());
  }

  public HttpResponse<String> put(String path, String token, String contentType, byte[] body)
      throws IOException, InterruptedException {
    return withBody("PUT", path, token, contentType, body);
  }

  private HttpResponse<String> withBody(
      String method, String path, String token, String contentType, byte[] body)
      throws IOException, InterruptedException {
    return send(
        request(path, token)
            .header("Content-Type", contentType)
            .method(method, HttpRequest.BodyPublishers.ofByteArray(body))
            .build());
  }

  public HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
    return client.send(request, HttpResponse.BodyHandlers.ofString());
  }

  /**
   * One sample of the node's /metrics, e.g. {@code junction_stomp_errors_total{reason="x"}} (name
   * and labels exactly as scraped); empty when the node does not show it.
   */
  public java.util.OptionalDouble metric(String sample) throws IOException, InterruptedException {
    return sample(get("/metrics", null).body(), sample);
  }

  /** {@code sample}'s value in a Prometheus text exposition ({@code metrics}). */
  public static java.util.OptionalDouble sample(String metrics, String sample) {
    for (String line : metrics.split("\n"))
      if (line.startsWith(sample + " "))
        return java.util.OptionalDouble.of(Double.parseDouble(line.substring(sample.length() + 1)));
    return java.util.OptionalDouble.empty();
  }
}
