package io.junction.ftp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.junction.node.HostName;
import io.junction.routing.Deliver;
import io.junction.testing.TestNode;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Destination {@code ftp:<name>} against an embedded Apache FtpServer on 127.0.0.1. */
class FtpDestinationTest {
  @TempDir Path tmp;
  EmbeddedFtpServer server;
  Path home;

  @BeforeEach
  void startServer() throws Exception {
    home = tmp.resolve("home");
    server = EmbeddedFtpServer.plain(home);
  }

  @AfterEach
  void stopServer() {
    server.close();
  }

  private TestNode node(String endpointBody, String password) throws Exception {
    return node(endpointBody, password, "");
  }

  private TestNode node(String endpointBody, String password, String more) throws Exception {
    Path pw = FtpNodeFixture.passwordFile(tmp.resolve("secrets"), password);
    return TestNode.start(
        "junction.endpoints.archive { kind = ftp, "
            + FtpNodeFixture.remote(server, pw)
            + ", retry { min-backoff = 100ms, max-backoff = 200ms }, "
            + endpointBody
            + " }\n"
            + more);
  }

  @Test
  @Timeout(120)
  void acknowledgesOnlyRecordsWhoseFileIsInPlaceAndFlushesTheOpenBatchAtShutdown()
      throws Exception {
    int total = 1030;
    Set<String> delivered = new HashSet<>();
    try (TestNode node =
        node(
            "directory = out, record-encoding = json-lines, max-pending-records = 2000,"
                + " batch { max-records = 100, max-wait = 1h }",
            EmbeddedFtpServer.PASSWORD)) {
      ActorRef<Deliver> archive = FtpNodeFixture.destination(node, "ftp:archive");
      TestProbe<Deliver.DeliveryResult> results = node.kit().createTestProbe();
      for (int i = 0; i < total; i++) {
        Map<String, Object> fields = new HashMap<>();
        fields.put("n", (long) i);
        var m = FtpNodeFixture.message("src", fields);
        archive.tell(new Deliver(m, results.ref()));
      }
      // Ten full files; the last 30 records wait for a batch that is never closed.
      for (int i = 0; i < 1000; i++) {
        var r = results.receiveMessage(Duration.ofSeconds(30));
        assertInstanceOf(Deliver.Delivered.class, r, r.toString());
        delivered.add(r.messageId());
      }
      results.expectNoMessage(Duration.ofMillis(300));
      assertEquals(10, FtpNodeFixture.files(home.resolve("out")).size());
      // Graceful stop mid-batch: the open batch is written as an 11th file, then acknowledged.
      node.shutdownGracefully();
      for (int i = 0; i < 30; i++) {
        var r = results.receiveMessage(Duration.ofSeconds(5));
        assertInstanceOf(Deliver.Delivered.class, r, r.toString());
        delivered.add(r.messageId());
      }
    }
    List<String> lines = FtpNodeFixture.lines(home.resolve("out"));
    assertEquals(total, lines.size());
    assertEquals(total, new HashSet<>(lines).size(), "no record twice");
    for (int i = 0; i < total; i++) assertTrue(lines.contains("{\"n\":" + i + "}"), "record " + i);
    assertEquals(11, FtpNodeFixture.files(home.resolve("out")).size());
    assertEquals(total, delivered.size());
  }

  @Test
  @Timeout(120)
  void anOpenBatchThatCannotBeWrittenInTimeAtShutdownIsNotAcknowledged() throws Exception {
    try (TestNode node =
        node(
            "directory = out, batch { max-records = 100, max-wait = 1h },"
                + " retry { max-attempts = 1000, min-backoff = 100ms, max-backoff = 200ms }",
            EmbeddedFtpServer.PASSWORD,
            "pekko.coordinated-shutdown.phases.service-requests-done.timeout = 2s")) {
      ActorRef<Deliver> archive = FtpNodeFixture.destination(node, "ftp:archive");
      TestProbe<Deliver.DeliveryResult> results = node.kit().createTestProbe();
      for (int i = 0; i < 5; i++)
        archive.tell(
            new Deliver(FtpNodeFixture.message("src", Map.of("n", (long) i)), results.ref()));
      results.expectNoMessage(Duration.ofMillis(300));
      server.close(); // the flush can only fail now, and keeps retrying past the phase timeout
      long start = System.nanoTime();
      node.shutdownGracefully();
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      assertTrue(took.compareTo(Duration.ofSeconds(20)) < 0, "shutdown took " + took);
      // The destination answers when it stops, in the last phase, whose wait for the actors to
      // stop is bounded by the phase timeout: on a loaded machine the shutdown may report done
      // before they have. The answers come by the time the system has terminated.
      node.system().getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
      for (int i = 0; i < 5; i++) {
        var failed =
            assertInstanceOf(
                Deliver.DeliveryFailed.class, results.receiveMessage(Duration.ofSeconds(5)));
        assertTrue(
            failed.reason().contains("stopped before the file was written"), failed.reason());
      }
    }
    assertTrue(
        Files.notExists(home.resolve("out"))
            || FtpNodeFixture.files(home.resolve("out")).isEmpty());
  }

