package io.junction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.junction.testing.QueueClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 7's "done means", exactly as a newcomer runs it: {@code deploy/local-cluster.sh start} on
 * the fat jar ({@code mvn package}'s {@code -all.jar}, not the test classpath) brings up three
 * nodes that see each other in {@code junction cluster status}; a message published on one node is
 * consumed on another; {@code kill -9} of the node hosting the queue loses nothing acknowledged.
 *
 * <p>Runs in {@code verify} after {@code package} (failsafe, {@code -Pinterop}): the script's ports
 * are fixed (8081-8083, 25521-25523, 7010-7033, 7627-7629, 2121, 9092), so it is not part of the
 * default build, which must run anywhere. The script and config are copied to a temporary directory
 * so that its {@code data/cluster} does not land in the working tree.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LocalClusterScriptIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern MEMBER_UP =
      Pattern.compile("(?m)^pekko://junction@127\\.0\\.0\\.1:2552[123][^\\n]*?\\sUp\\s");
  private static final Pattern NODE_PORT = Pattern.compile("@127\\.0\\.0\\.1:2552(\\d)");
  private Path home;

  @BeforeAll
  void copyTheScriptAndTheJar() throws IOException {
    home = Files.createTempDirectory("junction-local-cluster");
    Path project = Path.of("").toAbsolutePath();
    Path jar;
    try (DirectoryStream<Path> jars =
        Files.newDirectoryStream(project.resolve("target"), "junction-*-all.jar")) {
      jar = jars.iterator().next();
    }
    Files.createDirectories(home.resolve("deploy"));
    Files.createDirectories(home.resolve("target"));
    for (String f : List.of("local-cluster.sh", "local-cluster.conf"))
      Files.copy(project.resolve("deploy").resolve(f), home.resolve("deploy").resolve(f));
    home.resolve("deploy/local-cluster.sh").toFile().setExecutable(true);
    // the script names the jar by the project's version; keep the name it expects
    Files.copy(jar, home.resolve("target").resolve(jar.getFileName()));
    copyTree(project.resolve("conf"), home.resolve("conf"));
  }

  @AfterAll
  void stopEverything() throws Exception {
    if (home == null) return;
    try {
      script(Duration.ofMinutes(4), "stop");
    } finally {
      // anything the script could not stop (it kill -9s after 60 s; this is the last resort)
      Path run = home.resolve("data/cluster");
      if (Files.isDirectory(run))
        try (Stream<Path> pids = Files.list(run)) {
          for (Path p : pids.filter(f -> f.toString().endsWith(".pid")).toList())
            ProcessHandle.of(Long.parseLong(Files.readString(p).strip()))
                .ifPresent(ProcessHandle::destroyForcibly);
        }
      try (Stream<Path> all = Files.walk(home)) {
        all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  @Test
  void threeNodesFromTheScriptShareAQueueAndKillingItsHostLosesNothingAcknowledged()
      throws Exception {
    Result started = script(Duration.ofMinutes(5), "start");
    assertEquals(0, started.exit(), started.output());

    // junction cluster status (from the fat jar, as the script's status runs it): three Up
    Result status = script(Duration.ofMinutes(1), "status");
    assertEquals(0, status.exit(), status.output());
    assertEquals(3, count(MEMBER_UP, status.output()), status.output());

    // publish through node 2, before anything is consumed
    QueueClient node2 = new QueueClient(8082);
    Set<String> acknowledged = new LinkedHashSet<>();
    for (int i = 0; i < 200; i++)
      if (node2.publish("people", "m-" + i) == 201) acknowledged.add("m-" + i);
    assertEquals(200, acknowledged.size(), "every publish on a healthy cluster is acknowledged");

    int host = hostOf("people");
    int survivor = host == 3 ? 1 : 3;
    int publisher = host == 2 ? 1 : 2;
    long pid =
        Long.parseLong(
            Files.readString(home.resolve("data/cluster/node-" + host + ".pid")).strip());
    ProcessHandle.of(pid).orElseThrow().destroyForcibly(); // kill -9 (SIGKILL)

    // keep publishing through another node while the host is down, downed and replaced: count
    // only the acknowledged ones; a publish that timed out may or may not have been written
    QueueClient other = new QueueClient(8080 + publisher);
    Set<String> sent = new HashSet<>(acknowledged);
    Instant until = Instant.now().plusSeconds(150);
    int next = 200;
    while (Instant.now().isBefore(until) && !movedOff(host)) {
      String id = "m-" + next++;
      sent.add(id);
      if (publishQuietly(other, id)) acknowledged.add(id);
    }
    for (int i = 0; i < 100; i++) {
      String id = "m-" + next++;
      sent.add(id);
      if (publishQuietly(other, id)) acknowledged.add(id);
    }
    assertTrue(movedOff(host), "the queue moved off the killed node within 150 s");

    // consume on a third node: every acknowledged message exactly once, nothing never sent
    List<String> drained = new QueueClient(8080 + survivor).drain("people");
    List<String> ours = drained.stream().filter(m -> m.startsWith("m-")).toList();
    assertEquals(new HashSet<>(ours).size(), ours.size(), "no message twice: " + ours);
    assertTrue(new HashSet<>(ours).containsAll(acknowledged), "every acknowledged message kept");
    assertTrue(sent.containsAll(ours), "nothing that was not sent");
    // FIFO for the one publisher: the acknowledged ones come out in the order they were sent
    List<String> ackedInOrder = ours.stream().filter(acknowledged::contains).toList();
    assertEquals(new ArrayList<>(acknowledged), ackedInOrder);
  }

  /** The node (1..3) hosting {@code queue}, from {@code GET /v1/cluster/queues/{q}} on any node. */
  private int hostOf(String queue) throws Exception {
    for (int n = 1; n <= 3; n++) {
      try {
        var r = new QueueClient(8080 + n).http().get("/v1/cluster/queues/" + queue, null);
        if (r.statusCode() != 200) continue;
        JsonNode body = JSON.readTree(r.body());
        Matcher m = NODE_PORT.matcher(body.path("node").asText(""));
        if (m.find()) return Integer.parseInt(m.group(1));
      } catch (IOException unreachable) {
        // the killed node, or one not answering yet
      }
    }
    return 0;
  }

  private boolean movedOff(int host) throws Exception {
    int now = hostOf("people");
    return now != 0 && now != host;
  }

  private static boolean publishQuietly(QueueClient client, String body) {
    try {
      return client.publish("people", body) == 201;
    } catch (Exception e) {
      return false;
    }
  }

  private record Result(int exit, String output) {}

  private Result script(Duration limit, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("bash", "deploy/local-cluster.sh"));
    command.addAll(List.of(args));
    Path log = Files.createTempFile(home, "script", ".log");
    Process p =
        new ProcessBuilder(command)
            .directory(home.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    if (!p.waitFor(limit.toSeconds(), TimeUnit.SECONDS)) {
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      return new Result(-1, "timed out: " + Files.readString(log, StandardCharsets.UTF_8));
    }
    return new Result(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
  }

  private static int count(Pattern pattern, String text) {
    int n = 0;
    for (Matcher m = pattern.matcher(text); m.find(); ) n++;
    return n;
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> all = Files.walk(from)) {
      for (Path p : all.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) Files.createDirectories(target);
        else Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
      }
    }
  }
}
