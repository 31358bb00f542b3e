package io.junction.tcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.junction.testing.TestCertificates;
import io.junction.testing.TestNode;
import io.junction.testing.WireClient;
import java.io.DataInputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TLS on TCP endpoints: encrypted echo, plain text refused, mutual TLS, verified client. */
class TcpTlsTest {
  @TempDir static Path dir;
  static TestCertificates server;
  static TestCertificates client;
  static SSLServerSocket peer;
  static SSLServerSocket impostor;
  static TestNode node;

  @BeforeAll
  static void start() throws Exception {
    server = TestCertificates.create(dir, "server");
    client = TestCertificates.create(dir, "client");
    peer =
        (SSLServerSocket)
            server
                .keyContext()
                .getServerSocketFactory()
                .createServerSocket(0, 10, InetAddress.getLoopbackAddress());
    peer.setSoTimeout(10_000);
    // presents a certificate the node's client does not trust
    impostor =
        (SSLServerSocket)
            client
                .keyContext()
                .getServerSocketFactory()
                .createServerSocket(0, 10, InetAddress.getLoopbackAddress());
    Thread accepting =
        new Thread(
            () -> {
              try {
                while (!impostor.isClosed()) {
                  try (SSLSocket s = (SSLSocket) impostor.accept()) {
                    s.startHandshake();
                  } catch (java.io.IOException handshakeRefused) {
                    // expected: the node refuses the certificate
                  }
                }
              } catch (RuntimeException e) {
                // closed
              }
            },
            "impostor");
    accepting.setDaemon(true);
    accepting.start();
    node =
        TestNode.start(
            """
            junction {
              endpoints {
                secure {
                  kind = tcp-server, port = 0, framing { kind = length-prefixed }
                  tls { keystore-file = "%1$s", keystore-password-file = "%2$s" }
                }
                mutual {
                  kind = tcp-server, port = 0, framing { kind = length-prefixed }
                  tls {
                    keystore-file = "%1$s", keystore-password-file = "%2$s"
                    truststore-file = "%3$s", truststore-password-file = "%4$s", client-auth = need
                  }
                }
                in { kind = tcp-server, port = 0, framing { kind = length-prefixed } }
                in2 { kind = tcp-server, port = 0, framing { kind = length-prefixed } }
                out2 {
                  kind = tcp-client, port = %7$d, framing { kind = length-prefixed }
                  reconnect { min-backoff = 50ms, max-backoff = 200ms }
                  tls { truststore-file = "%6$s", truststore-password-file = "%2$s" }
                }
                out {
                  kind = tcp-client, port = %5$d, framing { kind = length-prefixed }
                  reconnect { min-backoff = 50ms, max-backoff = 200ms }
                  tls { truststore-file = "%6$s", truststore-password-file = "%2$s" }
                }
              }
              routes {
                a { from = secure, to = reply }
                b { from = mutual, to = reply }
                c { from = in, to = "tcp:out" }
                d { from = in2, to = "tcp:out2" }
              }
            }
            """
                .formatted(
                    server.keystore(),
                    server.passwordFile(),
                    client.truststore(),
                    client.passwordFile(),
                    peer.getLocalPort(),
                    server.truststore(),
                    impostor.getLocalPort()));
  }

  @AfterAll
  static void stop() throws Exception {
    node.close();
    peer.close();
    impostor.close();
  }

  private static SSLSocket connect(String endpoint, TestCertificates presenting) throws Exception {
    SSLSocket s =
        (SSLSocket)
            server
                .trustContext(presenting)
                .getSocketFactory()
                .createSocket("127.0.0.1", node.port(endpoint));
    s.setSoTimeout(10_000);
    return s;
  }

  private static byte[] roundTrip(SSLSocket s, String text) throws Exception {
    byte[] frame = WireClient.frame(text.getBytes(StandardCharsets.UTF_8));
    s.getOutputStream().write(frame);
    s.getOutputStream().flush();
    return new DataInputStream(s.getInputStream()).readNBytes(frame.length);
  }

  @Test
  void echoesOverTls() throws Exception {
    try (SSLSocket s = connect("secure", null)) {
      assertArrayEquals(
          WireClient.frame("secret".getBytes(StandardCharsets.UTF_8)), roundTrip(s, "secret"));
    }
  }

  @Test
  void refusesAPlainTextPeerWhereTlsIsRequired() throws Exception {
    try (WireClient plain = new WireClient(node.port("secure"))) {
      plain.write(WireClient.frame("hello".getBytes(StandardCharsets.UTF_8)));
      assertTrue(plain.isClosedByPeer());
    }
  }

  @Test
  void mutualTlsAcceptsAKnownClientCertificateAndRefusesNone() throws Exception {
    try (SSLSocket s = connect("mutual", client)) {
      assertArrayEquals(
          WireClient.frame("me".getBytes(StandardCharsets.UTF_8)), roundTrip(s, "me"));
    }
    assertThrows(
        Exception.class,
        () -> {
          try (SSLSocket s = connect("mutual", null)) {
            roundTrip(s, "anonymous");
            if (s.getInputStream().read() < 0) throw new SSLException("closed");
          }
        });
  }

  @Test
  void clientEndpointConnectsOverTlsAndVerifiesTheServer() throws Exception {
    try (WireClient in = new WireClient(node.port("in"));
        SSLSocket accepted = (SSLSocket) peer.accept()) {
      in.write(WireClient.frame("forwarded".getBytes(StandardCharsets.UTF_8)));
      DataInputStream data = new DataInputStream(accepted.getInputStream());
      byte[] payload = new byte[data.readInt()];
      data.readFully(payload);
      assertEquals("forwarded", new String(payload, StandardCharsets.UTF_8));
    }
  }

  @Test
  void clientEndpointRefusesAServerWhoseCertificateItDoesNotTrust() {
    node.await(
        () -> {
          var s = node.status("out2");
          assertEquals("disconnected", s.state());
          // the handshake fails on the certificate (PKIX path or signature check)
          assertTrue(s.detail().matches("(?s).*(PKIX|certif|Signature).*"), s.detail());
          return null;
        });
  }
}
