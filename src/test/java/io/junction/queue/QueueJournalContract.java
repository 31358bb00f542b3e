package io.junction.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.junction.faults.FaultRule;
import io.junction.faults.FaultSpec;
import io.junction.faults.Faults;
import io.junction.message.Envelope;
import io.junction.queue.QueueEntity.*;
import io.junction.queue.QueueSettings.Overflow;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What every real journal must give a queue: messages survive an actor-system restart in order, and
 * snapshots plus event deletion keep the journal bounded while recovery stays exact. Each journal
 * (H2 file, PostgreSQL) runs it through a subclass.
 */
abstract class QueueJournalContract {

  /** The node config with this journal set up and its schema created. */
  abstract Config journal();

  /** A connection to the journal's database, for counting rows. */
  abstract Connection connect() throws Exception;

  /** Called after each test's last actor system stopped. */
  void journalDone(Config config) {}

  /** Prefix of actor system names, so logs say which journal ran. */
  abstract String name();

  static QueueSettings settings(int snapshotEvery) {
    return settings(snapshotEvery, QueueSettings.DEFAULTS.snapshotMaxBytes());
  }

  static QueueSettings settings(int snapshotEvery, long snapshotMaxBytes) {
    return new QueueSettings(
        5,
        Duration.ofSeconds(30),
        Duration.ZERO,
        0,
        Overflow.REJECT_PUBLISH,
        1000,
        snapshotEvery,
        snapshotMaxBytes,
        Duration.ofSeconds(1),
        100,
        false);
  }

  static Envelope msg(String text) {
    return Envelope.of("test", "", "text/plain", ByteString.fromString(text), Map.of());
  }

  @Test
  void publishedMessagesSurviveAnActorSystemRestartInOrder() {
    Config config = journal();
    int n = 300;
    ActorTestKit first = ActorTestKit.create(name() + "-first", config);
    try {
      ActorRef<Command> q = first.spawn(QueueEntity.create("orders", settings(10)));
      TestProbe<StatusReply<Enqueued>> replies = first.createTestProbe();
      for (int i = 0; i < n; i++) q.tell(new Publish(msg("m" + i), Duration.ZERO, replies.ref()));
      for (int i = 0; i < n; i++)
        assertTrue(replies.receiveMessage(Duration.ofSeconds(20)).isSuccess());
    } finally {
      first.shutdownTestKit();
    }
    ActorTestKit second = ActorTestKit.create(name() + "-second", config);
    try {
      ActorRef<Command> q = second.spawn(QueueEntity.create("orders", settings(10)));
      TestProbe<Peeked> peek = second.createTestProbe();
      q.tell(new Peek(n + 10, peek.ref()));
      List<String> texts = new ArrayList<>();
      for (QueuedMessage m : peek.receiveMessage(Duration.ofSeconds(20)).messages())
        texts.add(m.envelope().payload().utf8String());
      List<String> expected = new ArrayList<>();
      for (int i = 0; i < n; i++) expected.add("m" + i);
      assertEquals(expected, texts);
    } finally {
      second.shutdownTestKit();
      journalDone(config);
    }
  }

