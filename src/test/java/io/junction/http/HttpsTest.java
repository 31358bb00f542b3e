package io.junction.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.junction.testing.HttpApi;
import io.junction.testing.TestCertificates;
import io.junction.testing.TestNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTPS both ways: the API served with {@code junction.http.tls}, and an {@code http:} destination
 * and an {@code http-poll} endpoint calling an HTTPS service they trust through {@code tls { }}.
 * Passwords come from files, so no environment variable is needed.
 */
class HttpsTest {
  @TempDir static Path dir;
  static TestCertificates certs;
  TestNode node;
  PollStub stub;

  @BeforeAll
  static void certificates() throws Exception {
    certs = TestCertificates.create(dir, "junction");
  }

  @AfterEach
  void stop() throws Exception {
    if (node != null) node.close();
    if (stub != null) stub.close();
  }

  HttpClient client(javax.net.ssl.SSLContext tls) {
    HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
    return (tls == null ? b : b.sslContext(tls)).build();
  }

  HttpResponse<String> get(HttpClient client, String url) throws Exception {
    return client.send(
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void theApiServesHttpsToClientsThatTrustItsCertificateOnly() throws Exception {
    node =
        TestNode.start(
            """
            junction.http.tls {
              keystore-file = "%s", keystore-password-file = "%s"
            }
            """
                .formatted(certs.keystore(), certs.passwordFile()));
    int port = node.httpPort();
    String health = "https://127.0.0.1:" + port + "/v1/health";

    HttpResponse<String> ok = get(client(certs.trustContext(null)), health);
    assertEquals(200, ok.statusCode());
    assertEquals("{\"status\":\"UP\"}", ok.body());

    // No truststore: the JDK's CAs do not know this certificate.
    IOException untrusted =
        assertThrows(IOException.class, () -> get(client(null), health), "untrusted server");
    assertTrue(isHandshakeFailure(untrusted), untrusted.toString());

    // Plain HTTP to the HTTPS port: no answer a client could take for an HTTP response.
    assertThrows(
        IOException.class, () -> get(client(null), "http://127.0.0.1:" + port + "/v1/health"));
  }

  @Test
  void aDestinationAndAPollerCallAnHttpsServiceTheyTrust() throws Exception {
    stub = PollStub.https(PollStub.Validator.ETAG, certs.keyContext());
    stub.publish("secret feed");
    String tls =
        "tls { truststore-file = \"%s\", truststore-password-file = \"%s\" }"
            .formatted(certs.truststore(), certs.passwordFile());
    node =
        TestNode.start(
            """
            junction {
              http.destinations.secure { url = "https://127.0.0.1:%1$d/in", retries.max = 0, %2$s }
              http.destinations.naive { url = "https://127.0.0.1:%1$d/in", retries.max = 0 }
              endpoints.feed {
                kind = http-poll, url = "https://127.0.0.1:%1$d/feed", interval = 200ms, codec = text
                %2$s
              }
            }
            """
                .formatted(stub.port(), tls));
    HttpApi api = new HttpApi(node.httpPort());
    node.await(
        () -> {
          assertEquals(1.0, node.status("feed").counters().get("changed"));
          assertEquals("connected", node.status("feed").state());
          return null;
        });

    HttpResponse<String> trusted =
        node.await(
            () -> {
              try {
                var r = publish(api, "http:secure");
                assertEquals(202, r.statusCode(), r.body());
                return r;
              } catch (Exception e) {
                throw new AssertionError(e);
              }
            });
    assertTrue(trusted.body().contains("\"destination\":\"http:secure\""), trusted.body());

    // The same service without the truststore: the handshake fails, the message is refused.
    HttpResponse<String> refused = publish(api, "http:naive");
    assertEquals(503, refused.statusCode(), refused.body());
    assertTrue(refused.body().contains("delivery-failed"), refused.body());
  }

  private static HttpResponse<String> publish(HttpApi api, String destination) throws Exception {
    return api.post(
        "/v1/publish/" + destination, null, "text/plain", "hello".getBytes(StandardCharsets.UTF_8));
  }

  private static boolean isHandshakeFailure(Throwable t) {
    for (; t != null; t = t.getCause()) if (t instanceof SSLHandshakeException) return true;
    return false;
  }
}
