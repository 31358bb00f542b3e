package io.junction.ftp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.junction.node.HostName;
import io.junction.testing.ChildNode;
import io.junction.testing.PublishTraffic;
import io.junction.testing.QueueClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of a node (child JVM) while its {@code ftp} destination uploads batches taken from a
 * durable queue to an embedded FtpServer in this JVM. The upload is caught in the act: the node is
 * killed as soon as its temporary ({@code .archive@crash-node-<host>.part}) appears. After the
 * restart no temporary is left: the destination removes its own at start, or its next upload
 * replaces it.
 */
@Tag("resilience")
class FtpUploadCrashTest {
  private static final int PUBLISHERS = 2;
  private static final int RECORDS_PER_FILE = 8;
  private static final int FILLER = 32 * 1024; // 256 KiB files: uploads last long enough to catch
  // The queue route's prefetch window: at most this many messages can be in a renamed file whose
  // acknowledgement the kill prevented, so at most this many are uploaded again after the restart.
  private static final int PREFETCH = 32;
  private static final String TEMPORARY =
      FtpDestination.temporaryName("", "archive", "crash-node-" + HostName.local());

  @TempDir Path tmp;
  EmbeddedFtpServer server;
  Path out;

  @BeforeEach
  void startServer() throws Exception {
    server = EmbeddedFtpServer.plain(tmp.resolve("home"));
    out = tmp.resolve("home").resolve("out");
  }

  @AfterEach
  void stopServer() {
    server.close();
  }

  private String config() throws Exception {
    Path pw = FtpNodeFixture.passwordFile(tmp.resolve("secrets"), EmbeddedFtpServer.PASSWORD);
    return """
        junction {
          data-dir = "%s"
          node-name = crash-node
          http.port = 0
          queues.out { ack-timeout = 5m, max-deliveries = 100 }
          endpoints.archive {
            kind = ftp, %s
            directory = out, file-name = "{endpoint}-{seq}.txt", record-encoding = raw
            batch { max-records = %d, max-wait = 200ms }
            retry { min-backoff = 100ms, max-backoff = 500ms }
          }
          routes.ship { from = "queue:out", to = "ftp:archive" }
        }
        """
        .formatted(
            tmp.resolve("data").toString().replace("\\", "/"),
            FtpNodeFixture.remote(server, pw),
            RECORDS_PER_FILE);
  }

  /** A record that shows truncation anywhere: its id, then filler derived from the id, then LF. */
  static String record(String id) {
    char c = (char) ('a' + Math.floorMod(id.hashCode(), 26));
    return id + ":" + String.valueOf(c).repeat(FILLER) + "\n";
  }

