package io.junction.ftp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.junction.testing.Commands;
import io.junction.testing.FreePorts;
import io.junction.testing.TestNode;
import io.junction.testing.WireClient;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.commons.net.ftp.FTPClient;
import org.apache.commons.net.ftp.FTPFile;
import org.apache.commons.net.ftp.FTPReply;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 4's "done means" for Qt: a Qt 5 program's {@code QNetworkAccessManager} downloads, over
 * {@code ftp://}, the JSON-lines files the demo route (people-echo → ftp:archive) wrote on the demo
 * FTP server, and every Person sent to the people endpoint is in them exactly once. The Qt program
 * (src/test/resources/qt/ftp_get.cpp) is compiled with g++ against Debian's qtbase5-dev; without it
 * the test fails, naming the package.
 */
@Tag("interop")
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class QtFtpDownloadTest {

  static final Path GXX = Path.of("/usr/bin/g++");
  static final Path PKG_CONFIG = Path.of("/usr/bin/pkg-config");

  /** More than two batches of the demo's 100 records, so the route writes three files. */
  static final int PEOPLE = 250;

  @TempDir static Path dir;
  static Path program;

  @BeforeAll
  static void compileTheQtProgram() throws Exception {
    if (!Files.isExecutable(GXX) || !Files.isExecutable(PKG_CONFIG))
      fail("g++ and pkg-config are required (apt-get install g++ pkg-config qtbase5-dev)");
    if (exitCode(List.of(PKG_CONFIG.toString(), "--exists", "Qt5Network")) != 0)
      fail(
          "Qt 5 development files are required: pkg-config finds no Qt5Network"
              + " (apt-get install qtbase5-dev)");
    String flags = run(List.of(PKG_CONFIG.toString(), "--cflags", "--libs", "Qt5Network")).strip();
    Path source = Files.writeString(dir.resolve("ftp_get.cpp"), resource("ftp_get.cpp"));
    program = dir.resolve("ftp_get");
    List<String> command =
        new ArrayList<>(
            List.of(
                GXX.toString(),
                "-std=c++17",
                "-Wall",
                "-Werror",
                // Debian's Qt is built with -reduce-relocations, which requires PIC code.
                "-fPIC",
                "-o",
                program.toString(),
                source.toString()));
    command.addAll(List.of(flags.split("\\s+")));
    run(command);
  }

  @Test
  void qtNetworkAccessManagerDownloadsEveryArchivedPersonExactlyOnce() throws Exception {
    int ftpPort = FreePorts.freePort();
    try (TestNode node = TestNode.start(FtpNodeFixture.demoConfig(ftpPort))) {
      Path archive =
          Path.of(node.system().settings().config().getString("junction.demo-ftp.home"), "archive");

      Map<String, Integer> sent = new TreeMap<>();
      ByteBuffer all = ByteBuffer.allocate(PEOPLE * 132).order(ByteOrder.LITTLE_ENDIAN);
      for (int i = 0; i < PEOPLE; i++) {
        String name = String.format("person-%03d", i);
        sent.put(name, 1000 + i);
        int at = all.position();
        all.put(name.getBytes(StandardCharsets.UTF_8)).putInt(at + 128, 1000 + i);
        all.position(at + 132);
      }
      try (WireClient c = new WireClient(node.port("people"))) {
        c.write(all.array());
        assertArrayEquals(all.array(), c.readExactly(all.capacity())); // all echoed
      }

      // Wait until the route has renamed into place files holding every record (the last one
      // after max-wait), so the listing below is final.
      node.await(
          () -> {
            try {
              int lines = FtpNodeFixture.lines(archive).size();
              if (lines < PEOPLE) throw new AssertionError(lines + " of " + PEOPLE + " archived");
              return lines;
            } catch (IOException e) {
              throw new AssertionError(e);
            }
          });

      List<String> names = listArchive(ftpPort);
      assertTrue(names.size() >= 3, "expected at least 3 batch files, listed " + names);

      Path downloads = Files.createDirectories(dir.resolve("downloads"));
      List<String> command =
          new ArrayList<>(
              List.of(
                  program.toString(),
                  "ftp://demo:demo@127.0.0.1:" + ftpPort + "/archive/",
                  downloads.toString()));
      command.addAll(names);
      String report = run(command);
      assertEquals(names.size(), report.lines().count(), report);

      ObjectMapper json = new ObjectMapper();
      Map<String, Integer> received = new HashMap<>();
      for (String name : names) {
        byte[] viaQt = Files.readAllBytes(downloads.resolve(name));
        assertArrayEquals(Files.readAllBytes(archive.resolve(name)), viaQt, name);
        String text = new String(viaQt, StandardCharsets.UTF_8);
        assertTrue(text.endsWith("\n"), name + " does not end with a newline");
        // Each record is one line ending in "\n"; the split's last element is the empty rest.
        String[] lines = text.split("\n", -1);
        for (String line : List.of(lines).subList(0, lines.length - 1)) {
          JsonNode person = json.readTree(line);
          assertEquals(2, person.size(), name + ": " + line);
          String who = person.get("name").asText();
          if (received.put(who, person.get("age").asInt()) != null)
            fail(who + " was archived more than once");
        }
      }
      assertEquals(sent, new TreeMap<>(received));
    }
  }

  /**
   * The final archive files, as an FTP client lists them: the dot-prefixed names are the route's
   * temporaries, never meant to be read.
   */
  static List<String> listArchive(int port) throws IOException {
    FTPClient ftp = new FTPClient();
    ftp.setConnectTimeout(10_000);
    ftp.setDefaultTimeout(10_000);
    ftp.connect("127.0.0.1", port);
    try {
      ftp.setSoTimeout(10_000);
      if (!ftp.login("demo", "demo")) fail("demo login refused: " + ftp.getReplyString());
      ftp.enterLocalPassiveMode();
      FTPFile[] files = ftp.listFiles("archive");
      if (!FTPReply.isPositiveCompletion(ftp.getReplyCode()))
        fail("LIST archive failed: " + ftp.getReplyString());
      List<String> names = new ArrayList<>();
      for (FTPFile f : files)
        if (f.isFile() && !f.getName().startsWith(".")) names.add(f.getName());
      names.sort(null);
      ftp.logout();
      return names;
    } finally {
      ftp.disconnect();
    }
  }

  static String resource(String name) throws IOException {
    try (InputStream in = QtFtpDownloadTest.class.getResourceAsStream("/qt/" + name)) {
      if (in == null) throw new IOException("missing test resource /qt/" + name);
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  static int exitCode(List<String> command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    p.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      fail("timed out: " + command);
    }
    return p.exitValue();
  }

  /** Runs a command to completion (bounded, headless), failing with its output when it fails. */
  static String run(List<String> command) throws Exception {
    return Commands.run(
        dir,
        command,
        Duration.ofSeconds(90),
        StandardCharsets.UTF_8,
        environment -> {
          // QCoreApplication needs no display; should any plugin still ask for one, it gets none.
          environment.put("QT_QPA_PLATFORM", "offscreen");
          environment.remove("DISPLAY");
        });
  }
}
