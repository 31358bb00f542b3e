package io.junction.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.junction.message.Envelope;
import io.junction.queue.QueueEntity.*;
import io.junction.queue.QueueSettings.Overflow;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit.CommandResultWithReply;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Queue semantics against the in-memory journal (events and snapshots serialized). */
class QueueEntityTest {

  static final ActorTestKit testKit = newTestKit();

  /** An actor system for queue kits; the kit itself serializes every command, reply and event. */
  static ActorTestKit newTestKit() {
    return ActorTestKit.create(
        EventSourcedBehaviorTestKit.config().withFallback(ConfigFactory.load()));
  }

  static final AtomicInteger ids = new AtomicInteger();

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  static QueueSettings settings(int maxDeliveries, Duration ttl, int maxLength, Overflow overflow) {
    return new QueueSettings(
        maxDeliveries,
        Duration.ofSeconds(30),
        ttl,
        maxLength,
        overflow,
        1000,
        100,
        QueueSettings.DEFAULTS.snapshotMaxBytes(),
        Duration.ofMillis(50),
        100,
        false);
  }

  static QueueSettings defaults() {
    return settings(5, Duration.ZERO, 0, Overflow.REJECT_PUBLISH);
  }

  static String uniqueName() {
    return "q" + ids.incrementAndGet();
  }

  static EventSourcedBehaviorTestKit<Command, QueueEvent, QueueState> kit(QueueSettings s) {
    return kit(testKit, s);
  }

  /** A queue on {@code kit}'s actor system: other test classes bring their own (see stop()). */
  static EventSourcedBehaviorTestKit<Command, QueueEvent, QueueState> kit(
      ActorTestKit kit, QueueSettings s) {
    return EventSourcedBehaviorTestKit.create(
        kit.system(),
        QueueEntity.create(uniqueName(), s),
        // The live state is mutable and never leaves the entity; its snapshot form is verified.
        EventSourcedBehaviorTestKit.enabledSerializationSettings().withVerifyState(false));
  }

  static Envelope msg(String text) {
    return Envelope.of("test", "", "text/plain", ByteString.fromString(text), Map.of());
  }

  static CommandResultWithReply<Command, QueueEvent, QueueState, StatusReply<Enqueued>> publish(
      EventSourcedBehaviorTestKit<Command, QueueEvent, QueueState> kit, String text) {
    return kit.runCommand(r -> new Publish(msg(text), Duration.ZERO, r));
  }

  static List<Delivery> lease(
      EventSourcedBehaviorTestKit<Command, QueueEvent, QueueState> kit, int max, Duration vis) {
    return kit.<Leased>runCommand(r -> new Lease(max, vis, r)).reply().deliveries();
  }

  static String text(Delivery d) {
    return d.envelope().payload().utf8String();
  }

  static QueueStats stats(EventSourcedBehaviorTestKit<Command, QueueEvent, QueueState> kit) {
    return kit.<QueueStats>runCommand(GetStats::new).reply();
  }

  @Test
  void publishIsAcknowledgedWithItsSeqOnceItsEventIsPersisted() {
    var kit = kit(defaults());
    var result = publish(kit, "a");
    assertTrue(result.reply().isSuccess());
    assertEquals(1, result.reply().getValue().seq());
    var event = result.eventOfType(QueueEvent.MessagesPublished.class);
    assertEquals(1, event.messages().size());
    assertEquals("a", new String(event.messages().get(0).payload()));
  }

  @Test
  void leaseDeliversInFifoOrderAndAckRemovesTheMessages() {
    var kit = kit(defaults());
    publish(kit, "a");
    publish(kit, "b");
    publish(kit, "c");
    List<Delivery> got = lease(kit, 2, Duration.ofSeconds(10));
    assertEquals(List.of("a", "b"), got.stream().map(QueueEntityTest::text).toList());
    assertEquals(1, got.get(0).deliveryCount());
    var acked =
        kit.<Settled>runCommand(
            r -> new Ack(List.of(got.get(0).receiptId(), got.get(1).receiptId(), "bogus"), r));
    assertEquals(new Settled(2, List.of("bogus")), acked.reply());
    assertEquals(List.of(1L, 2L), acked.eventOfType(QueueEvent.MessagesAcked.class).seqs());
    assertEquals(
        List.of("c"),
        lease(kit, 5, Duration.ofSeconds(10)).stream().map(QueueEntityTest::text).toList());
  }

