package io.junction.ftp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.junction.testing.TestCertificates;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.Test;

/** FTPS with explicit TLS (AUTH TLS, PROT P) against embedded Apache FtpServer. */
class FtpsTransferTest extends EmbeddedFtpContract {
  private Path truststore;
  private String storePassword;

  @Override
  void startServer(Path dir) throws Exception {
    TestCertificates certs = TestCertificates.create(dir, "ftps");
    truststore = certs.truststore();
    storePassword = certs.password();
    server =
        EmbeddedFtpServer.explicitTls(dir.resolve("ftps-home"), certs.keystore(), storePassword);
  }

  @Override
  RemoteSettings settings() {
    return RemoteSettings.of(
            Protocol.FTPS_EXPLICIT, "127.0.0.1", server.port(), EmbeddedFtpServer.USER)
        .withPassword(EmbeddedFtpServer.PASSWORD)
        .withTruststore(truststore, storePassword);
  }

  @Test
  void certificateNotInTheTruststoreIsRefused() throws Exception {
    RemoteSettings jvmCas =
        RemoteSettings.of(
                Protocol.FTPS_EXPLICIT, "127.0.0.1", server.port(), EmbeddedFtpServer.USER)
            .withPassword(EmbeddedFtpServer.PASSWORD);
    Throwable cause = failure(Ftp.ls(jvmCas, "/").runWith(Sink.seq(), system));
    assertInstanceOf(RemoteException.HostNotTrusted.class, cause, cause.toString());
  }

  @Test
  void trustAllAcceptsTheCertificateWhenExplicitlyChosen() throws Exception {
    Files.writeString(home().resolve("dev.txt"), "dev");
    RemoteSettings dev =
        RemoteSettings.of(
                Protocol.FTPS_EXPLICIT, "127.0.0.1", server.port(), EmbeddedFtpServer.USER)
            .withPassword(EmbeddedFtpServer.PASSWORD)
            .withTrustAll(true);
    assertEquals(3L, await(Ftp.size(dev, "dev.txt", system)));
  }
}