  @Test
  @Timeout(value = 8, unit = TimeUnit.MINUTES)
  void killMidUploadLeavesNoPartialFileAndLosesNoAcknowledgedMessage() throws Exception {
    String config = config();
    List<String> report = new ArrayList<>();
    ChildNode node = ChildNode.start(tmp, config);
    try {
      for (int round = 0; round < 3; round++) {
        QueueClient queues = new QueueClient(node.port("http", 120));
        String prefix = "k" + round;
        PublishTraffic traffic =
            new PublishTraffic(
                queues, "out", prefix, PUBLISHERS, 5_000, FtpUploadCrashTest::record);
        traffic.start();
        int filesBefore = finals().size();
        assertEquals(List.of(), parts(), "no temporary left by an earlier round");
        // wait for the node to be in the middle of an upload (a bounded, fast poll of the
        // server's directory: the part file lives for tens of milliseconds)
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!(finals().size() >= filesBefore + 2 && !parts().isEmpty())) {
          assertTrue(System.nanoTime() < deadline, "no upload caught in 120 s");
          if (!node.process().isAlive())
            throw new AssertionError("node exited: " + String.join("\n", node.output()));
          node.process().waitFor(1, TimeUnit.MILLISECONDS);
        }
        node.kill();
        traffic.stopAndJoin();
        Map<String, String> atKill = contents(finals());
        Set<String> partsAtKill = new TreeSet<>(parts());
        // the killed upload's temporary, unless its rename got in just before the kill
        assertTrue(
            Set.of(TEMPORARY).containsAll(partsAtKill), "one upload at a time: " + partsAtKill);

        node = ChildNode.start(tmp, config);
        QueueClient after = new QueueClient(node.port("http", 120));
        node.await(
            120,
            () -> {
              var s = after.stats("out");
              assertEquals(0, s.get("depth").asInt() + s.get("in_flight").asInt(), s.toString());
            });
        assertEquals(0, after.stats("out").get("dead_letters").asInt(), "nothing dead-lettered");
        Map<String, String> now = contents(finals());
        for (var e : atKill.entrySet())
          assertEquals(e.getValue(), now.get(e.getKey()), e.getKey() + " never replaced");
        int uploadedTwice = account(traffic, prefix, atKill, now);
        // the restarted node removed the killed upload's temporary (or reused and renamed it)
        node.await(30, () -> assertEquals(List.of(), parts(), "temporaries after the restart"));
        report.add(
            "round %d: %d acked, %d sent unacked, upload caught at the kill %s, %d records uploaded twice"
                .formatted(
                    round,
                    traffic.acked.size(),
                    traffic.sent.size() - traffic.acked.size(),
                    partsAtKill,
                    uploadedTwice));
      }
    } finally {
      node.close();
      report.forEach(System.out::println);
    }
  }

  /**
   * Every final file is whole records only; every acknowledged publish of the round is in a final
   * file; a record in two files was in a file renamed before the kill and is uploaded once more
   * after it (its acknowledgement died with the node); at most the prefetch window of them.
   */
  private static int account(
      PublishTraffic traffic, String prefix, Map<String, String> atKill, Map<String, String> now) {
    Map<String, Integer> before = new HashMap<>();
    Map<String, Integer> after = new HashMap<>();
    for (var file : now.entrySet()) {
      String text = file.getValue();
      assertTrue(text.endsWith("\n"), file.getKey() + " ends with a whole record");
      String[] lines = text.split("\n");
      assertTrue(lines.length <= RECORDS_PER_FILE, file.getKey() + ": " + lines.length);
      for (String line : lines) {
        String id = line.substring(0, Math.max(0, line.indexOf(':')));
        assertEquals(record(id), line + "\n", file.getKey() + " holds a broken record");
        if (!id.startsWith(prefix + "-")) continue; // an earlier round's
        assertTrue(traffic.sent.contains(id), "uploaded but never sent: " + id);
        (atKill.containsKey(file.getKey()) ? before : after).merge(id, 1, Integer::sum);
      }
    }
    for (String id : traffic.acked)
      assertTrue(before.containsKey(id) || after.containsKey(id), "acknowledged but lost: " + id);
    int twice = 0;
    for (String id : traffic.sent) {
      int b = before.getOrDefault(id, 0);
      int a = after.getOrDefault(id, 0);
      assertTrue(b <= 1 && a <= 1, id + ": " + b + " copies before the kill, " + a + " after");
      if (a + b == 2) twice++;
    }
    assertTrue(twice <= PREFETCH, twice + " records uploaded twice");
    return twice;
  }

  private List<Path> finals() throws Exception {
    return list().stream().filter(p -> !p.getFileName().toString().startsWith(".")).toList();
  }

  private List<String> parts() throws Exception {
    return list().stream()
        .map(p -> p.getFileName().toString())
        .filter(n -> n.startsWith("."))
        .peek(n -> assertTrue(n.endsWith(".part"), "only .part temporaries: " + n))
        .toList();
  }

  private List<Path> list() throws Exception {
    if (!Files.isDirectory(out)) return List.of();
    try (Stream<Path> files = Files.list(out)) {
      return files.toList();
    } catch (java.nio.file.NoSuchFileException e) {
      return List.of(); // a part renamed while listed
    }
  }

  private static Map<String, String> contents(List<Path> files) throws Exception {
    Map<String, String> out = new TreeMap<>();
    for (Path f : files)
      out.put(f.getFileName().toString(), Files.readString(f, StandardCharsets.UTF_8));
    return out;
  }
}
