package io.junction.ftp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * {@link RemoteTransferContract} against the embedded Apache FtpServer, whatever its mode (plain,
 * explicit or implicit FTPS, active data connections): subclasses start {@link #server} and say how
 * to reach it; the server-side checks the contract asks for are the same for all of them.
 */
abstract class EmbeddedFtpContract extends RemoteTransferContract {
  EmbeddedFtpServer server;

  @Override
  void stopServer() {
    if (server != null) server.close();
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
    return Optional.of("MD5"); // Apache FtpServer lists MD5 in FEAT
  }

  @Test
  void aDownloadCorruptedInTransitFailsItsDigestAndIsRetriedFromByteZero() throws Exception {
    Path remote = TestFiles.random(home().resolve("corrupt-once.bin"), 2 * 1024 * 1024, 21);
    server.corruptDownloads(1);
    List<Long> offsets = new CopyOnWriteArrayList<>();
    ResumingDownload.Result result =
        await(
            ResumingDownload.toFile(
                settings(),
                "corrupt-once.bin",
                tmp.resolve("verified/corrupt-once.bin"),
                FAST_RETRY,
                new ResumingDownload.Progress() {
                  @Override
                  public void started(long size, long offset) {
                    offsets.add(offset);
                  }

                  @Override
                  public void add(long n) {}
                },
                system));
    assertEquals(2, result.attempts(), "the corrupted attempt had the right size: only MD5 saw it");
    assertEquals(List.of(0L, 0L), offsets, "a mismatch keeps none of the bytes received");
    assertEquals(Optional.of("MD5"), result.verifiedWith());
    assertEquals(TestFiles.sha256(remote), TestFiles.sha256(result.file()));
    assertTrue(server.commands().contains("MD5"), server.commands().toString());
  }

  @Test
  void aSafeUploadStoredDifferentlyFailsItsDigestAndLeavesNoFile() throws Exception {
    Path local = TestFiles.random(tmp.resolve("local/stored-wrong.bin"), 300_000, 23);
    byte[] bytes = Files.readAllBytes(local);
    server.corruptUploads(2);
    Throwable fromFile =
        failure(SafeUpload.fromFile(settings(), local, "stored-wrong.bin", false, n -> {}, system));
    Throwable fromStream =
        failure(
            org.apache.pekko.stream.javadsl.Source.single(
                    org.apache.pekko.util.ByteString.fromArray(bytes))
                .runWith(SafeUpload.toPath(settings(), "stored-wrong-2.bin"), system));
    for (Throwable cause : List.of(fromFile, fromStream)) {
      assertInstanceOf(RemoteException.TransferFailed.class, cause, cause.toString());
      assertTrue(
          cause.getMessage().contains("server's MD5 of the 300000 bytes sent differs"),
          cause.getMessage());
    }
    for (String name : List.of("stored-wrong.bin", "stored-wrong-2.bin")) {
      assertFalse(Files.exists(home().resolve(name)), name + " must not appear");
      assertFalse(Files.exists(home().resolve("." + name + ".part")), "its part is removed");
    }
    awaitSessions(0);
    // the same upload, stored right, is checked and lands
    await(SafeUpload.fromFile(settings(), local, "stored-wrong.bin", false, n -> {}, system));
    assertEquals(TestFiles.sha256(local), TestFiles.sha256(home().resolve("stored-wrong.bin")));
  }

  @Test
  void aDownloadThatNeverMatchesTheServersDigestFailsAndLeavesNoFile() throws Exception {
    TestFiles.random(home().resolve("corrupt-always.bin"), 512 * 1024, 22);
    server.corruptDownloads(FAST_RETRY.maxAttempts());
    Path target = tmp.resolve("verified/corrupt-always.bin");
    Throwable cause =
        failure(
            ResumingDownload.toFile(settings(), "corrupt-always.bin", target, FAST_RETRY, system));
    assertInstanceOf(RemoteException.TransferFailed.class, cause, cause.toString());
    String message = cause.getMessage();
    assertTrue(
        message.contains("do not match the server's MD5")
            && message.contains("127.0.0.1")
            && message.contains("corrupt-always.bin"),
        message);
    assertFalse(Files.exists(target));
    assertFalse(Files.exists(target.resolveSibling(".corrupt-always.bin.part")));
    awaitSessions(0);
  }
}