  @Test
  void snapshotsAndEventDeletionKeepTheJournalBoundedAndRecoveryExact() {
    Config config = journal();
    ActorTestKit kit = ActorTestKit.create(name() + "-bounded", config);
    try {
      ActorRef<Command> q = kit.spawn(QueueEntity.create("bounded", settings(10)));
      TestProbe<StatusReply<Enqueued>> replies = kit.createTestProbe();
      TestProbe<Leased> leased = kit.createTestProbe();
      TestProbe<Settled> settled = kit.createTestProbe();
      // One at a time, so each publish and each ack is its own event: 200 events in all.
      for (int i = 0; i < 100; i++) {
        q.tell(new Publish(msg("m" + i), Duration.ZERO, replies.ref()));
        assertTrue(replies.receiveMessage(Duration.ofSeconds(10)).isSuccess());
        q.tell(new Lease(1, Duration.ofSeconds(30), leased.ref()));
        Delivery d = leased.receiveMessage(Duration.ofSeconds(10)).deliveries().get(0);
        q.tell(new Ack(List.of(d.receiptId()), settled.ref()));
        settled.receiveMessage(Duration.ofSeconds(10));
      }
      String pid = QueueEntity.persistenceId("bounded").id();
      TestProbe<Object> probe = kit.createTestProbe();
      probe.awaitAssert(
          Duration.ofSeconds(10),
          () -> {
            // quoted: H2 created the tables with quoted lower-case names, PostgreSQL folds to them
            String journal = "FROM \"event_journal\" WHERE \"persistence_id\" = ?";
            String store = "FROM \"snapshot\" WHERE \"persistence_id\" = ?";
            long rows = count("SELECT COUNT(*) " + journal, pid);
            long highest = count("SELECT MAX(\"sequence_number\") " + journal, pid);
            long snapshots = count("SELECT COUNT(*) " + store, pid);
            long older = count("SELECT MIN(\"sequence_number\") " + store, pid);
            long newest = count("SELECT MAX(\"sequence_number\") " + store, pid);
            String seen =
                rows
                    + " journal rows up to seq "
                    + highest
                    + ", "
                    + snapshots
                    + " snapshots at seq "
                    + older
                    + ".."
                    + newest;
            // Kept: the newest snapshot and the one before it (the fallback); the events after
            // that one, and none before it (the JDBC journal keeps the row at the deletion's upper
            // bound, marked deleted, to remember the highest sequence number); no snapshot left
            // due (one every 10 events).
            assertEquals(2, snapshots, seen);
            assertEquals(highest - older + 1, rows, seen);
            assertTrue(highest - newest < 10, seen);
            // How far apart the two are depends on how long a save takes against the writes (a
            // snapshot due while one is stored waits for it): about 10-30 rows here, far fewer
            // than the 200 events written.
            assertTrue(rows <= 100, seen);
            return null;
          });
      for (int i = 0; i < 5; i++) {
        q.tell(new Publish(msg("left" + i), Duration.ZERO, replies.ref()));
        assertTrue(replies.receiveMessage(Duration.ofSeconds(10)).isSuccess());
      }
    } finally {
      kit.shutdownTestKit();
    }
    ActorTestKit again = ActorTestKit.create(name() + "-bounded-again", config);
    try {
      ActorRef<Command> q = again.spawn(QueueEntity.create("bounded", settings(10)));
      TestProbe<QueueStats> stats = again.createTestProbe();
      q.tell(new GetStats(stats.ref()));
      QueueStats s = stats.receiveMessage(Duration.ofSeconds(20));
      assertEquals(5, s.depth());
      assertEquals(105, s.published());
      assertEquals(100, s.acked());
    } finally {
      again.shutdownTestKit();
      journalDone(config);
    }
  }

