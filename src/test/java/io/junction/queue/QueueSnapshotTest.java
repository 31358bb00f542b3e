package io.junction.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.junction.queue.QueueEntity.Command;
import io.junction.queue.QueueEntity.Enqueued;
import io.junction.queue.QueueEntity.Publish;
import io.junction.queue.QueueSettings.Overflow;
import java.time.Duration;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.PersistenceTestKitPlugin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Snapshots are saved off the command path ({@link Snapshots}): a snapshot store that takes its
 * time holds neither publishes nor their acknowledgements, and one save is in flight at a time.
 */
@Timeout(60)
class QueueSnapshotTest {
  static final ActorTestKit testKit =
      ActorTestKit.create(
          ConfigFactory.parseString(HeldSnapshotStore.CONFIG)
              .withFallback(PersistenceTestKitPlugin.config())
              .withFallback(ConfigFactory.load()));

  @AfterAll
  static void stop() {
    HeldSnapshotStore.releaseAll();
    testKit.shutdownTestKit();
  }

  @Test
  void aSnapshotBeingStoredHoldsNoPublishAndOnlyOneIsInFlight() {
    // a snapshot due after every event
    QueueSettings settings =
        new QueueSettings(
            5,
            Duration.ofSeconds(30),
            Duration.ZERO,
            0,
            Overflow.REJECT_PUBLISH,
            1000,
            1,
            QueueSettings.DEFAULTS.snapshotMaxBytes(),
            Duration.ofMillis(50),
            100,
            false);
    ActorRef<Command> q = testKit.spawn(QueueEntity.create("held", settings));
    TestProbe<StatusReply<Enqueued>> replies = testKit.createTestProbe();
    int before = HeldSnapshotStore.saves.get();

    // Each publish is its own write (the reply is awaited before the next), and a snapshot is due
    // after each. The first save never completes while this loop runs: had Pekko stored it, every
    // command after that write would wait in the stash and no second reply would come.
    for (int i = 0; i < 20; i++) {
      q.tell(new Publish(QueueDeliveryTest.msg("m" + i), Duration.ZERO, replies.ref()));
      StatusReply<Enqueued> r = replies.receiveMessage(Duration.ofSeconds(5));
      assertTrue(r.isSuccess(), "acknowledged while a snapshot is being stored: " + r);
    }
    assertEquals(1, HeldSnapshotStore.saves.get() - before, "one save in flight at a time");

    // Once the store answers, the snapshot that was due meanwhile is taken at once, without
    // waiting for another write (an idle queue would otherwise keep those events).
    HeldSnapshotStore.releaseAll();
    TestProbe<Object> probe = testKit.createTestProbe();
    probe.awaitAssert(
        Duration.ofSeconds(10),
        () -> {
          assertEquals(2, HeldSnapshotStore.saves.get() - before);
          return null;
        });
  }
}
