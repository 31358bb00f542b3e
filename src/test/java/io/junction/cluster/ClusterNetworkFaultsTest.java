package io.junction.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.junction.cluster.NamespacedCluster.Node;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Network faults between cluster nodes, on a real network: three nodes, each in its own network
 * namespace, and their shared H2 journal server in a fourth ({@link NamespacedCluster}).
 *
 * <ul>
 *   <li><b>Partition.</b> The cluster links of the node hosting a queue are cut (blackhole routes)
 *       while clients publish through both sides; the journal stays reachable from both sides — the
 *       dangerous case, where a minority that kept its shard would write next to the majority that
 *       took it over. The split brain resolver must down the minority, which exits; the majority
 *       takes the queue over from the journal; after healing, the restarted node rejoins. Every
 *       acknowledged message is then in the queue exactly once.
 *   <li><b>Slow link.</b> Node 3 is reached by the others only through a {@link DelayProxy} (it
 *       advertises the proxy's address as its cluster address and listens behind it), which holds
 *       everything sent to it for 200 ms. This kernel has no {@code netem} qdisc, so the delay is a
 *       TCP proxy on the cluster link: one way, towards the slow node (its own outbound connections
 *       are direct), which a request to a queue it hosts pays once. The cluster must stay whole
 *       (the failure detector tolerates a delay far below its acceptable heartbeat pause) and the
 *       queue keeps acknowledging, slower, and loses nothing.
 * </ul>
 *
 * <p>The two share one cluster (booting three JVMs is most of the cost) and leave it whole. Needs
 * root (namespaces, veth, routes): tagged interop; CI runs it as root. A machine that cannot build
 * the network fails the tests with the reason.
 */
@Tag("interop")
@Tag("resilience")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusterNetworkFaultsTest {
  private static final int NODES = 3;
  private static final int MAX_PER_PUBLISHER = 20_000; // bounds the loops whatever happens
  private static final Duration DELAY = Duration.ofMillis(200);
  private NamespacedCluster cluster;

  @BeforeAll
  void startCluster() throws Exception {
    // a short request timeout: the first publish acknowledged after the cut times the take-over
    cluster = NamespacedCluster.start(NODES, Duration.ofSeconds(3), Set.of(NODES));
  }

  @AfterAll
  void stopCluster() throws Exception {
    if (cluster != null) cluster.close();
  }

  @Test
  void partitionedShardHostIsDownedAndTheMajorityTakesItsQueueOverWithEveryAckedMessageOnce()
      throws Exception {
    List<Node> nodes = cluster.nodes();
    // the oldest node: the shard coordinator moves too (and it is not behind the proxy)
    Node minority = nodes.get(0);
    List<Node> majority = nodes.subList(1, NODES);
    Set<String> sent = new HashSet<>();
    Set<String> acked = new HashSet<>();
    String queue = queueHostedBy("split", minority, majority.get(0), sent, acked);
    String hostAddress = minority.address();
    List<QueuePublisher> publishers =
        List.of(
            new QueuePublisher("major-a", cluster, majority.get(0), queue, MAX_PER_PUBLISHER),
            new QueuePublisher("major-b", cluster, majority.get(1), queue, MAX_PER_PUBLISHER),
            // the minority's own clients: what it acknowledges while cut off must survive too
            new QueuePublisher("minor", cluster, minority, queue, MAX_PER_PUBLISHER));
    publishers.forEach(QueuePublisher::start);

    long ackedBeforeCut;
    long cutAt;
    long downedMs = -1;
    long removedMs = -1;
    long exitedMs = -1;
    try {
      cluster.await(
          60, () -> QueuePublisher.acked(publishers) >= 150, "150 acknowledged before the cut");
      ackedBeforeCut = QueuePublisher.acked(publishers);
      for (Node other : majority) cluster.cut(minority, other);
      cutAt = System.nanoTime();
      long deadline = cutAt + TimeUnit.SECONDS.toNanos(90);
      while (exitedMs < 0 || removedMs < 0 || majorityAckedAfter(publishers, cutAt) < 100) {
        if (System.nanoTime() > deadline)
          throw new AssertionError(
              "after the cut: the minority exited at %d ms, was removed at %d ms; %d acknowledged"
                      .formatted(exitedMs, removedMs, majorityAckedAfter(publishers, cutAt))
                  + " by the majority\n"
                  + cluster.logs());
        if (exitedMs < 0 && !minority.alive()) exitedMs = ms(System.nanoTime() - cutAt);
        String status = cluster.memberStatus(majority.get(0), minority.address());
        if (downedMs < 0 && "Down".equals(status)) downedMs = ms(System.nanoTime() - cutAt);
        if (removedMs < 0 && status == null) {
          removedMs = ms(System.nanoTime() - cutAt);
          if (downedMs < 0) downedMs = removedMs; // Down lasted less than one poll
        }
        cluster.pause();
      }
    } finally {
      for (QueuePublisher p : publishers) p.stop();
    }

    // Downed, the minority ended its process (for a supervisor to restart); no zombie rejoins.
    assertEquals(
        ClusterExit.DOWNED_STATUS, minority.process().process().exitValue(), cluster.logs());
    assertTrue(
        minority.process().output().stream()
            .anyMatch(l -> l.contains("was removed from the cluster")),
        "the downed node says why it exits:\n" + NamespacedCluster.tail(minority));
    cluster.awaitMembersUp(majority.get(0), NODES - 1, 30);
    assertNotEquals(hostAddress, cluster.locate(majority.get(0), queue), "the queue moved");

    // The two sides never acknowledged at the same time: the minority's last acknowledgement came
    // before the majority's first one for a publish sent after the cut (else two nodes ran it).
    long minorityLast =
        publishers.get(2).acks().stream().mapToLong(QueuePublisher.Ack::acked).max().orElse(cutAt);
    long majorityFirst =
        publishers.subList(0, 2).stream()
            .flatMap(p -> p.acks().stream())
            .filter(a -> a.sent() > cutAt)
            .mapToLong(QueuePublisher.Ack::acked)
            .min()
            .getAsLong();
    assertTrue(
        minorityLast < majorityFirst,
        "the minority acknowledged %d ms after the cut, the majority already %d ms after it"
            .formatted(ms(minorityLast - cutAt), ms(majorityFirst - cutAt)));

    // Restarted at once, as a supervisor does, while the partition lasts: it was the first seed
    // node, yet it must not form a cluster of its own (a second cluster on the same journal).
    Path marker = minority.dir().resolve("data").resolve(ClusterExit.MARKER);
    assertTrue(Files.exists(marker), "the downed node left " + marker);
    Node restarted = cluster.restart(minority);
    long window = System.nanoTime() + TimeUnit.SECONDS.toNanos(10); // > seed-node-timeout (5 s)
    while (System.nanoTime() < window) {
      assertNotEquals(
          "Up", cluster.selfStatus(restarted), "the restarted node formed a cluster of its own");
      cluster.pause();
    }
    for (Node other : majority) cluster.heal(minority, other);
    cluster.awaitMembersUp(restarted, NODES, 120);
    cluster.awaitMembersUp(majority.get(0), NODES, 30);
    cluster.await(30, () -> !Files.exists(marker), "the marker removed once the node is Up");

    List<String> inQueue = cluster.consumeAll(majority.get(1), queue);
    Set<String> distinct = new HashSet<>(inQueue);
    assertEquals(inQueue.size(), distinct.size(), "no message is in the queue twice");
    int failed = 0;
    for (QueuePublisher p : publishers) {
      sent.addAll(p.sent());
      acked.addAll(p.ackedBodies());
      failed += p.failed();
      assertEquals(p.sent().size(), p.acks().size() + p.failed(), p.name() + " accounted");
    }
    Set<String> lost = new HashSet<>(acked);
    lost.removeAll(distinct);
    assertEquals(Set.of(), lost, "acknowledged but not in the queue");
    Set<String> unknown = new HashSet<>(distinct);
    unknown.removeAll(sent);
    assertEquals(Set.of(), unknown, "in the queue but never sent");
    Map<String, Integer> position = new HashMap<>();
    for (int i = 0; i < inQueue.size(); i++) position.put(inQueue.get(i), i);
    for (QueuePublisher p : publishers) {
      List<String> order = p.ackedBodies();
      for (int i = 1; i < order.size(); i++)
        assertTrue(
            position.get(order.get(i - 1)) < position.get(order.get(i)),
            order.get(i - 1) + " before " + order.get(i));
    }
    System.out.printf(
        "partition of %s (queue host): %d acked before the cut; the majority saw it Down at %d ms"
            + " and removed it at %d ms; it exited (status %d) at %d ms; last minority ack at %d"
            + " ms, first majority ack at %d ms; sent %d, acked %d, reported failed %d (%d of them"
            + " written anyway), in the queue %d%n",
        minority.name(),
        ackedBeforeCut,
        downedMs,
        removedMs,
        ClusterExit.DOWNED_STATUS,
        exitedMs,
        ms(minorityLast - cutAt),
        ms(majorityFirst - cutAt),
        sent.size(),
        acked.size(),
        failed,
        distinct.size() - acked.size(),
        inQueue.size());
    minority.process().output().stream()
        .filter(
            l ->
                l.contains("SBR")
                    || l.contains("myself")
                    || l.contains("removed from")
                    || l.contains("did not terminate"))
        .forEach(l -> System.out.println("  " + minority.name() + ": " + l));
  }

  @Test
  void slowLinkToTheQueueHostKeepsTheClusterWholeAndLosesNothing() throws Exception {
    List<Node> nodes = cluster.nodes();
    Node slow = nodes.get(NODES - 1);
    Set<String> sent = new HashSet<>();
    Set<String> acked = new HashSet<>();
    String queue = queueHostedBy("slow", slow, nodes.get(0), sent, acked);

    QueuePublisher baseline = new QueuePublisher("base", cluster, nodes.get(0), queue, 50).start();
    baseline.finish(60);
    assertEquals(0, baseline.failed(), "baseline publishes all acknowledged");

    int[] logMark = nodes.stream().mapToInt(n -> n.process().output().size()).toArray();
    cluster.proxy(slow).delay(DELAY);
    List<QueuePublisher> publishers = new ArrayList<>();
    for (int i = 0; i < 3; i++)
      publishers.add(new QueuePublisher("slow-" + i, cluster, nodes.get(i % 2), queue, 50).start());
    int samples = 0;
    List<String> broken = new ArrayList<>();
    try {
      while (publishers.stream().anyMatch(QueuePublisher::running)) {
        for (Node n : nodes)
          if (!cluster.membersUp(n, NODES)) broken.add(n.name() + " at sample " + samples);
        samples++;
        if (samples > 1200) throw new AssertionError("publishing took over 2 minutes");
        cluster.pause();
      }
    } finally {
      for (QueuePublisher p : publishers) p.stop();
      cluster.proxy(slow).delay(Duration.ZERO);
    }

    assertEquals(List.of(), broken, "every node saw 3 members Up and reachable throughout");
    for (int i = 0; i < NODES; i++) {
      List<String> out = nodes.get(i).process().output();
      List<String> since = out.subList(logMark[i], out.size());
      assertTrue(
          since.stream().noneMatch(l -> l.contains("UNREACHABLE") || l.contains("SBR took")),
          nodes.get(i).name() + " saw a member unreachable:\n" + String.join("\n", since));
    }
    assertTrue(slow.alive(), "the slow node still runs");
    List<Long> base = latencies(List.of(baseline));
    List<Long> slowed = latencies(publishers);
    for (QueuePublisher p : publishers)
      assertEquals(0, p.failed(), p.name() + ": every publish acknowledged, only slower");
    assertTrue(
        percentile(slowed, 50) >= DELAY.toMillis(),
        "each publish crosses the slow link once: p50 " + percentile(slowed, 50) + " ms");

    List<String> inQueue = cluster.consumeAll(nodes.get(1), queue);
    acked.addAll(baseline.ackedBodies());
    for (QueuePublisher p : publishers) acked.addAll(p.ackedBodies());
    assertEquals(inQueue.size(), new HashSet<>(inQueue).size(), "no message is in the queue twice");
    Set<String> missing = new HashSet<>(acked);
    missing.removeAll(inQueue);
    assertEquals(Set.of(), missing, "acknowledged but not in the queue");
    sent.addAll(baseline.sent());
    for (QueuePublisher p : publishers) sent.addAll(p.sent());
    assertTrue(sent.containsAll(inQueue), "only messages that were sent are in the queue");
    System.out.printf(
        "slow link (%d ms towards %s, the queue host): publish p50/p99 %d/%d ms before, %d/%d ms"
            + " with the delay; %d membership samples, all 3 Up and reachable; %d acknowledged,"
            + " all consumed once%n",
        DELAY.toMillis(),
        slow.name(),
        percentile(base, 50),
        percentile(base, 99),
        percentile(slowed, 50),
        percentile(slowed, 99),
        samples,
        acked.size());
  }

  /**
   * A queue ({@code prefix0}, {@code prefix1}, ...) whose shard lands on {@code host}: publishes
   * probes through {@code via} until one is acknowledged (a new shard may take longer than the
   * request timeout to start), then asks where it is; candidates until one is on {@code host}. The
   * probes of that queue go into {@code sent}, the acknowledged one into {@code acked}.
   */
  private String queueHostedBy(
      String prefix, Node host, Node via, Set<String> sent, Set<String> acked) throws Exception {
    for (int i = 0; i < 40; i++) {
      String queue = prefix + i;
      Set<String> probes = new HashSet<>();
      String ackedProbe = null;
      for (int attempt = 0; attempt < 10 && ackedProbe == null; attempt++) {
        String probe = "probe-" + i + "-" + attempt;
        probes.add(probe);
        if (cluster.publish(via, queue, probe).statusCode() == 201) ackedProbe = probe;
      }
      assertTrue(ackedProbe != null, queue + " never acknowledged a publish:\n" + cluster.logs());
      if (cluster.locate(via, queue).equals(host.address())) {
        sent.addAll(probes);
        acked.add(ackedProbe);
        return queue;
      }
    }
    throw new AssertionError("no queue of 40 landed on " + host.name());
  }

  private static long majorityAckedAfter(List<QueuePublisher> publishers, long cutAt) {
    return publishers.subList(0, 2).stream()
        .flatMap(p -> p.acks().stream())
        .filter(a -> a.sent() > cutAt)
        .count();
  }

  private static long ms(long nanos) {
    return TimeUnit.NANOSECONDS.toMillis(nanos);
  }

  private static List<Long> latencies(List<QueuePublisher> publishers) {
    return publishers.stream()
        .flatMap(p -> p.acks().stream())
        .map(a -> TimeUnit.NANOSECONDS.toMillis(a.acked() - a.sent()))
        .sorted()
        .toList();
  }

  private static long percentile(List<Long> sorted, int p) {
    return sorted.get(Math.min(sorted.size() - 1, sorted.size() * p / 100));
  }
}