  @Test
  void nackWithRequeueRedeliversWithAHigherDeliveryCount() {
    var kit = kit(defaults());
    publish(kit, "a");
    publish(kit, "b");
    Delivery first = lease(kit, 1, Duration.ofSeconds(10)).get(0);
    var nacked =
        kit.<Settled>runCommand(r -> new Nack(List.of(first.receiptId()), true, Duration.ZERO, r));
    assertEquals(1, nacked.reply().settled());
    assertEquals(
        List.of(new QueueEvent.Returned(1, 1, 0)),
        nacked.eventOfType(QueueEvent.MessagesReturned.class).returned());
    Delivery again = lease(kit, 1, Duration.ofSeconds(10)).get(0);
    assertEquals("a", text(again)); // back at its place: FIFO by publish order
    assertEquals(2, again.deliveryCount());
  }

  @Test
  void nackWithoutRequeueDeadLettersTheMessageWithItsReason() {
    var kit = kit(defaults());
    publish(kit, "poison");
    Delivery d = lease(kit, 1, Duration.ofSeconds(10)).get(0);
    kit.<Settled>runCommand(r -> new Nack(List.of(d.receiptId()), false, Duration.ZERO, r));
    DeadLetters dl = kit.<DeadLetters>runCommand(r -> new PeekDeadLetters(10, r)).reply();
    assertEquals(1, dl.deadLetters().size());
    assertEquals("rejected by consumer", dl.deadLetters().get(0).reason());
    assertEquals(0, stats(kit).depth());
  }

  @Test
  void redeliversUnackedMessageAfterItsLeaseExpires() {
    var kit = kit(defaults());
    publish(kit, "a");
    assertEquals(1, lease(kit, 1, Duration.ofMillis(100)).size());
    assertEquals(0, lease(kit, 1, Duration.ofMillis(100)).size());
    TestProbe<Object> probe = testKit.createTestProbe();
    probe.awaitAssert(
        Duration.ofSeconds(5),
        () -> {
          List<Delivery> again = lease(kit, 1, Duration.ofSeconds(10));
          assertEquals(1, again.size());
          assertEquals(2, again.get(0).deliveryCount());
          return null;
        });
  }

  @Test
  void deadLettersAMessageAfterMaxDeliveriesWithTheReason() {
    var kit = kit(settings(2, Duration.ZERO, 0, Overflow.REJECT_PUBLISH));
    publish(kit, "a");
    for (int i = 0; i < 2; i++) {
      Delivery d = lease(kit, 1, Duration.ofSeconds(10)).get(0);
      kit.<Settled>runCommand(r -> new Nack(List.of(d.receiptId()), true, Duration.ZERO, r));
    }
    assertEquals(0, lease(kit, 1, Duration.ofSeconds(10)).size());
    DeadLetter dl =
        kit.<DeadLetters>runCommand(r -> new PeekDeadLetters(10, r)).reply().deadLetters().get(0);
    assertEquals("max-deliveries (2) reached: nacked", dl.reason());
    assertEquals(1, dl.message().deliveries());
    assertEquals(1, stats(kit).deadLettered());
  }

  @Test
  void deadLettersMessagesWhoseTtlExpired() {
    var kit = kit(settings(5, Duration.ofMillis(150), 0, Overflow.REJECT_PUBLISH));
    publish(kit, "old");
    TestProbe<Object> probe = testKit.createTestProbe();
    probe.awaitAssert(
        Duration.ofSeconds(5),
        () -> {
          assertEquals(1, stats(kit).deadLettered());
          return null;
        });
    DeadLetters dl = kit.<DeadLetters>runCommand(r -> new PeekDeadLetters(10, r)).reply();
    assertEquals("ttl expired", dl.deadLetters().get(0).reason());
    assertEquals(0, lease(kit, 1, Duration.ofSeconds(1)).size());
  }