  @Test
  void aQueueOverSnapshotMaxBytesIsNotSnapshottedAndRecoversByReplay() {
    Config config = journal();
    String pid = QueueEntity.persistenceId("deep").id();
    String pad = "x".repeat(1000);
    // ~1.1 KB per message as SnapshotPolicy counts it: 20 messages fit under the limit, 60 do not.
    QueueSettings settings = settings(5, 22_000);
    ActorTestKit kit = ActorTestKit.create(name() + "-deep", config);
    long lastSnapshotSeq;
    try {
      ActorRef<Command> q = kit.spawn(QueueEntity.create("deep", settings));
      TestProbe<StatusReply<Enqueued>> replies = kit.createTestProbe();
      for (int i = 0; i < 60; i++) { // one event each
        q.tell(new Publish(msg(i + pad), Duration.ZERO, replies.ref()));
        assertTrue(replies.receiveMessage(Duration.ofSeconds(10)).isSuccess());
      }
      lastSnapshotSeq =
          count(
              "SELECT MAX(\"sequence_number\") FROM \"snapshot\" WHERE \"persistence_id\" = ?",
              pid);
      // snapshots while small (the first at event 5), none once the queue held over 22,000 bytes
      assertTrue(
          lastSnapshotSeq >= 5 && lastSnapshotSeq <= 21, "last snapshot at " + lastSnapshotSeq);
      long events =
          count("SELECT COUNT(*) FROM \"event_journal\" WHERE \"persistence_id\" = ?", pid);
      assertTrue(events >= 60 - lastSnapshotSeq, "events kept for replay: " + events);
    } finally {
      kit.shutdownTestKit();
    }
    ActorTestKit again = ActorTestKit.create(name() + "-deep-again", config);
    try {
      ActorRef<Command> q = again.spawn(QueueEntity.create("deep", settings));
      TestProbe<Peeked> peek = again.createTestProbe();
      q.tell(new Peek(100, peek.ref()));
      List<String> heads = new ArrayList<>();
      for (QueuedMessage m : peek.receiveMessage(Duration.ofSeconds(20)).messages())
        heads.add(m.envelope().payload().utf8String().replace(pad, ""));
      List<String> expected = new ArrayList<>();
      for (int i = 0; i < 60; i++) expected.add(String.valueOf(i));
      assertEquals(expected, heads, "recovered from the old snapshot plus the replayed events");
      // Drained under the limit, the queue snapshots again.
      TestProbe<Leased> leased = again.createTestProbe();
      q.tell(new Lease(60, Duration.ofSeconds(30), leased.ref()));
      List<String> receipts = new ArrayList<>();
      for (Delivery d : leased.receiveMessage(Duration.ofSeconds(10)).deliveries())
        receipts.add(d.receiptId());
      assertEquals(60, receipts.size());
      TestProbe<Settled> settled = again.createTestProbe();
      q.tell(new Ack(receipts, settled.ref()));
      assertEquals(60, settled.receiveMessage(Duration.ofSeconds(10)).settled());
      TestProbe<StatusReply<Enqueued>> replies = again.createTestProbe();
      for (int i = 0; i < 6; i++) {
        q.tell(new Publish(msg("after" + i), Duration.ZERO, replies.ref()));
        assertTrue(replies.receiveMessage(Duration.ofSeconds(10)).isSuccess());
      }
      TestProbe<Object> probe = again.createTestProbe();
      probe.awaitAssert(
          Duration.ofSeconds(10),
          () -> {
            long newest =
                count(
                    "SELECT MAX(\"sequence_number\") FROM \"snapshot\" WHERE \"persistence_id\" = ?",
                    pid);
            assertTrue(newest > 60, "no snapshot after draining; newest at " + newest);
            return null;
          });
    } finally {
      again.shutdownTestKit();
      journalDone(config);
    }
  }

  // ---- the write pipeline (PipelinedJournal), driven by the fault-injecting journal over it ----

  /** {@code journal} with the fault-injecting journal (a PipelinedJournal) and the pipeline set. */
  private static Config withFaults(Config journal, boolean pipeline) {
    return ConfigFactory.parseString(
            "junction.faults.enabled = on\njdbc-journal.class = \""
                + FaultyJournal.class.getName()
                + "\"\njdbc-journal.pipeline = "
                + pipeline)
        .withFallback(journal);
  }

  // Each test its own queue: the PostgreSQL journal is shared by every test of the class.
  private static FaultRule fault(ActorTestKit kit, String queue, String kind, String... more) {
    Map<String, String> fields = new HashMap<>(Map.of("kind", kind, "queue", queue));
    for (int i = 0; i < more.length; i += 2) fields.put(more[i], more[i + 1]);
    Faults faults = Faults.get(kit.system());
    return faults.add(FaultSpec.parse(fields, Instant.now(), faults.settings()));
  }

  // The rule has held (or failed) a write: the write has reached the database's side.
  private static void awaitHit(ActorTestKit kit, FaultRule rule) {
    kit.createTestProbe()
        .awaitAssert(
            Duration.ofSeconds(10),
            () -> {
              assertTrue(rule.hits() > 0, "no write yet");
              return null;
            });
  }

