package io.junction.queue;

import static io.junction.queue.QueueEntityTest.defaults;
import static io.junction.queue.QueueEntityTest.msg;
import static io.junction.queue.QueueEntityTest.publish;
import static io.junction.queue.QueueEntityTest.settings;
import static io.junction.queue.QueueEntityTest.stats;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.junction.queue.QueueEntity.*;
import io.junction.queue.QueueSettings.Overflow;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Batch publish (one event, one reply, all or nothing) and long-poll leases on the entity. */
class QueueBatchAndLongPollTest {
  // Its own actor system: QueueEntityTest's is shut down when that class is done.
  static final ActorTestKit testKit = QueueEntityTest.newTestKit();

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  static EventSourcedBehaviorTestKit<Command, QueueEvent, QueueState> kit(QueueSettings s) {
    return QueueEntityTest.kit(testKit, s);
  }

  @Test
  void batchPublishIsOneEventWithConsecutiveSeqsAndOneReply() {
    var kit = kit(defaults());
    publish(kit, "first");
    var result =
        kit.<StatusReply<EnqueuedBatch>>runCommand(
            r -> new PublishBatch(List.of(msg("a"), msg("b"), msg("c")), r));
    assertTrue(result.reply().isSuccess());
    List<Enqueued> ids = result.reply().getValue().messages();
    assertEquals(List.of(2L, 3L, 4L), ids.stream().map(Enqueued::seq).toList());
    var event = result.eventOfType(QueueEvent.MessagesPublished.class);
    assertEquals(
        List.of("a", "b", "c"),
        event.messages().stream().map(m -> new String(m.payload())).toList());
    assertEquals(ids.get(0).messageId(), event.messages().get(0).id());
    assertEquals(4, stats(kit).depth());
  }

  @Test
  void batchThatDoesNotFitUnderMaxLengthIsRefusedWhole() {
    var kit = kit(settings(5, Duration.ZERO, 3, Overflow.REJECT_PUBLISH));
    publish(kit, "a");
    var result =
        kit.<StatusReply<EnqueuedBatch>>runCommand(
            r -> new PublishBatch(List.of(msg("b"), msg("c"), msg("d")), r));
    assertTrue(result.reply().isError());
    assertTrue(result.reply().getError().getMessage().contains("is full"));
    assertTrue(result.hasNoEvents());
    assertEquals(1, stats(kit).depth());
    var fits =
        kit.<StatusReply<EnqueuedBatch>>runCommand(
            r -> new PublishBatch(List.of(msg("b"), msg("c")), r));
    assertTrue(fits.reply().isSuccess());
    assertEquals(3, stats(kit).depth());
  }

  @Test
  void longPollIsAnsweredAsSoonAsAMessageArrives() {
    var kit = kit(defaults());
    TestProbe<Leased> probe = testKit.createTestProbe();
    kit.runCommand(new Lease(10, Duration.ofSeconds(30), Duration.ofSeconds(20), probe.ref()));
    probe.expectNoMessage(Duration.ofMillis(100));
    long start = System.nanoTime();
    publish(kit, "late");
    Leased got = probe.receiveMessage(Duration.ofSeconds(5));
    assertTrue(System.nanoTime() - start < Duration.ofSeconds(5).toNanos());
    assertEquals(1, got.deliveries().size());
    assertEquals("late", got.deliveries().get(0).envelope().payload().utf8String());
    assertEquals(1, stats(kit).inFlight());
  }

  @Test
  void longPollAnswersAtOnceWhenMessagesAreReady() {
    var kit = kit(defaults());
    publish(kit, "ready");
    var got =
        kit.<Leased>runCommand(
            r -> new Lease(10, Duration.ofSeconds(30), Duration.ofSeconds(20), r));
    assertEquals(1, got.reply().deliveries().size());
  }

  @Test
  void longPollTimesOutWithAnEmptyLeaseAfterItsWait() {
    var kit = kit(defaults());
    TestProbe<Leased> probe = testKit.createTestProbe();
    long start = System.nanoTime();
    kit.runCommand(new Lease(10, Duration.ofSeconds(30), Duration.ofMillis(400), probe.ref()));
    Leased got = probe.receiveMessage(Duration.ofSeconds(5));
    long elapsedMs = (System.nanoTime() - start) / 1_000_000;
    assertTrue(got.deliveries().isEmpty());
    assertTrue(elapsedMs >= 390, "answered after " + elapsedMs + " ms, before its wait");
    // the waiter is gone: a later message stays ready instead of going to it
    publish(kit, "after");
    probe.expectNoMessage(Duration.ofMillis(100));
    assertEquals(1, stats(kit).ready());
  }

  @Test
  void longPollsAreServedInArrivalOrder() {
    var kit = kit(defaults());
    TestProbe<Leased> first = testKit.createTestProbe();
    TestProbe<Leased> second = testKit.createTestProbe();
    kit.runCommand(new Lease(1, Duration.ofSeconds(30), Duration.ofSeconds(20), first.ref()));
    kit.runCommand(new Lease(1, Duration.ofSeconds(30), Duration.ofSeconds(20), second.ref()));
    publish(kit, "one");
    assertEquals(
        "one",
        first
            .receiveMessage(Duration.ofSeconds(5))
            .deliveries()
            .get(0)
            .envelope()
            .payload()
            .utf8String());
    second.expectNoMessage(Duration.ofMillis(50));
    publish(kit, "two");
    assertEquals(
        "two",
        second
            .receiveMessage(Duration.ofSeconds(5))
            .deliveries()
            .get(0)
            .envelope()
            .payload()
            .utf8String());
  }
}