  @Test
  void rejectPublishOverflowAnswersWithAClearErrorAndKeepsTheQueue() {
    var kit = kit(settings(5, Duration.ZERO, 2, Overflow.REJECT_PUBLISH));
    publish(kit, "a");
    publish(kit, "b");
    var third = publish(kit, "c");
    assertTrue(third.reply().isError());
    assertTrue(
        third.reply().getError().getMessage().contains("is full: max-length (2) reached"),
        third.reply().getError().getMessage());
    assertTrue(third.hasNoEvents());
    assertEquals(2, stats(kit).depth());
  }

  @Test
  void dropOldestOverflowMovesTheOldestMessageToTheDeadLetters() {
    var kit = kit(settings(5, Duration.ZERO, 2, Overflow.DROP_OLDEST));
    publish(kit, "a");
    publish(kit, "b");
    assertTrue(publish(kit, "c").reply().isSuccess());
    List<Delivery> got = lease(kit, 5, Duration.ofSeconds(10));
    assertEquals(List.of("b", "c"), got.stream().map(QueueEntityTest::text).toList());
    DeadLetter dl =
        kit.<DeadLetters>runCommand(r -> new PeekDeadLetters(10, r)).reply().deadLetters().get(0);
    assertEquals("a", new String(dl.message().payload()));
    assertEquals("overflow: max-length (2) reached", dl.reason());
  }

  @Test
  void purgeRemovesEveryMessageButKeepsDeadLetters() {
    var kit = kit(defaults());
    publish(kit, "a");
    publish(kit, "b");
    lease(kit, 1, Duration.ofSeconds(10));
    var purged = kit.<Purged>runCommand(Purge::new);
    assertEquals(2, purged.reply().removed());
    assertInstanceOf(QueueEvent.QueuePurged.class, purged.event());
    QueueStats s = stats(kit);
    assertEquals(0, s.depth());
    assertEquals(0, s.inFlight());
  }

  @Test
  void peekShowsTheFirstMessagesWithoutLeasingThem() {
    var kit = kit(defaults());
    publish(kit, "a");
    publish(kit, "b");
    publish(kit, "c");
    Peeked p = kit.<Peeked>runCommand(r -> new Peek(2, r)).reply();
    assertEquals(
        List.of("a", "b"),
        p.messages().stream().map(m -> m.envelope().payload().utf8String()).toList());
    assertEquals(3, lease(kit, 5, Duration.ofSeconds(10)).size());
  }

  @Test
  void statsCountPublishedDeliveredAckedAndInFlight() {
    var kit = kit(defaults());
    publish(kit, "a");
    publish(kit, "b");
    publish(kit, "c");
    List<Delivery> got = lease(kit, 2, Duration.ofSeconds(10));
    kit.<Settled>runCommand(r -> new Ack(List.of(got.get(0).receiptId()), r));
    QueueStats s = stats(kit);
    assertEquals(3, s.published());
    assertEquals(2, s.delivered());
    assertEquals(1, s.acked());
    assertEquals(1, s.inFlight());
    assertEquals(1, s.depth());
  }

  @Test
  void delayedMessageIsNotDeliveredBeforeItsDelay() {
    var kit = kit(defaults());
    kit.<StatusReply<Enqueued>>runCommand(
        r -> new Publish(msg("later"), Duration.ofMillis(300), r));
    publish(kit, "now");
    assertEquals(
        List.of("now"),
        lease(kit, 5, Duration.ofSeconds(10)).stream().map(QueueEntityTest::text).toList());
    assertEquals(1, stats(kit).delayed());
    TestProbe<Object> probe = testKit.createTestProbe();
    probe.awaitAssert(
        Duration.ofSeconds(5),
        () -> {
          assertEquals(
              List.of("later"),
              lease(kit, 5, Duration.ofSeconds(10)).stream().map(QueueEntityTest::text).toList());
          return null;
        });
  }

