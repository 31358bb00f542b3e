package io.junction.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.junction.testing.ChildNode;
import io.junction.testing.PublishTraffic;
import io.junction.testing.QueueClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of a node around a routes-watch reload, while acknowledged publishes flow through two
 * routes from a durable queue. The two routes change together ({@code feed → a, tap → ta} becomes
 * {@code feed → b, tap → tb}), so a table applied by halves would show as a message in {@code a}
 * and {@code tb} only.
 */
@Tag("resilience")
class RouteReloadCrashTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int PUBLISHERS = 4;
  private static final int MAX_PER_RUN = 20_000;
  // The queue route's prefetch window: at most this many messages are between "routed" and
  // "acknowledged by every destination" when the node dies, so at most this many can be routed
  // again after the restart (at-least-once).
  private static final int PREFETCH = 32;
  private static final List<String> OLD = List.of("queue:a", "queue:ta");
  private static final List<String> NEW = List.of("queue:b", "queue:tb");

  @TempDir Path dir;
  private int edits;

  private String config(List<String> table) {
    return """
        junction {
          data-dir = "%s"
          http.port = 0
          routes-watch = on
          routes-watch-interval = 50ms
          queues { in { ack-timeout = 5m }, a {}, ta {}, b {}, tb {} }
          routes {
            feed { from = "queue:in", to = "%s" }
            tap { from = "queue:in", to = "%s" }
          }
        }
        """
        .formatted(dir.resolve("data").toString().replace("\\", "/"), table.get(0), table.get(1));
  }

  /**
   * Replaces the config file in one rename, its modification time moved past any earlier one: an
   * operator's editor or deploy tool should do the same, since the watcher may read the file at any
   * moment.
   */
  private void rewrite(List<String> table) throws Exception {
    Path tmp = dir.resolve("node.conf.tmp");
    Files.writeString(tmp, config(table));
    Files.setLastModifiedTime(tmp, FileTime.from(Instant.now().plusSeconds(++edits * 10L)));
    Files.move(
        tmp,
        dir.resolve("node.conf"),
        StandardCopyOption.ATOMIC_MOVE,
        StandardCopyOption.REPLACE_EXISTING);
  }

  @Test
  @Timeout(value = 8, unit = TimeUnit.MINUTES)
  void killDuringRouteReloadLosesNoAcknowledgedMessageAndRestartsOnOneWholeTable()
      throws Exception {
    Random random = new Random(20261126);
    List<String> current = OLD;
    List<String> report = new ArrayList<>();
    ChildNode node = ChildNode.start(dir, config(current));
    try {
      for (int run = 0; run < 4; run++) {
        List<String> running = current;
        List<String> next = running == OLD ? NEW : OLD;
        QueueClient queues = new QueueClient(node.port("http", 120));
        for (String q : List.of("in", "a", "ta", "b", "tb"))
          assertEquals(0, queues.stats(q).get("depth").asInt(), q + " empty before run " + run);

        PublishTraffic traffic =
            new PublishTraffic(queues, "in", "r" + run, PUBLISHERS, MAX_PER_RUN, id -> id);
        traffic.start();
        node.await(
            60,
            () ->
                assertTrue(
                    traffic.acked.size() >= 200
                        && queues.stats(running.get(0).substring(6)).get("published").asInt() > 0,
                    "traffic flows through the routes"));
        // one kill per band: before the watcher (every 50 ms) can see the edit, while it
        // validates and swaps, just after, well after
        int[] band = {0, 20, 80, 200, 400};
        int killAfterMillis = band[run] + random.nextInt(band[run + 1] - band[run]);
        TableWatcher watcher = new TableWatcher(queues);
        watcher.start();
        rewrite(next);
        node.process().waitFor(killAfterMillis, TimeUnit.MILLISECONDS);
        node.kill();
        traffic.stopAndJoin();
        watcher.stopAndJoin();
        boolean reloadedBeforeKill =
            node.output().stream().anyMatch(l -> l.contains("changed: reloading routes"));
        assertEquals(
            List.of(), watcher.halfTables, "every table the running node showed was whole");

        node = ChildNode.start(dir, config(next)); // the file as the test last wrote it
        QueueClient after = new QueueClient(node.port("http", 120));
        assertEquals(tableOf(next), table(after), "the restarted node runs the whole new table");
        node.await(
            120,
            () -> {
              JsonNode in = after.stats("in");
              assertEquals(0, in.get("depth").asInt() + in.get("in_flight").asInt(), in.toString());
            });
        assertEquals(0, after.stats("in").get("dead_letters").asInt(), "nothing dead-lettered");
        Map<String, List<String>> delivered = new TreeMap<>();
        for (String q : List.of("a", "ta", "b", "tb")) delivered.put(q, after.drain(q));
        int duplicates = account(traffic, delivered, current, next);
        report.add(
            "run %d: kill %d ms after the edit (reload %s), %d acked, %d unacked sends, %d routed twice"
                .formatted(
                    run,
                    killAfterMillis,
                    reloadedBeforeKill ? "seen" : "not seen",
                    traffic.acked.size(),
                    traffic.sent.size() - traffic.acked.size(),
                    duplicates));
        current = next;
      }
    } finally {
      node.close();
      report.forEach(System.out::println);
    }
  }

  /**
   * Every acknowledged message was routed by one whole table (it is in both queues of the old or of
   * the new table); nothing arrived that was not sent; messages routed twice (in flight at the
   * kill, routed again after the restart) are at most the prefetch window. Returns that count.
   */
  private static int account(
      PublishTraffic traffic,
      Map<String, List<String>> delivered,
      List<String> old,
      List<String> neu) {
    Map<String, Set<String>> where = new HashMap<>();
    int copies = 0;
    for (var e : delivered.entrySet())
      for (String m : e.getValue()) {
        assertTrue(traffic.sent.contains(m), "delivered but never sent: " + m);
        where.computeIfAbsent(m, k -> new TreeSet<>()).add("queue:" + e.getKey());
        copies++;
      }
    for (String m : traffic.acked) assertTrue(where.containsKey(m), "acknowledged but lost: " + m);
    int twice = 0;
    for (var e : where.entrySet()) {
      Set<String> qs = e.getValue();
      boolean wholeOld = qs.containsAll(old);
      boolean wholeNew = qs.containsAll(neu);
      assertTrue(wholeOld || wholeNew, e.getKey() + " was routed by half a table: " + qs);
      if (qs.size() > 2) twice++;
    }
    int extraCopies = copies - 2 * where.size();
    assertTrue(
        extraCopies <= 2 * PREFETCH,
        extraCopies + " extra copies: more than the " + PREFETCH + " in flight at the kill");
    return twice;
  }

  private static Map<String, List<String>> tableOf(List<String> t) {
    return Map.of("feed", List.of(t.get(0)), "tap", List.of(t.get(1)));
  }

  private static Map<String, List<String>> table(QueueClient queues) throws Exception {
    JsonNode body = JSON.readTree(queues.http().get("/v1/routes", null).body());
    JsonNode routes = body.isArray() ? body : body.get("routes");
    Map<String, List<String>> out = new HashMap<>();
    for (JsonNode r : routes) {
      List<String> to = new ArrayList<>();
      r.get("to").forEach(t -> to.add(t.asText()));
      out.put(r.get("name").asText(), to);
    }
    return out;
  }

  /** Reads GET /v1/routes in a loop while the reload may happen; notes any table not whole. */
  private static final class TableWatcher {
    final List<Map<String, List<String>>> halfTables = new ArrayList<>();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicReference<Thread> thread = new AtomicReference<>();
    private final QueueClient queues;

    TableWatcher(QueueClient queues) {
      this.queues = queues;
    }

    void start() {
      Thread t =
          new Thread(
              () -> {
                for (int i = 0; i < 10_000 && !stop.get(); i++) {
                  try {
                    Map<String, List<String>> t2 = table(queues);
                    if (!t2.equals(tableOf(OLD)) && !t2.equals(tableOf(NEW)))
                      synchronized (halfTables) {
                        halfTables.add(t2);
                      }
                  } catch (Exception e) {
                    return; // the node is gone
                  }
                }
              },
              "table-watcher");
      thread.set(t);
      t.start();
    }

    void stopAndJoin() throws InterruptedException {
      stop.set(true);
      thread.get().join(30_000);
    }
  }
}
