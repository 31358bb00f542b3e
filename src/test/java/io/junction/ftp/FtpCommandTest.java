package io.junction.ftp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.junction.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code junction ftp put|get|ls} against embedded FTP and SFTP servers. */
class FtpCommandTest {
  @TempDir Path tmp;

  private record Run(int exit, String out, String err) {}

  private static Run junction(String... args) {
    CommandLine cl = Main.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int exit = cl.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  private void roundTrip(String base, String... auth) throws Exception {
    Path local = TestFiles.random(tmp.resolve("up/data.bin"), 3 * 1024 * 1024 + 17, 7);
    Run put = junction(concat(new String[] {"ftp", "put", local.toString(), base + "/in/"}, auth));
    assertEquals(0, put.exit(), put.err());
    assertTrue(put.out().startsWith("put data.bin: 3145745 bytes"), put.out());

    Run ls = junction(concat(new String[] {"ftp", "ls", base + "/in"}, auth));
    assertEquals(0, ls.exit(), ls.err());
    assertTrue(ls.out().matches("(?s)-\\s+3145745 .* data\\.bin\\R"), ls.out());

    Path down = Files.createDirectories(tmp.resolve("down"));
    Run get =
        junction(concat(new String[] {"ftp", "get", base + "/in/data.bin", down.toString()}, auth));
    assertEquals(0, get.exit(), get.err());
    assertEquals(TestFiles.sha256(local), TestFiles.sha256(down.resolve("data.bin")));
    try (var left = Files.list(down)) {
      assertEquals(1, left.count(), "no .part file left");
    }
  }

  @Test
  void putsListsAndGetsAFileOverFtp() throws Exception {
    try (EmbeddedFtpServer server = EmbeddedFtpServer.plain(tmp.resolve("ftp"))) {
      Path pw = FtpNodeFixture.passwordFile(tmp, EmbeddedFtpServer.PASSWORD);
      roundTrip("ftp://alice@127.0.0.1:" + server.port(), "--password-file", pw.toString());
    }
  }

  @Test
  void putsListsAndGetsAFileOverSftpCheckingTheHostKey() throws Exception {
    EmbeddedSftpServer server = new EmbeddedSftpServer(tmp.resolve("sftp"));
    try {
      Path pw = FtpNodeFixture.passwordFile(tmp, EmbeddedSftpServer.PASSWORD);
      roundTrip(
          "sftp://alice@127.0.0.1:" + server.port(),
          "--password-file",
          pw.toString(),
          "--host-key-fingerprint",
          EmbeddedSftpServer.hostKeyFingerprint());
    } finally {
      server.close();
    }
  }

  @Test
  void wrongPasswordIsOneClearLineAndExitCodeOne() throws Exception {
    try (EmbeddedFtpServer server = EmbeddedFtpServer.plain(tmp.resolve("ftp"))) {
      Path pw = FtpNodeFixture.passwordFile(tmp, "wrong");
      Run ls =
          junction(
              "ftp",
              "ls",
              "ftp://alice@127.0.0.1:" + server.port() + "/",
              "--password-file",
              pw.toString());
      assertEquals(1, ls.exit());
      assertTrue(ls.err().startsWith("junction ftp: login refused for user 'alice'"), ls.err());
    }
  }

  private static String[] concat(String[] a, String[] b) {
    String[] r = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }
}
