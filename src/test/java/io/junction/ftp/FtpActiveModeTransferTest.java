package io.junction.ftp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;

/**
 * Plain FTP in active mode (the server connects back to the client's data port: PORT over IPv4,
 * EPRT over IPv6) against embedded Apache FtpServer on loopback: the whole contract over PORT.
 */
class FtpActiveModeTransferTest extends EmbeddedFtpContract {

  @Override
  void startServer(Path dir) throws Exception {
    server = EmbeddedFtpServer.plain(dir.resolve("active-home"));
  }

  @Override
  RemoteSettings settings() {
    return RemoteSettings.of(Protocol.FTP, "127.0.0.1", server.port(), EmbeddedFtpServer.USER)
        .withPassword(EmbeddedFtpServer.PASSWORD)
        .withPassive(false);
  }

  @Test
  void dataConnectionsAreOpenedByTheServerWithPort() throws Exception {
    await(
        Source.single(ByteString.fromString("abc"))
            .runWith(Ftp.toPath(settings(), "p.txt", false), system));
    await(Ftp.fromPath(settings(), "p.txt").runWith(Sink.seq(), system));
    assertTrue(server.commands().contains("PORT"), server.commands().toString());
    assertFalse(server.commands().contains("PASV"), server.commands().toString());
    assertFalse(server.commands().contains("EPSV"), server.commands().toString());
  }

  @Test
  void activeModeOverIpv6UsesEprt() throws Exception {
    try (EmbeddedFtpServer v6 = EmbeddedFtpServer.plain(tmp.resolve("v6-home"), "::1")) {
      RemoteSettings s =
          RemoteSettings.of(Protocol.FTP, "::1", v6.port(), EmbeddedFtpServer.USER)
              .withPassword(EmbeddedFtpServer.PASSWORD)
              .withPassive(false);
      byte[] content = Files.readAllBytes(TestFiles.random(tmp.resolve("v6.src"), 300_000, 6));
      await(
          Source.single(ByteString.fromArray(content))
              .runWith(SafeUpload.toPath(s, "v6.bin"), system));
      List<ByteString> back = await(Ftp.fromPath(s, "v6.bin").runWith(Sink.seq(), system));
      assertArrayEquals(
          content,
          back.stream().reduce(ByteString.emptyByteString(), ByteString::concat).toArray());
      assertArrayEquals(content, Files.readAllBytes(v6.home().resolve("v6.bin")));
      assertTrue(v6.commands().contains("EPRT"), v6.commands().toString());
      assertFalse(v6.commands().contains("PORT"), v6.commands().toString());
    }
  }
}
