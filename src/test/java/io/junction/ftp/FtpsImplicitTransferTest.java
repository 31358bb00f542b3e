package io.junction.ftp;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.junction.testing.TestCertificates;
import java.nio.file.Path;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.Test;

/**
 * FTPS with implicit TLS (TLS from the first byte, no AUTH TLS; PROT P) against embedded Apache
 * FtpServer's implicit SSL listener: the whole contract, plus refusing untrusted and wrongly
 * certified servers.
 */
class FtpsImplicitTransferTest extends EmbeddedFtpContract {
  private Path truststore;
  private String storePassword;

  @Override
  void startServer(Path dir) throws Exception {
    TestCertificates certs = TestCertificates.create(dir, "implicit");
    truststore = certs.truststore();
    storePassword = certs.password();
    server =
        EmbeddedFtpServer.implicitTls(
            dir.resolve("implicit-home"), certs.keystore(), storePassword);
  }

  @Override
  RemoteSettings settings() {
    return RemoteSettings.of(
            Protocol.FTPS_IMPLICIT, "127.0.0.1", server.port(), EmbeddedFtpServer.USER)
        .withPassword(EmbeddedFtpServer.PASSWORD)
        .withTruststore(truststore, storePassword);
  }

  @Test
  void speaksTlsFromTheFirstByteWithoutAuthTls() throws Exception {
    await(Ftp.size(settings(), ".", system).handle((size, failure) -> null));
    assertFalse(server.commands().contains("AUTH"), server.commands().toString());
    assertTrue(server.commands().contains("PROT"), server.commands().toString());
  }

  @Test
  void certificateNotInTheTruststoreIsRefused() throws Exception {
    RemoteSettings jvmCas =
        RemoteSettings.of(
                Protocol.FTPS_IMPLICIT, "127.0.0.1", server.port(), EmbeddedFtpServer.USER)
            .withPassword(EmbeddedFtpServer.PASSWORD);
    Throwable cause = failure(Ftp.ls(jvmCas, "/").runWith(Sink.seq(), system));
    assertInstanceOf(RemoteException.HostNotTrusted.class, cause, cause.toString());
  }

  @Test
  void trustedCertificateForAnotherHostIsRefused() throws Exception {
    TestCertificates other = TestCertificates.create(tmp, "other-host", "dns:other.example");
    try (EmbeddedFtpServer wrong =
        EmbeddedFtpServer.implicitTls(
            tmp.resolve("other-home"), other.keystore(), other.password())) {
      RemoteSettings s =
          RemoteSettings.of(
                  Protocol.FTPS_IMPLICIT, "127.0.0.1", wrong.port(), EmbeddedFtpServer.USER)
              .withPassword(EmbeddedFtpServer.PASSWORD)
              .withTruststore(other.truststore(), other.password());
      Throwable cause = failure(Ftp.ls(s, "/").runWith(Sink.seq(), system));
      assertInstanceOf(RemoteException.HostNotTrusted.class, cause, cause.toString());
      // Refused for the name, not the chain: the certificate itself is in the truststore.
      assertTrue(cause.getMessage().contains("subject alternative names"), cause.getMessage());
      assertFalse(wrong.commands().contains("USER"), "no credentials sent: " + wrong.commands());
    }
  }
}