  @ParameterizedTest(name = "pipeline = {0}")
  @ValueSource(booleans = {true, false})
  void aQueueServesWhileItsWriteCommitsOnlyWithThePipeline(boolean pipeline) {
    String queue = "serves-" + pipeline;
    Config config = withFaults(journal(), pipeline);
    ActorTestKit kit = ActorTestKit.create(name() + "-" + queue, config);
    try {
      FaultRule slow = fault(kit, queue, "slow-journal-writes", "delay", "3s", "ttl", "1m");
      ActorRef<Command> q = kit.spawn(QueueEntity.create(queue, settings(1000)));
      TestProbe<Object> answers = kit.createTestProbe();
      q.tell(Publish.of(msg("a"), answers.ref().narrow()));
      awaitHit(kit, slow);
      q.tell(new GetStats(answers.ref().narrow()));
      q.tell(new Lease(10, Duration.ofSeconds(30), answers.ref().narrow()));
      List<Object> order = new ArrayList<>();
      for (int i = 0; i < 3; i++) order.add(answers.receiveMessage(Duration.ofSeconds(20)));
      if (pipeline) {
        // Answered while the write is held; the message is in the queue but not delivered yet.
        assertEquals(1, assertInstanceOf(QueueStats.class, order.get(0)).depth());
        assertEquals(List.of(), assertInstanceOf(Leased.class, order.get(1)).deliveries());
        assertTrue(assertInstanceOf(StatusReply.class, order.get(2)).isSuccess());
        // durable now: delivered
        q.tell(new Lease(10, Duration.ofSeconds(30), answers.ref().narrow()));
        Leased leased = answers.expectMessageClass(Leased.class, Duration.ofSeconds(10));
        assertEquals("a", leased.deliveries().get(0).envelope().payload().utf8String());
      } else {
        // Pekko's persist: every command waits for the commit.
        assertTrue(assertInstanceOf(StatusReply.class, order.get(0)).isSuccess());
        assertEquals(1, assertInstanceOf(QueueStats.class, order.get(1)).depth());
        assertEquals(1, assertInstanceOf(Leased.class, order.get(2)).deliveries().size());
      }
    } finally {
      kit.shutdownTestKit();
      journalDone(config);
    }
  }

  @ParameterizedTest(name = "pipeline = {0}")
  @ValueSource(booleans = {true, false})
  void deliveriesGoOnWhileAWriteCommitsOnlyWithThePipeline(boolean pipeline) {
    String queue = "drain-" + pipeline;
    Config config = withFaults(journal(), pipeline);
    ActorTestKit kit = ActorTestKit.create(name() + "-" + queue, config);
    try {
      ActorRef<Command> q = kit.spawn(QueueEntity.create(queue, settings(1000)));
      TestProbe<StatusReply<EnqueuedBatch>> published = kit.createTestProbe();
      List<Envelope> backlog = new ArrayList<>();
      for (int i = 0; i < 30; i++) backlog.add(msg("m" + i));
      q.tell(new PublishBatch(backlog, published.ref()));
      assertTrue(published.receiveMessage(Duration.ofSeconds(20)).isSuccess());
      // Now every write takes 500 ms. A consumer leases one message at a time and acks it.
      FaultRule slow = fault(kit, queue, "slow-journal-writes", "delay", "500ms", "ttl", "1m");
      TestProbe<Leased> leased = kit.createTestProbe();
      TestProbe<Settled> settled = kit.createTestProbe();
      int n = 20;
      for (int i = 0; i < n; i++) {
        q.tell(new Lease(1, Duration.ofSeconds(60), leased.ref()));
        Delivery d = leased.receiveMessage(Duration.ofSeconds(30)).deliveries().get(0);
        assertEquals("m" + i, d.envelope().payload().utf8String());
        q.tell(new Ack(List.of(d.receiptId()), i == n - 1 ? settled.ref() : null));
      }
      assertEquals(1, settled.receiveMessage(Duration.ofSeconds(30)).settled()); // all durable
      long writes = slow.hits();
      System.out.printf(
          "%s, pipeline %s: %d journal writes for %d lease-ack cycles%n",
          name(), pipeline, writes, n);
      if (pipeline) {
        // leases answered while the acks' writes commit; the acks go out together
        assertTrue(writes <= 5, writes + " writes for " + n + " acks");
      } else {
        // each lease waits for the write of the ack before it
        assertTrue(writes >= n / 2, writes + " writes for " + n + " acks");
      }
    } finally {
      kit.shutdownTestKit();
      journalDone(config);
    }
  }

