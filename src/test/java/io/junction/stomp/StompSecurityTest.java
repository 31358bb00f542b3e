package io.junction.stomp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.junction.testing.HttpApi;
import io.junction.testing.StompClient;
import io.junction.testing.StompClient.Frame;
import io.junction.testing.TestCertificates;
import io.junction.testing.TestNode;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The STOMP listener's guards, over TLS: the passcode (an API token with the publish scope), the
 * connection limit, the connect deadline.
 */
class StompSecurityTest {
  static Path dir;
  static TestNode node;
  static int port;
  static SSLContext client;
  static HttpApi api;

  @BeforeAll
  static void start() throws Exception {
    dir = Files.createTempDirectory("stomp-security");
    TestCertificates certs = TestCertificates.create(dir, "stomp");
    client = certs.trustContext(null);
    Path publish = Files.writeString(dir.resolve("publish"), "pub-secret");
    Path read = Files.writeString(dir.resolve("read"), "read-secret");
    node =
        TestNode.start(
            """
            junction {
              http.tokens = [
                { token-file = "%1$s", scopes = [publish] }
                { token-file = "%2$s", scopes = [read] }
              ]
              stomp {
                enabled = on, port = 0, require-auth = on, max-connections = 2
                connect-timeout = 500ms
                tls { keystore-file = "%3$s", keystore-password-file = "%4$s" }
              }
            }
            """
                .formatted(publish, read, certs.keystore(), certs.passwordFile()));
    port = node.stompPort();
    api = new HttpApi(node.httpPort());
  }

  @AfterAll
  static void stop() throws Exception {
    node.close();
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  @Test
  void connectNeedsAPasscodeThatIsATokenWithThePublishScope() throws Exception {
    double before = StompTestSupport.errors(api, "access-refused");
    for (String wrong : new String[] {null, "guess", "read-secret"}) {
      try (StompClient c = StompClient.tls(port, client)) {
        Frame f = c.connect(wrong);
        assertEquals("ERROR", f.command(), "passcode " + wrong);
        assertEquals("access-refused", f.header("message"));
        assertTrue(c.closedByServer());
      }
    }
    try (StompClient c = StompClient.tls(port, client)) {
      assertEquals("CONNECTED", c.connect("pub-secret").command());
    }
    assertEquals(before + 3, StompTestSupport.errors(api, "access-refused"));
  }

  @Test
  void plainTcpIsNotSpokenOnATlsListener() throws Exception {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(5000);
      s.getOutputStream()
          .write("CONNECT\naccept-version:1.2\n\n\0".getBytes(StandardCharsets.US_ASCII));
      byte[] answer = s.getInputStream().readNBytes(9);
      // a TLS alert or nothing, never a CONNECTED frame
      assertTrue(
          !new String(answer, StandardCharsets.US_ASCII).startsWith("CONNECTED"),
          new String(answer, StandardCharsets.US_ASCII));
    } catch (IOException e) {
      // reset: refused as well
    }
  }

  @Test
  void connectionsBeyondTheLimitGetAnErrorFrame() throws Exception {
    try (StompClient a = StompClient.tls(port, client);
        StompClient b = StompClient.tls(port, client)) {
      assertEquals("CONNECTED", a.connect("pub-secret").command());
      assertEquals("CONNECTED", b.connect("pub-secret").command());
      try (StompClient c = StompClient.tls(port, client)) {
        Frame f = c.read();
        assertEquals("ERROR", f.command());
        assertEquals("too-many-connections", f.header("message"));
        assertTrue(f.text().contains("at most 2"), f.text());
      }
    }
  }

  @Test
  void aConnectionThatNeverConnectsIsClosedAfterTheDeadline() throws Exception {
    try (StompClient c = StompClient.tls(port, client)) {
      c.raw("\n".getBytes(StandardCharsets.US_ASCII)); // a heart-beat is no CONNECT
      Frame f = c.read();
      assertEquals("ERROR", f.command());
      assertEquals("connect-timeout", f.header("message"));
      assertTrue(c.closedByServer());
    }
    // and a connected one outlives it
    try (StompClient c = StompClient.tls(port, client)) {
      assertEquals("CONNECTED", c.connect("pub-secret").command());
      c.send("SUBSCRIBE\nid:1\ndestination:/queue/idle\nreceipt:s", "");
      assertEquals("RECEIPT", c.read().command());
      assertThrows(java.net.SocketTimeoutException.class, () -> readWithin(c, 1500));
    }
  }

  private static void readWithin(StompClient c, int millis) throws Exception {
    c.timeout(millis);
    c.read();
  }
}
