package io.junction.ftp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.Test;

/** SFTP against embedded Apache MINA SSHD, host key checked against a known_hosts file. */
class SftpTransferTest extends RemoteTransferContract {
  private EmbeddedSftpServer server;
  private Path knownHosts;

  @Override
  void startServer(Path dir) throws Exception {
    server = new EmbeddedSftpServer(dir.resolve("sftp-home"));
    knownHosts = server.writeKnownHosts(dir.resolve("known_hosts"));
  }

  @Override
  void stopServer() throws Exception {
    if (server != null) server.close();
  }

  private RemoteSettings base() {
    return RemoteSettings.of(Protocol.SFTP, "127.0.0.1", server.port(), EmbeddedSftpServer.USER);
  }

  @Override
  RemoteSettings settings() {
    return base().withPassword(EmbeddedSftpServer.PASSWORD).withKnownHosts(knownHosts);
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

  @Override
  Optional<String> serverDigest() {
    return Optional.empty(); // SFTP has no file digest command: downloads are checked by size
  }

  @Test
  void unknownHostKeyIsRefused() throws Exception {
    Path empty = Files.writeString(tmp.resolve("empty_known_hosts"), "");
    RemoteSettings unknown = base().withPassword(EmbeddedSftpServer.PASSWORD).withKnownHosts(empty);
    Throwable cause = failure(Ftp.ls(unknown, "/").runWith(Sink.seq(), system));
    assertInstanceOf(RemoteException.HostNotTrusted.class, cause, cause.toString());

    RemoteSettings wrongPrint =
        base()
            .withPassword(EmbeddedSftpServer.PASSWORD)
            .withHostKeyFingerprint("SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    cause = failure(Ftp.ls(wrongPrint, "/").runWith(Sink.seq(), system));
    assertInstanceOf(RemoteException.HostNotTrusted.class, cause, cause.toString());
  }

  @Test
  void configuredFingerprintAndPublicKeyAuthenticationConnect() throws Exception {
    Files.writeString(home().resolve("key.txt"), "keyed");
    Path key = EmbeddedSftpServer.writeClientKey(tmp.resolve("id_test"));
    RemoteSettings keyed =
        base()
            .withPrivateKey(key, null)
            .withHostKeyFingerprint(EmbeddedSftpServer.hostKeyFingerprint());
    assertEquals(5L, await(Ftp.size(keyed, "key.txt", system)));
  }
}
