package io.junction.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.junction.message.Envelope;
import io.junction.queue.QueueEntity.*;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.PersistenceTestKitPlugin;
import org.apache.pekko.persistence.testkit.PersistenceTestKitSnapshotPlugin;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Batching, journal failures, push subscribers and the registry, on the in-memory journal. */
class QueueDeliveryTest {

  static final ActorTestKit testKit =
      ActorTestKit.create(
          PersistenceTestKitPlugin.config()
              .withFallback(PersistenceTestKitSnapshotPlugin.config())
              .withFallback(ConfigFactory.load()));

  static final PersistenceTestKit journal = PersistenceTestKit.create(testKit.system());
  static final AtomicInteger ids = new AtomicInteger();

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  static String uniqueName() {
    return "d" + ids.incrementAndGet();
  }

  static Envelope msg(String text) {
    return Envelope.of("test", "", "text/plain", ByteString.fromString(text), Map.of());
  }

  static ActorRef<Command> spawn(String name) {
    return testKit.spawn(QueueEntity.create(name, QueueEntityTest.defaults()));
  }

  static void publishAll(ActorRef<Command> q, int n) {
    TestProbe<StatusReply<Enqueued>> replies = testKit.createTestProbe();
    for (int i = 0; i < n; i++) q.tell(new Publish(msg("m" + i), Duration.ZERO, replies.ref()));
    for (int i = 0; i < n; i++)
      assertTrue(replies.receiveMessage(Duration.ofSeconds(10)).isSuccess());
  }

  @Test
  void handOffWritesBufferedPublishesThenStops() {
    String name = uniqueName();
    ActorRef<Command> q = spawn(name);
    publishAll(q, 1); // recovered and running
    TestProbe<StatusReply<Enqueued>> replies = testKit.createTestProbe();
    // Told together, the publishes are still in the write buffer when the hand-off arrives: their
    // Flush is queued behind it.
    for (int i = 0; i < 20; i++) q.tell(new Publish(msg("h" + i), Duration.ZERO, replies.ref()));
    q.tell(HandOff.INSTANCE);
    for (int i = 0; i < 20; i++) {
      StatusReply<Enqueued> r = replies.receiveMessage(Duration.ofSeconds(10));
      assertTrue(r.isSuccess(), "acknowledged, not refused: " + r);
    }
    replies.expectTerminated(q, Duration.ofSeconds(10));

    TestProbe<Peeked> peek = testKit.createTestProbe();
    spawn(name).tell(new Peek(100, peek.ref()));
    assertEquals(21, peek.receiveMessage(Duration.ofSeconds(10)).messages().size());
  }

  @Test
  void concurrentPublishesAreBatchedIntoFewerJournalWritesThanMessages() {
    String name = uniqueName();
    ActorRef<Command> q = spawn(name);
    publishAll(q, 500);
    List<Object> events = journal.persistedInStorage(QueueEntity.persistenceId(name).id());
    int messages = 0;
    for (Object e : events) messages += ((QueueEvent.MessagesPublished) e).messages().size();
    assertEquals(500, messages);
    assertTrue(events.size() <= 50, "500 publishes took " + events.size() + " journal writes");
  }

  @Test
  void journalWriteFailureFailsThePublisherAndAppliesNothing() {
    String name = uniqueName();
    ActorRef<Command> q = spawn(name);
    publishAll(q, 1);
    journal.failNextPersisted(QueueEntity.persistenceId(name).id());
    TestProbe<StatusReply<Enqueued>> replies = testKit.createTestProbe();
    q.tell(new Publish(msg("lost"), Duration.ZERO, replies.ref()));
    StatusReply<Enqueued> reply = replies.receiveMessage(Duration.ofSeconds(5));
    assertTrue(reply.isError());
    assertTrue(
        reply.getError().getMessage().contains("publish again"), reply.getError().getMessage());
    TestProbe<QueueStats> stats = testKit.createTestProbe();
    stats.awaitAssert(
        Duration.ofSeconds(10),
        () -> {
          q.tell(new GetStats(stats.ref()));
          QueueStats s = stats.receiveMessage(Duration.ofMillis(500));
          assertEquals(1, s.depth());
          assertEquals(1, s.published());
          return null;
        });
    publishAll(q, 1); // after the backoff restart the queue works again
  }

