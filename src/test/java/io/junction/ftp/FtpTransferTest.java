package io.junction.ftp;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;

/** Plain FTP against embedded Apache FtpServer. */
class FtpTransferTest extends EmbeddedFtpContract {

  @Override
  void startServer(Path dir) throws Exception {
    server = EmbeddedFtpServer.plain(dir.resolve("ftp-home"));
  }

  @Override
  RemoteSettings settings() {
    return RemoteSettings.of(Protocol.FTP, "127.0.0.1", server.port(), EmbeddedFtpServer.USER)
        .withPassword(EmbeddedFtpServer.PASSWORD);
  }

  @Test
  void uploadWithoutWritePermissionFailsWithPermissionDenied() throws Exception {
    RemoteSettings reader =
        RemoteSettings.of(Protocol.FTP, "127.0.0.1", server.port(), EmbeddedFtpServer.READER)
            .withPassword(EmbeddedFtpServer.PASSWORD);
    Throwable cause =
        failure(
            Source.single(ByteString.fromString("x"))
                .runWith(Ftp.toPath(reader, "denied.txt", false), system));
    assertInstanceOf(RemoteException.PermissionDenied.class, cause, cause.toString());
    assertFalse(Files.exists(home().resolve("denied.txt")));
  }
}