  @Test
  void aFailedWriteFailsTheWritesQueuedBehindItAndLeavesNoGapInTheJournal() {
    Config config = withFaults(journal(), true);
    String pid = QueueEntity.persistenceId("failed").id();
    ActorTestKit kit = ActorTestKit.create(name() + "-failed", config);
    try {
      FaultRule slow = fault(kit, "failed", "slow-journal-writes", "delay", "2s", "ttl", "1m");
      FaultRule fail = fault(kit, "failed", "fail-journal-writes", "ttl", "1m");
      ActorRef<Command> q = kit.spawn(QueueEntity.create("failed", settings(1000)));
      TestProbe<StatusReply<Enqueued>> replies = kit.createTestProbe();
      q.tell(Publish.of(msg("a"), replies.ref()));
      awaitHit(kit, fail);
      // a's write will fail in 2 s. b and c wait in the queue's buffer (one write at a time);
      // an administrative write goes out at once and takes them along: it queues in the lane.
      q.tell(Publish.of(msg("b"), replies.ref()));
      q.tell(Publish.of(msg("c"), replies.ref()));
      q.tell(new PurgeDeadLetters(kit.<Purged>createTestProbe().ref()));
      awaitDepth(kit, q, 3);
      // Gone before a's failure is reported: b and c would be written now if the lane let them.
      Faults.get(kit.system()).remove(slow.id());
      Faults.get(kit.system()).remove(fail.id());
      for (int i = 0; i < 3; i++) {
        StatusReply<Enqueued> r = replies.receiveMessage(Duration.ofSeconds(20));
        assertTrue(r.isError(), "refused: " + r);
        assertTrue(
            r.getError().getMessage().contains("journal failure"), r.getError().getMessage());
      }
      assertEquals(1, fail.hits(), "b and c were queued behind a, never written");
      // The queue restarted from the journal (with backoff) and takes publishes again.
      for (String text : List.of("d", "e")) {
        q.tell(Publish.of(msg(text), replies.ref()));
        assertTrue(replies.receiveMessage(Duration.ofSeconds(20)).isSuccess(), text);
      }
    } finally {
      kit.shutdownTestKit();
    }
    assertEquals(List.of(1L, 2L), sequenceNumbers(pid), "no gap, nothing of a, b, c");
    ActorTestKit second = ActorTestKit.create(name() + "-failed-2", journal());
    try {
      ActorRef<Command> q = second.spawn(QueueEntity.create("failed", settings(1000)));
      TestProbe<Peeked> peeked = second.createTestProbe();
      q.tell(new Peek(10, peeked.ref()));
      assertEquals(List.of("d", "e"), payloads(peeked.receiveMessage(Duration.ofSeconds(20))));
    } finally {
      second.shutdownTestKit();
      journalDone(config);
    }
  }

  @Test
  void aWriteThatOutlivesTheCallTimeoutFailsItsPublishersAsMaybeStored() {
    Config config =
        ConfigFactory.parseString("jdbc-journal.circuit-breaker.call-timeout = 1s")
            .withFallback(withFaults(journal(), true));
    ActorTestKit kit = ActorTestKit.create(name() + "-hung", config);
    try {
      // a is committed at once, but its transaction is not seen to end for 4 s: a hung database
      // as far as the lane can tell.
      FaultRule slow = fault(kit, "hung", "slow-journal-writes", "delay", "4s", "ttl", "1m");
      ActorRef<Command> q = kit.spawn(QueueEntity.create("hung", settings(1000)));
      TestProbe<StatusReply<Enqueued>> replies = kit.createTestProbe();
      q.tell(Publish.of(msg("a"), replies.ref()));
      awaitHit(kit, slow);
      StatusReply<Enqueued> a = replies.receiveMessage(Duration.ofSeconds(10));
      assertTrue(a.isError(), "a write past the call timeout is not acknowledged: " + a);
      String why = a.getError().getMessage();
      assertTrue(why.contains("did not complete within 1s"), why);
      assertTrue(why.contains("it may still be stored"), why);
      Faults.get(kit.system()).remove(slow.id());
      // The queue recovers once the transaction has ended: a is there (it did commit) and b
      // follows it.
      q.tell(Publish.of(msg("b"), replies.ref()));
      StatusReply<Enqueued> b = replies.receiveMessage(Duration.ofSeconds(30));
      assertTrue(b.isSuccess(), "" + b);
      assertEquals(2, b.getValue().seq());
      TestProbe<Peeked> peeked = kit.createTestProbe();
      q.tell(new Peek(10, peeked.ref()));
      assertEquals(List.of("a", "b"), payloads(peeked.receiveMessage(Duration.ofSeconds(10))));
    } finally {
      kit.shutdownTestKit();
      journalDone(config);
    }
  }