  static QueueSettings deliverBeforeDurable(boolean on) {
    QueueSettings d = QueueEntityTest.defaults();
    return new QueueSettings(
        d.maxDeliveries(),
        d.ackTimeout(),
        d.ttl(),
        d.maxLength(),
        d.overflow(),
        d.maxBatch(),
        d.snapshotEvery(),
        d.snapshotMaxBytes(),
        d.sweepInterval(),
        d.maxDeadLetters(),
        on);
  }

  // What deliver-before-durable weakens, shown: the consumer gets a message whose write failed.
  @Test
  void deliverBeforeDurableDeliversAMessageWhoseWriteThenFails() {
    String name = uniqueName();
    ActorRef<Command> q = testKit.spawn(QueueEntity.create(name, deliverBeforeDurable(true)));
    publishAll(q, 1); // recovered and running
    TestProbe<Delivery> consumer = testKit.createTestProbe();
    q.tell(new Subscribe(consumer.ref(), 10));
    assertEquals(
        "m0", consumer.receiveMessage(Duration.ofSeconds(5)).envelope().payload().utf8String());
    journal.failNextPersisted(QueueEntity.persistenceId(name).id());
    TestProbe<StatusReply<Enqueued>> replies = testKit.createTestProbe();
    q.tell(new Publish(msg("never stored"), Duration.ZERO, replies.ref()));
    Delivery early = consumer.receiveMessage(Duration.ofSeconds(5));
    assertEquals("never stored", early.envelope().payload().utf8String());
    assertTrue(replies.receiveMessage(Duration.ofSeconds(5)).isError());
  }

  @Test
  void byDefaultAMessageIsDeliveredOnlyOnceDurable() {
    String name = uniqueName();
    ActorRef<Command> q = testKit.spawn(QueueEntity.create(name, deliverBeforeDurable(false)));
    publishAll(q, 1);
    TestProbe<Delivery> consumer = testKit.createTestProbe();
    q.tell(new Subscribe(consumer.ref(), 10));
    consumer.receiveMessage(Duration.ofSeconds(5));
    journal.failNextPersisted(QueueEntity.persistenceId(name).id());
    TestProbe<StatusReply<Enqueued>> replies = testKit.createTestProbe();
    q.tell(new Publish(msg("never stored"), Duration.ZERO, replies.ref()));
    assertTrue(replies.receiveMessage(Duration.ofSeconds(5)).isError());
    consumer.expectNoMessage(Duration.ofMillis(300));
  }