  @Test
  void redriveMovesDeadLettersBackToTheTailWithAFreshCount() {
    var kit = kit(defaults());
    publish(kit, "a");
    Delivery d = lease(kit, 1, Duration.ofSeconds(10)).get(0);
    kit.<Settled>runCommand(r -> new Nack(List.of(d.receiptId()), false, Duration.ZERO, r));
    assertEquals(1, kit.<Redriven>runCommand(r -> new RedriveDeadLetters(10, r)).reply().moved());
    Delivery again = lease(kit, 1, Duration.ofSeconds(10)).get(0);
    assertEquals("a", text(again));
    assertEquals(1, again.deliveryCount());
    assertEquals(0, stats(kit).deadLetters());
  }

  @Test
  void restartRecoversMessagesAndTheirDeliveryCountsAndFlagsLostLeasesRedelivered() {
    var kit = kit(defaults());
    publish(kit, "a");
    publish(kit, "b");
    Delivery d = lease(kit, 1, Duration.ofSeconds(10)).get(0);
    assertEquals(false, d.redelivered());
    kit.<Settled>runCommand(r -> new Nack(List.of(d.receiptId()), true, Duration.ZERO, r));
    List<Delivery> first = lease(kit, 2, Duration.ofSeconds(10)); // both in flight, not acked
    assertEquals(List.of(true, false), first.stream().map(Delivery::redelivered).toList());
    kit.restart();
    publish(kit, "c");
    List<Delivery> got = lease(kit, 5, Duration.ofSeconds(10));
    assertEquals(List.of("a", "b", "c"), got.stream().map(QueueEntityTest::text).toList());
    // Counts are the journaled failures; the lease the restart lost shows as the flag.
    assertEquals(List.of(2, 1, 1), got.stream().map(Delivery::deliveryCount).toList());
    assertEquals(List.of(true, true, false), got.stream().map(Delivery::redelivered).toList());
  }

  @Test
  void aRestartBeforeAnyDeliveryFlagsNothing() {
    var kit = kit(defaults());
    publish(kit, "a");
    kit.restart();
    assertEquals(0, kit.getState().deliveryMark, "no consumer, no mark written");
    Delivery d = lease(kit, 1, Duration.ofSeconds(10)).get(0);
    assertEquals("a", text(d));
    assertEquals(false, d.redelivered());
  }

  @Test
  void onlyMessagesUnderTheDeliveryMarkAreFlaggedAfterARestart() {
    long ahead = QueueBehavior.DELIVERY_MARK_AHEAD;
    int total = (int) ahead + 1500;
    var kit = kit(defaults());
    for (int i = 0; i < total; i += 1000) {
      List<Envelope> batch = new java.util.ArrayList<>();
      for (int j = i; j < Math.min(total, i + 1000); j++) batch.add(msg("m" + (j + 1)));
      assertTrue(
          kit.<StatusReply<EnqueuedBatch>>runCommand(r -> new PublishBatch(batch, r))
              .reply()
              .isSuccess());
    }
    Delivery one = lease(kit, 1, Duration.ofSeconds(10)).get(0); // seq 1: the mark goes to 1+ahead
    assertEquals(1, one.seq());
    assertEquals(1 + ahead, kit.getState().deliveryMark);
    kit.restart();
    List<Delivery> all = new java.util.ArrayList<>();
    while (all.size() < total) {
      List<Delivery> got = lease(kit, 1000, Duration.ofSeconds(60));
      assertTrue(!got.isEmpty(), "leased " + all.size() + " of " + total);
      all.addAll(got);
    }
    for (Delivery d : all) {
      assertEquals(d.seq() <= 1 + ahead, d.redelivered(), "seq " + d.seq());
      assertEquals(1, d.deliveryCount(), "seq " + d.seq());
    }
    // Deliveries moved the mark on: the new one covers everything this incarnation gave out.
    assertTrue(kit.getState().deliveryMark >= total, "mark " + kit.getState().deliveryMark);
  }
}