  @Test
  void aRecoveryWaitsForTheWritesItsPredecessorLeftInTheLane() {
    Config config = withFaults(journal(), true);
    ActorTestKit kit = ActorTestKit.create(name() + "-lane", config);
    try {
      FaultRule slow = fault(kit, "lane", "slow-journal-writes", "delay", "2s", "ttl", "1m");
      ActorRef<Command> first = kit.spawn(QueueEntity.create("lane", settings(1000)), "first");
      TestProbe<StatusReply<Enqueued>> replies = kit.createTestProbe();
      first.tell(Publish.of(msg("a"), replies.ref()));
      awaitHit(kit, slow);
      // b's write waits in the lane behind a's (held): not yet in the database. (An
      // administrative write goes out at once, taking the buffered b along.)
      first.tell(Publish.of(msg("b"), replies.ref()));
      first.tell(new PurgeDeadLetters(kit.<Purged>createTestProbe().ref()));
      awaitDepth(kit, first, 2);
      kit.stop(first, Duration.ofSeconds(10));
      for (int i = 0; i < 2; i++) {
        StatusReply<Enqueued> told = replies.receiveMessage(Duration.ofSeconds(10));
        assertTrue(told.isError() && told.getError().getMessage().contains("may still be stored"));
      }
      Faults.get(kit.system()).remove(slow.id());
      // The next incarnation reads the journal only once the lane is empty: a and b are there,
      // and c follows them instead of taking b's sequence number.
      ActorRef<Command> next = kit.spawn(QueueEntity.create("lane", settings(1000)), "next");
      next.tell(Publish.of(msg("c"), replies.ref()));
      assertEquals(3, replies.receiveMessage(Duration.ofSeconds(20)).getValue().seq());
      TestProbe<Peeked> peeked = kit.createTestProbe();
      next.tell(new Peek(10, peeked.ref()));
      assertEquals(List.of("a", "b", "c"), payloads(peeked.receiveMessage(Duration.ofSeconds(10))));
    } finally {
      kit.shutdownTestKit();
      journalDone(config);
    }
  }

  // The queue has applied (and so issued the writes of) depth messages.
  private static void awaitDepth(ActorTestKit kit, ActorRef<Command> q, int depth) {
    TestProbe<QueueStats> stats = kit.createTestProbe();
    stats.awaitAssert(
        Duration.ofSeconds(10),
        () -> {
          q.tell(new GetStats(stats.ref()));
          assertEquals(depth, stats.receiveMessage(Duration.ofSeconds(5)).depth());
          return null;
        });
  }

  @Test
  void aHandOffStopsOnlyOnceItsWritesAreDurable() {
    Config config = withFaults(journal(), true);
    ActorTestKit kit = ActorTestKit.create(name() + "-handoff", config);
    try {
      FaultRule slow = fault(kit, "handoff", "slow-journal-writes", "delay", "1s", "ttl", "1m");
      ActorRef<Command> q = kit.spawn(QueueEntity.create("handoff", settings(1000)));
      TestProbe<StatusReply<Enqueued>> replies = kit.createTestProbe();
      q.tell(Publish.of(msg("a"), replies.ref()));
      awaitHit(kit, slow);
      q.tell(HandOff.INSTANCE);
      q.tell(Publish.of(msg("late"), replies.ref()));
      StatusReply<Enqueued> late = replies.receiveMessage(Duration.ofSeconds(10));
      assertTrue(late.isError() && late.getError().getMessage().contains("moving"), "" + late);
      assertTrue(replies.receiveMessage(Duration.ofSeconds(10)).isSuccess(), "a is acknowledged");
      replies.expectTerminated(q, Duration.ofSeconds(10));
    } finally {
      kit.shutdownTestKit();
      journalDone(config);
    }
  }

