package io.junction.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.junction.message.Envelope;
import io.junction.queue.QueueEntity.*;
import io.junction.testing.PostgresCluster;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The queue on a real PostgreSQL journal (a throwaway cluster): the schema is created idempotently,
 * messages survive a restart in order, snapshots keep the journal bounded.
 */
class QueuePostgresTest {
  private static final String PASSWORD_ENV = "JUNCTION_TEST_PG_PASSWORD";
  private static PostgresCluster pg;
  private static Config config;

  @BeforeAll
  static void startPostgres() throws Exception {
    pg = PostgresCluster.start();
    Config raw =
        ConfigFactory.parseString(
                """
                junction.journal {
                  kind = postgres
                  postgres { url = "%s", user = "%s", password-env = %s }
                }
                """
                    .formatted(pg.jdbcUrl(), pg.user(), PASSWORD_ENV))
            .withFallback(ConfigFactory.load());
    config = JournalSetup.configure(raw, var -> var.equals(PASSWORD_ENV) ? pg.password() : null);
    // Every start runs it: the second run must find everything in place and change nothing.
    JournalSetup.createSchema(config);
    JournalSetup.createSchema(config);
  }

  @AfterAll
  static void stopPostgres() throws Exception {
    if (pg != null) pg.close();
  }

  static Envelope msg(String text) {
    return Envelope.of("test", "", "text/plain", ByteString.fromString(text), Map.of());
  }

  @Test
  void schemaCreationIsIdempotentAndCreatesTheJournalTables() throws Exception {
    JournalSetup.createSchema(config);
    List<String> tables = new ArrayList<>();
    try (Connection c = pg.connect();
        ResultSet rs =
            c.createStatement()
                .executeQuery(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")) {
      while (rs.next()) tables.add(rs.getString(1));
    }
    assertEquals(List.of("durable_state", "event_journal", "event_tag", "snapshot"), tables);
  }

  @Test
  void publishedMessagesSurviveAnActorSystemRestartInOrder() {
    int n = 300;
    ActorTestKit first = ActorTestKit.create("pg-first", config);
    try {
      ActorRef<Command> q =
          first.spawn(QueueEntity.create("orders", QueueJournalH2Test.settings(10)));
      TestProbe<StatusReply<Enqueued>> replies = first.createTestProbe();
      for (int i = 0; i < n; i++) q.tell(new Publish(msg("m" + i), Duration.ZERO, replies.ref()));
      for (int i = 0; i < n; i++)
        assertTrue(replies.receiveMessage(Duration.ofSeconds(20)).isSuccess());
    } finally {
      first.shutdownTestKit();
    }
    ActorTestKit second = ActorTestKit.create("pg-second", config);
    try {
      ActorRef<Command> q =
          second.spawn(QueueEntity.create("orders", QueueJournalH2Test.settings(10)));
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
    }
  }

  @Test
  void snapshotsAndEventDeletionKeepTheJournalBoundedAndRecoveryExact() {
    ActorTestKit kit = ActorTestKit.create("pg-bounded", config);
    try {
      ActorRef<Command> q =
          kit.spawn(QueueEntity.create("bounded", QueueJournalH2Test.settings(10)));
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
            long rows = count("SELECT COUNT(*) FROM event_journal WHERE persistence_id = ?", pid);
            assertTrue(rows <= 30, "journal rows after 200 events: " + rows);
            long snapshots = count("SELECT COUNT(*) FROM snapshot WHERE persistence_id = ?", pid);
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
    ActorTestKit again = ActorTestKit.create("pg-bounded-again", config);
    try {
      ActorRef<Command> q =
          again.spawn(QueueEntity.create("bounded", QueueJournalH2Test.settings(10)));
      TestProbe<QueueStats> stats = again.createTestProbe();
      q.tell(new GetStats(stats.ref()));
      QueueStats s = stats.receiveMessage(Duration.ofSeconds(20));
      assertEquals(5, s.depth());
      assertEquals(105, s.published());
      assertEquals(100, s.acked());
    } finally {
      again.shutdownTestKit();
    }
  }

  static long count(String sql, String pid) {
    try (Connection c = pg.connect();
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
