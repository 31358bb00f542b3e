package io.junction.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import io.junction.message.Envelope;
import io.junction.queue.QueueEntity.*;
import io.junction.queue.QueueSettings.Overflow;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;

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
            long rows =
                count("SELECT COUNT(*) FROM \"event_journal\" WHERE \"persistence_id\" = ?", pid);
            assertTrue(rows <= 30, "journal rows after 200 events: " + rows);
            long snapshots =
                count("SELECT COUNT(*) FROM \"snapshot\" WHERE \"persistence_id\" = ?", pid);
            assertTrue(snapshots >= 1 && snapshots <= 3, "snapshots kept: " + snapshots);
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
