package io.junction.ftp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.Test;

/** FTPS with explicit TLS (AUTH TLS, PROT P) against embedded Apache FtpServer. */
class FtpsTransferTest extends RemoteTransferContract {
  private static final String STORE_PASSWORD = "changeit";
  private EmbeddedFtpServer server;
  private Path truststore;

  @Override
  void startServer(Path dir) throws Exception {
    Path keystore = dir.resolve("server.p12");
    truststore = dir.resolve("trust.p12");
    Path cert = dir.resolve("server.pem");
    keytool(
        "-genkeypair",
        "-alias",
        "ftps",
        "-keyalg",
        "EC",
        "-groupname",
        "secp256r1",
        "-dname",
        "CN=localhost",
        "-ext",
        "SAN=ip:127.0.0.1,dns:localhost",
        "-validity",
        "2",
        "-storetype",
        "PKCS12",
        "-keystore",
        keystore.toString(),
        "-storepass",
        STORE_PASSWORD,
        "-keypass",
        STORE_PASSWORD);
    keytool(
        "-exportcert",
        "-rfc",
        "-alias",
        "ftps",
        "-keystore",
        keystore.toString(),
        "-storepass",
        STORE_PASSWORD,
        "-file",
        cert.toString());
    keytool(
        "-importcert",
        "-noprompt",
        "-alias",
        "ftps",
        "-file",
        cert.toString(),
        "-storetype",
        "PKCS12",
        "-keystore",
        truststore.toString(),
        "-storepass",
        STORE_PASSWORD);
    server = EmbeddedFtpServer.explicitTls(dir.resolve("ftps-home"), keystore, STORE_PASSWORD);
  }

  private static void keytool(String... args) throws Exception {
    Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
    List<String> command = new java.util.ArrayList<>(List.of(keytool.toString()));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes());
    if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
      process.destroyForcibly();
      throw new IllegalStateException("keytool failed: " + output);
    }
  }

  @Override
  void stopServer() {
    if (server != null) server.close();
  }

  @Override
  RemoteSettings settings() {
    return RemoteSettings.of(
            Protocol.FTPS_EXPLICIT, "127.0.0.1", server.port(), EmbeddedFtpServer.USER)
        .withPassword(EmbeddedFtpServer.PASSWORD)
        .withTruststore(truststore, STORE_PASSWORD);
  }

  @Override
  Path home() {
    return server.home();
  }

  @Override
  int activeSessions() {
    return server.activeSessions();
  }

  @Override
  int totalConnections() {
    return server.totalConnections();
  }

  @Override
  void dropDownloads(long bytes, int times) {
    server.dropDownloads(bytes, times);
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
