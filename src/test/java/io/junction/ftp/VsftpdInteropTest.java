package io.junction.ftp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.stream.javadsl.FileIO;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Interop with Debian's vsftpd on 127.0.0.1, started by {@code .ci/vsftpd.sh} (which {@code
 * .ci/run} calls): anonymous login, writable {@code pub/}. Without a running vsftpd this test
 * fails; it does not skip.
 */
@Tag("interop")
class VsftpdInteropTest {
  static final Path DIR =
      Path.of(System.getenv().getOrDefault("JUNCTION_VSFTPD_DIR", "/tmp/junction-vsftpd"));
  static ActorSystem system;
  static RemoteSettings vsftpd;
  @TempDir Path tmp;

  @BeforeAll
  static void connect() throws Exception {
    Path portFile = DIR.resolve("port");
    if (!Files.isRegularFile(portFile))
      fail(
          "vsftpd is not running: no "
              + portFile
              + ". Start it as root with .ci/vsftpd.sh (.ci/run does).");
    int port = Integer.parseInt(Files.readString(portFile).trim());
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
    } catch (java.io.IOException e) {
      fail(
          "vsftpd is not running on 127.0.0.1:"
              + port
              + " ("
              + e.getMessage()
              + "). Start it as root with .ci/vsftpd.sh.");
    }
    vsftpd =
        RemoteSettings.of(Protocol.FTP, "127.0.0.1", port, "anonymous").withPassword("junction@");
    system = ActorSystem.create("vsftpd-interop");
  }

  @AfterAll
  static void stop() throws Exception {
    if (system != null) system.terminate();
    if (system != null) system.getWhenTerminated().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static <T> T await(java.util.concurrent.CompletionStage<T> s) throws Exception {
    return s.toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  @Test
  void safeUploadListSizeDownloadMoveAndRemoveWorkAgainstVsftpd() throws Exception {
    String dir = "pub/" + UUID.randomUUID();
    Path local = TestFiles.random(tmp.resolve("a.bin"), 5 * 1024 * 1024 + 3, 11);
    await(Ftp.mkdirs(vsftpd, dir + "/sub", system));
    await(FileIO.fromPath(local).runWith(SafeUpload.toPath(vsftpd, dir + "/a.bin"), system));

    long size = Files.size(local);
    List<RemoteFile> listed = await(Ftp.ls(vsftpd, dir, true).runWith(Sink.seq(), system));
    assertTrue(
        listed.stream().anyMatch(f -> f.name().equals("a.bin") && f.size() == size),
        listed.toString());
    assertFalse(listed.stream().anyMatch(f -> f.name().endsWith(".part")), listed.toString());
    assertEquals(Files.size(local), await(Ftp.size(vsftpd, dir + "/a.bin", system)));

    String sha =
        await(Ftp.fromPath(vsftpd, dir + "/a.bin").runWith(TestFiles.sha256Sink(), system));
    assertEquals(TestFiles.sha256(local), sha);
    var resumed =
        await(
            ResumingDownload.toFile(
                vsftpd, dir + "/a.bin", tmp.resolve("b.bin"), RetryPolicy.defaults(), system));
    assertEquals(TestFiles.sha256(local), TestFiles.sha256(resumed.file()));
    assertEquals(
        java.util.Optional.empty(), resumed.verifiedWith(), "vsftpd offers no digest: size only");

    await(Ftp.move(vsftpd, dir + "/a.bin", dir + "/sub/a.bin", system));
    assertEquals(Files.size(local), await(Ftp.size(vsftpd, dir + "/sub/a.bin", system)));
    await(Ftp.remove(vsftpd, dir + "/sub/a.bin", system));
    assertTrue(await(Ftp.ls(vsftpd, dir + "/sub").runWith(Sink.seq(), system)).isEmpty());
  }

  @Test
  void aMissingFileIsNotFoundNotARetryableFailure() throws Exception {
    try {
      await(Ftp.size(vsftpd, "pub/no-such-file", system));
      fail("expected NotFound");
    } catch (java.util.concurrent.ExecutionException e) {
      assertTrue(
          e.getCause() instanceof RemoteException r && !r.isRetryable(), e.getCause().toString());
    }
  }
}