  @Test
  @Timeout(60)
  void removesOnlyItsOwnTemporaryAtStartAndUploadsThroughIt() throws Exception {
    Path out = Files.createDirectories(home.resolve("out"));
    assertEquals("out/.archive@n1.part", FtpDestination.temporaryName("out", "archive", "n1"));
    assertEquals(".archive@a_b_c.part", FtpDestination.temporaryName("", "archive", "a/b c"));
    // What a kill -9 of this node mid-upload left, and uploads in progress by others that share
    // the directory: another node's destination, another endpoint, a `junction ftp put`.
    // this node: node-name n1 on this machine (NodeSettings.instanceName, the cluster being off)
    String self = FtpDestination.temporaryName("", "archive", "n1-" + HostName.local());
    Path mine = Files.writeString(out.resolve(self), "half a file");
    Map<Path, String> others = new HashMap<>();
    for (String name :
        List.of(
            ".archive@n1.part",
            ".archive@n2-" + HostName.local() + ".part",
            ".other@n1-" + HostName.local() + ".part",
            ".x.txt.part",
            "keep.txt")) others.put(out.resolve(name), "someone else's " + name);
    for (var e : others.entrySet()) Files.writeString(e.getKey(), e.getValue());
    try (TestNode node =
        node(
            "directory = out, file-name = \"{endpoint}-{seq}.txt\", batch { max-records = 1 }",
            EmbeddedFtpServer.PASSWORD,
            "junction.node-name = n1")) {
      ActorRef<Deliver> archive = FtpNodeFixture.destination(node, "ftp:archive");
      TestProbe<Deliver.DeliveryResult> results = node.kit().createTestProbe();
      // Gone before any upload started, so removed at start, not replaced by an upload.
      results.awaitAssert(
          Duration.ofSeconds(20),
          () -> {
            assertTrue(Files.notExists(mine), "orphan removed");
            return null;
          });
      for (int i = 0; i < 3; i++) {
        archive.tell(
            new Deliver(FtpNodeFixture.message("src", Map.of("n", (long) i)), results.ref()));
        assertInstanceOf(Deliver.Delivered.class, results.receiveMessage(TestNode.TIMEOUT));
      }
    }
    Set<Path> expected = new HashSet<>(others.keySet());
    for (int seq = 1; seq <= 3; seq++) expected.add(out.resolve("archive-%06d.txt".formatted(seq)));
    assertEquals(expected, new HashSet<>(FtpNodeFixture.files(out)), "no temporary of ours left");
    for (var e : others.entrySet())
      assertEquals(e.getValue(), Files.readString(e.getKey()), e.getKey() + " untouched");
  }

  @Test
  @Timeout(60)
  void removesItsTemporaryAtStartWhenTheServerComesUpAMomentAfterTheNode() throws Exception {
    Path out = Files.createDirectories(home.resolve("out"));
    String self = FtpDestination.temporaryName("", "archive", "n1-" + HostName.local());
    Path mine = Files.writeString(out.resolve(self), "half a file");
    int port = server.port();
    server.close(); // as the demo's FTP server, still starting when the node's endpoints are
    TestNode node;
    // Meanwhile a socket that closes each connection at once: the first removal attempt fails.
    try (ServerSocket standIn = new ServerSocket(port, 50, InetAddress.getByName("127.0.0.1"))) {
      standIn.setSoTimeout(20_000);
      node =
          node(
              "directory = out, retry.max-attempts = 20",
              EmbeddedFtpServer.PASSWORD,
              "junction.node-name = n1");
      standIn.accept().close();
    }
    server = EmbeddedFtpServer.plain(home, port); // up now, where the node looks
    try (node) {
      node.kit()
          .createTestProbe()
          .awaitAssert(
              Duration.ofSeconds(20),
              () -> {
                assertTrue(Files.notExists(mine), "orphan removed once the server was up");
                return null;
              });
    }
  }