  @Test
  void aDeletedQueueLeavesItsLastSnapshotAndADeletedMarkerAndIsListedNoMore() throws Exception {
    Config config = journal();
    String pid = QueueEntity.persistenceId("doomed").id();
    ActorTestKit kit = ActorTestKit.create(name() + "-delete", config);
    try {
      ActorRef<Command> doomed = kit.spawn(QueueEntity.create("doomed", settings(10)));
      ActorRef<Command> made = kit.spawn(QueueEntity.create("made", settings(10)));
      TestProbe<StatusReply<Enqueued>> replies = kit.createTestProbe();
      for (int i = 0; i < 30; i++) { // one event each: snapshots at 10, 20, 30
        doomed.tell(Publish.of(msg("m" + i), replies.ref()));
        assertTrue(replies.receiveMessage(Duration.ofSeconds(10)).isSuccess());
      }
      TestProbe<Created> created = kit.createTestProbe();
      made.tell(new Create(created.ref()));
      assertTrue(created.receiveMessage(Duration.ofSeconds(10)).created());
      made.tell(new Create(created.ref()));
      assertTrue(!created.receiveMessage(Duration.ofSeconds(10)).created(), "existed");
      List<String> before = stored(kit);
      assertTrue(before.containsAll(List.of("doomed", "made")), "" + before);

      TestProbe<StatusReply<Deleted>> deleted = kit.createTestProbe();
      doomed.tell(new Delete(true, deleted.ref()));
      assertTrue(deleted.receiveMessage(Duration.ofSeconds(10)).isError(), "if-empty refuses");
      doomed.tell(new Delete(false, deleted.ref()));
      Deleted d = deleted.receiveMessage(Duration.ofSeconds(10)).getValue();
      assertEquals(30, d.messages());
      // answered once the journal no longer holds the queue (not merely once the deletion is
      // durable), so no waiting here
      String journal = "FROM \"event_journal\" WHERE \"persistence_id\" = ?";
      assertEquals(0, count("SELECT COUNT(*) " + journal + " AND \"deleted\" = FALSE", pid));
      assertEquals(1, count("SELECT COUNT(*) " + journal, pid), "the marker");
      assertEquals(1, count("SELECT COUNT(*) FROM \"snapshot\" WHERE \"persistence_id\" = ?", pid));
      List<String> after = stored(kit);
      assertTrue(!after.contains("doomed") && after.contains("made"), "" + after);
    } finally {
      kit.shutdownTestKit();
    }
    ActorTestKit again = ActorTestKit.create(name() + "-delete-again", config);
    try {
      ActorRef<Command> doomed = again.spawn(QueueEntity.create("doomed", settings(10)));
      TestProbe<QueueStats> stats = again.createTestProbe();
      doomed.tell(new GetStats(stats.ref()));
      QueueStats s = stats.receiveMessage(Duration.ofSeconds(10));
      assertEquals(0, s.depth());
      assertEquals(0, s.published());
      TestProbe<StatusReply<Enqueued>> replies = again.createTestProbe();
      doomed.tell(Publish.of(msg("anew"), replies.ref()));
      assertEquals(
          31,
          replies.receiveMessage(Duration.ofSeconds(10)).getValue().seq(),
          "seqs go on from the deleted messages' (the snapshot kept them)");
      assertTrue(stored(again).contains("doomed"), "used again: listed again");
    } finally {
      again.shutdownTestKit();
      journalDone(config);
    }
  }

  private static List<String> stored(ActorTestKit kit) throws Exception {
    return new QueueCatalog(kit.system())
        .stored()
        .toCompletableFuture()
        .get(10, java.util.concurrent.TimeUnit.SECONDS);
  }

  private static List<String> payloads(Peeked p) {
    return p.messages().stream().map(m -> m.envelope().payload().utf8String()).toList();
  }

  private List<Long> sequenceNumbers(String pid) {
    try (Connection c = connect();
        PreparedStatement st =
            c.prepareStatement(
                "SELECT \"sequence_number\" FROM \"event_journal\" WHERE \"persistence_id\" = ?"
                    + " ORDER BY 1")) {
      st.setString(1, pid);
      List<Long> out = new ArrayList<>();
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) out.add(rs.getLong(1));
      }
      return out;
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private long count(String sql, String pid) {
    try (Connection c = connect();
        PreparedStatement st = c.prepareStatement(sql)) {
      st.setString(1, pid);
      try (ResultSet rs = st.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