  @Test
  void deliverBeforeDurableStillStoresAndSettlesNormally() {
    String name = uniqueName();
    ActorRef<Command> q = testKit.spawn(QueueEntity.create(name, deliverBeforeDurable(true)));
    TestProbe<Delivery> consumer = testKit.createTestProbe();
    q.tell(new Subscribe(consumer.ref(), 100));
    publishAll(q, 50);
    List<String> receipts = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      Delivery d = consumer.receiveMessage(Duration.ofSeconds(5));
      assertEquals("m" + i, d.envelope().payload().utf8String(), "FIFO");
      receipts.add(d.receiptId());
    }
    TestProbe<Settled> settled = testKit.createTestProbe();
    q.tell(new Ack(receipts, settled.ref()));
    assertEquals(50, settled.receiveMessage(Duration.ofSeconds(5)).settled());
    TestProbe<QueueStats> stats = testKit.createTestProbe();
    q.tell(new GetStats(stats.ref()));
    QueueStats s = stats.receiveMessage(Duration.ofSeconds(5));
    assertEquals(0, s.depth() + s.inFlight());
    assertEquals(50, s.acked());
  }

  @Test
  void recoversAfterAFailedJournalRead() {
    String name = uniqueName();
    String pid = QueueEntity.persistenceId(name).id();
    journal.persistForRecovery(
        pid,
        List.of(
            new QueueEvent.MessagesPublished(List.of(StoredMessage.of(1, 1, 0, 0, msg("kept"))))));
    journal.failNextRead(pid);
    ActorRef<Command> q = spawn(name);
    TestProbe<Peeked> peek = testKit.createTestProbe();
    peek.awaitAssert(
        Duration.ofSeconds(10),
        () -> {
          q.tell(new Peek(10, peek.ref()));
          Peeked p = peek.receiveMessage(Duration.ofMillis(500));
          assertEquals(1, p.messages().size());
          assertEquals("kept", p.messages().get(0).envelope().payload().utf8String());
          return null;
        });
  }

  @Test
  void subscriberGetsPipelinedDeliveriesUpToItsPrefetch() {
    ActorRef<Command> q = spawn(uniqueName());
    publishAll(q, 10);
    TestProbe<Delivery> consumer = testKit.createTestProbe();
    q.tell(new Subscribe(consumer.ref(), 4));
    List<Delivery> first = consumer.receiveSeveralMessages(4, Duration.ofSeconds(5));
    assertEquals(List.of("m0", "m1", "m2", "m3"), texts(first));
    consumer.expectNoMessage(Duration.ofMillis(200));
    q.tell(new Ack(List.of(first.get(0).receiptId(), first.get(1).receiptId()), null));
    assertEquals(
        List.of("m4", "m5"), texts(consumer.receiveSeveralMessages(2, Duration.ofSeconds(5))));
    consumer.expectNoMessage(Duration.ofMillis(200));
  }

  @Test
  void newPublishesArePushedToAnIdleSubscriber() {
    ActorRef<Command> q = spawn(uniqueName());
    TestProbe<Delivery> consumer = testKit.createTestProbe();
    q.tell(new Subscribe(consumer.ref(), 2));
    publishAll(q, 1);
    Delivery d = consumer.receiveMessage(Duration.ofSeconds(5));
    assertEquals("m0", d.envelope().payload().utf8String());
    assertEquals(1, d.deliveryCount());
  }

  @Test
  void unsubscribeReturnsUnackedDeliveriesToTheQueue() {
    ActorRef<Command> q = spawn(uniqueName());
    publishAll(q, 3);
    TestProbe<Delivery> consumer = testKit.createTestProbe();
    q.tell(new Subscribe(consumer.ref(), 2));
    consumer.receiveSeveralMessages(2, Duration.ofSeconds(5));
    q.tell(new Unsubscribe(consumer.ref()));
    TestProbe<Leased> leased = testKit.createTestProbe();
    q.tell(new Lease(10, Duration.ofSeconds(10), leased.ref()));
    List<Delivery> got = leased.receiveMessage(Duration.ofSeconds(5)).deliveries();
    assertEquals(List.of("m0", "m1", "m2"), texts(got));
    assertEquals(1, got.get(0).deliveryCount()); // a clean unsubscribe is not a failed delivery
  }

  @Test
  void registryRoutesByQueueNameAndCreatesUndeclaredQueuesOnDemand() {
    var settings =
        new Queues.Settings(
            QueueEntityTest.defaults(),
            Map.of("declared-" + uniqueName(), QueueEntityTest.defaults()));
    var queues = testKit.spawn(Queues.create(settings));
    String a = uniqueName();
    String b = uniqueName();
    TestProbe<StatusReply<Enqueued>> replies = testKit.createTestProbe();
    queues.tell(new ShardingEnvelope<>(a, new Publish(msg("to-a"), Duration.ZERO, replies.ref())));
    assertTrue(replies.receiveMessage(Duration.ofSeconds(5)).isSuccess());
    TestProbe<QueueStats> stats = testKit.createTestProbe();
    queues.tell(new ShardingEnvelope<>(a, new GetStats(stats.ref())));
    assertEquals(1, stats.receiveMessage(Duration.ofSeconds(5)).depth());
    queues.tell(new ShardingEnvelope<>(b, new GetStats(stats.ref())));
    QueueStats sb = stats.receiveMessage(Duration.ofSeconds(5));
    assertEquals(b, sb.queue());
    assertEquals(0, sb.depth());
  }

  static List<String> texts(List<Delivery> ds) {
    List<String> out = new ArrayList<>();
    for (Delivery d : ds) out.add(d.envelope().payload().utf8String());
    return out;
  }
}