  @Test
  void refusesFileNamesBuiltFromHostileFieldsWithAClearReason() throws Exception {
    try (TestNode node = node("file-name = \"{field.name}.bin\"", EmbeddedFtpServer.PASSWORD)) {
      ActorRef<Deliver> archive = FtpNodeFixture.destination(node, "ftp:archive");
      TestProbe<Deliver.DeliveryResult> results = node.kit().createTestProbe();
      for (String hostile : List.of("../escape", "a/b", ".hidden", "x\r\nDELE y", "c:\\win")) {
        archive.tell(
            new Deliver(FtpNodeFixture.message("src", Map.of("name", hostile)), results.ref()));
        var r = results.receiveMessage(TestNode.TIMEOUT);
        var failed = assertInstanceOf(Deliver.DeliveryFailed.class, r, hostile);
        assertTrue(failed.reason().contains("{field.name}"), failed.reason());
      }
      archive.tell(new Deliver(FtpNodeFixture.message("src", Map.of()), results.ref()));
      var missing = assertInstanceOf(Deliver.DeliveryFailed.class, results.receiveMessage());
      assertTrue(missing.reason().contains("missing"), missing.reason());
      archive.tell(new Deliver(FtpNodeFixture.message("src", Map.of("name", "ok")), results.ref()));
      assertInstanceOf(Deliver.Delivered.class, results.receiveMessage(TestNode.TIMEOUT));
    }
    assertEquals(List.of(home.resolve("ok.bin")), FtpNodeFixture.files(home));
    assertTrue(Files.notExists(tmp.resolve("escape.bin")));
  }

  @Test
  void wrongPasswordFailsEveryMessageAtOnceWithoutRetrying() throws Exception {
    try (TestNode node = node("batch { max-records = 3 }", "not-the-password")) {
      ActorRef<Deliver> archive = FtpNodeFixture.destination(node, "ftp:archive");
      TestProbe<Deliver.DeliveryResult> results = node.kit().createTestProbe();
      int before = server.totalConnections();
      for (int i = 0; i < 3; i++)
        archive.tell(
            new Deliver(FtpNodeFixture.message("src", Map.of("n", (long) i)), results.ref()));
      for (int i = 0; i < 3; i++) {
        var failed =
            assertInstanceOf(
                Deliver.DeliveryFailed.class, results.receiveMessage(TestNode.TIMEOUT));
        assertTrue(failed.reason().contains("login refused for user 'alice'"), failed.reason());
      }
      results.expectNoMessage(Duration.ofMillis(500));
      // One upload attempt and SafeUpload's clean-up of the part file, perhaps the start-up
      // removal of the destination's temporary (if it ran after `before`); no retries.
      int connections = server.totalConnections() - before;
      assertTrue(connections <= 3, connections + " connections");
      assertEquals("failing", node.status("archive").state());
    }
  }

  @Test
  void refusesMessagesAsBusyBeyondThePendingBound() throws Exception {
    try (TestNode node =
        node(
            "max-pending-records = 2, batch { max-records = 2, max-wait = 1h }",
            EmbeddedFtpServer.PASSWORD)) {
      ActorRef<Deliver> archive = FtpNodeFixture.destination(node, "ftp:archive");
      TestProbe<Deliver.DeliveryResult> results = node.kit().createTestProbe();
      // Two fill the first file (uploading), one opens the next, the fourth... the bound is 2
      // waiting, so sending 5 at once leaves at least one refused as busy.
      for (int i = 0; i < 5; i++)
        archive.tell(
            new Deliver(FtpNodeFixture.message("src", Map.of("n", (long) i)), results.ref()));
      var busy =
          assertInstanceOf(Deliver.DeliveryFailed.class, results.receiveMessage(TestNode.TIMEOUT));
      assertTrue(busy.reason().startsWith("busy"), busy.reason());
    }
  }
}
