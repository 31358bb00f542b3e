package io.junction.ftp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.junction.testing.TestNode;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The polled source of an {@code ftp} endpoint, across node restarts. */
class FtpPollerTest {
  @TempDir Path tmp;
  EmbeddedFtpServer server;
  Path home;
  Path pw;

  @BeforeEach
  void startServer() throws Exception {
    home = tmp.resolve("home");
    server = EmbeddedFtpServer.plain(home);
    pw = FtpNodeFixture.passwordFile(tmp.resolve("secrets"), EmbeddedFtpServer.PASSWORD);
  }

  @AfterEach
  void stopServer() {
    server.close();
  }

  private String config(String pollBody, String extra) {
    String remote = FtpNodeFixture.remote(server, pw);
    return """
        junction {
          data-dir = "%s"
          structs.Person.fields = [
            { name = name, type = "char[128]" }
            { name = age, type = int32 }
          ]
          endpoints {
            drop { kind = ftp, %s, codec = "struct:Person", poll { interval = 200ms, directory = in, %s } }
            out { kind = ftp, %s, directory = out, record-encoding = json-lines, file-name = "{id}.jsonl" }
          }
          routes.archive { from = drop, to = ["ftp:out"] }
          %s
        }
        """
        .formatted(
            tmp.resolve("data").toString().replace("\\", "/"), remote, pollBody, remote, extra);
  }

  private static byte[] people(String prefix, int n) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < n; i++) {
      ByteBuffer b = ByteBuffer.allocate(132).order(ByteOrder.LITTLE_ENDIAN);
      b.put((prefix + i).getBytes(StandardCharsets.UTF_8));
      out.writeBytes(b.putInt(128, 20 + i).array());
    }
    return out.toByteArray();
  }

  private void drop(String name, byte[] content) throws Exception {
    Files.createDirectories(home.resolve("in"));
    Files.write(home.resolve("in").resolve(name), content);
  }

  private List<String> archived() {
    if (!Files.exists(home.resolve("out"))) return List.of();
    try {
      return FtpNodeFixture.lines(home.resolve("out"));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void splitsStructFilesIntoMessagesAndAcrossARestartTakesNothingTwiceAndSkipsNothing()
      throws Exception {
    drop("a.bin", people("a", 3));
    drop("b.bin", people("b", 2));
    drop(".c.bin.part", people("c", 1)); // an upload in progress: never taken
    String hocon = config("split = records", "");
    try (TestNode node = TestNode.start(hocon)) {
      node.await(
          () -> {
            assertEquals(5, archived().size());
            assertTrue(Files.exists(home.resolve("in/processed/b.bin")));
            return null;
          });
    }
    // While the node is down: a new file, and one the node had marked taken but not yet moved
    // (a crash between the mark and the move): it must be moved, not routed again.
    drop("d.bin", people("d", 2));
    drop("e.bin", people("e", 4));
    markTaken("in", "e.bin");
    try (TestNode node = TestNode.start(hocon)) {
      node.await(
          () -> {
            assertTrue(Files.exists(home.resolve("in/processed/e.bin")));
            assertTrue(Files.exists(home.resolve("in/processed/d.bin")));
            assertEquals(7, archived().size());
            return null;
          });
    }
    List<String> lines = archived();
    assertEquals(lines.size(), new HashSet<>(lines).size(), "nothing twice: " + lines);
    List<String> names = new ArrayList<>();
    for (String l : lines) names.add(l.replaceAll(".*\"name\":\"([^\"]+)\".*", "$1"));
    for (String n : List.of("a0", "a1", "a2", "b0", "b1", "d0", "d1"))
      assertTrue(names.contains(n), n + " in " + names);
    assertTrue(Files.exists(home.resolve("in/.c.bin.part")));
  }

  /** Writes the poll state file as the node does after routing {@code dir/name}. */
  private void markTaken(String dir, String name) throws Exception {
    try (var system = new AutoCloseableSystem()) {
      RemoteSettings remote =
          RemoteSettings.of(Protocol.FTP, "127.0.0.1", server.port(), EmbeddedFtpServer.USER)
              .withPassword(EmbeddedFtpServer.PASSWORD);
      List<RemoteFile> files =
          Ftp.ls(remote, dir).runWith(Sink.seq(), system.system).toCompletableFuture().get();
      RemoteFile f = files.stream().filter(x -> x.name().equals(name)).findFirst().orElseThrow();
      Path state = tmp.resolve("data/ftp-poll/drop");
      List<String> lines = new ArrayList<>(LocalStateFile.read(state));
      lines.add(PolledFile.key(f));
      LocalStateFile.write(state, lines);
    }
  }

  @Test
  void routesAWholeFileAsOneMessageAndDeletesIt() throws Exception {
    drop("report.json", "{\"ok\":true}".getBytes(StandardCharsets.UTF_8));
    String hocon =
        config("after = delete", "")
            .replace(
                "record-encoding = json-lines, file-name = \"{id}.jsonl\"",
                "file-name = \"{header.file}\"");
    try (TestNode node = TestNode.start(hocon)) {
      node.await(
          () -> {
            assertTrue(Files.exists(home.resolve("out/report.json")));
            assertTrue(Files.notExists(home.resolve("in/report.json")));
            return null;
          });
      assertEquals("{\"ok\":true}", Files.readString(home.resolve("out/report.json")));
      // Counted once the delete is confirmed, which may be just after the file is gone.
      node.await(
          () -> {
            assertEquals(1.0, node.status("drop").counters().get("files-taken"));
            return null;
          });
    }
  }

  @Test
  void aFileWhoseMessagesADestinationRefusesIsNotTakenAndStaysForTheNextPoll() throws Exception {
    drop("people.bin", people("p", 3));
    // `out` refuses every message: json-lines needs decoded fields, and a whole file has none.
    String hocon = config("after = delete", "");
    try (TestNode node = TestNode.start(hocon)) {
      var status =
          node.await(
              () -> {
                var s = node.status("drop");
                assertTrue(s.counters().get("poll-failures") >= 2, s.toString());
                return s;
              });
      assertEquals("failing", status.state());
      assertTrue(status.detail().contains("ftp:out refused"), status.detail());
      assertEquals(0.0, status.counters().get("files-taken"));
      assertTrue(Files.exists(home.resolve("in/people.bin")), "the file stays for the next poll");
      assertTrue(
          Files.notExists(home.resolve("out"))
              || FtpNodeFixture.files(home.resolve("out")).isEmpty());
    }
  }

  /** A throwaway classic actor system for direct stream calls in a test. */
  private static final class AutoCloseableSystem implements AutoCloseable {
    final org.apache.pekko.actor.ActorSystem system =
        org.apache.pekko.actor.ActorSystem.create("poll-test");

    @Override
    public void close() throws Exception {
      system.terminate();
      system
          .getWhenTerminated()
          .toCompletableFuture()
          .get(10, java.util.concurrent.TimeUnit.SECONDS);
    }
  }
}
