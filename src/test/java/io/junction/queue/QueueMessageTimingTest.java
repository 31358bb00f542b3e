package io.junction.queue;

import static io.junction.queue.QueueEntityTest.defaults;
import static io.junction.queue.QueueEntityTest.lease;
import static io.junction.queue.QueueEntityTest.settings;
import static io.junction.queue.QueueEntityTest.stats;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.junction.message.Envelope;
import io.junction.queue.QueueEntity.*;
import io.junction.queue.QueueSettings.Overflow;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** A message's own delay ({@code x-delay}) and TTL ({@code expiration}), from its headers. */
class QueueMessageTimingTest {
  static final ActorTestKit testKit = QueueEntityTest.newTestKit();

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  static EventSourcedBehaviorTestKit<Command, QueueEvent, QueueState> kit(QueueSettings s) {
    return QueueEntityTest.kit(testKit, s);
  }

  static Envelope msg(String text, Map<String, String> headers) {
    Envelope e = Envelope.of("test", "", "text/plain", ByteString.fromString(text), Map.of());
    for (var h : headers.entrySet()) e = e.withHeader(h.getKey(), h.getValue());
    return e;
  }

  static StatusReply<Enqueued> publish(
      EventSourcedBehaviorTestKit<Command, QueueEvent, QueueState> kit,
      String text,
      Map<String, String> headers) {
    return kit.<StatusReply<Enqueued>>runCommand(
            r -> new Publish(msg(text, headers), Duration.ZERO, r))
        .reply();
  }

  static List<DeadLetter> deadLetters(
      EventSourcedBehaviorTestKit<Command, QueueEvent, QueueState> kit) {
    return kit.<DeadLetters>runCommand(r -> new PeekDeadLetters(10, r)).reply().deadLetters();
  }

  static void until(Runnable check) {
    TestProbe<Object> probe = testKit.createTestProbe();
    probe.awaitAssert(
        Duration.ofSeconds(5),
        () -> {
          check.run();
          return null;
        });
  }

  @Test
  void aMessagesOwnExpirationDeadLettersItAndLeavesTheOthers() {
    var kit = kit(defaults()); // no queue TTL
    assertTrue(publish(kit, "short", Map.of("expiration", "100")).isSuccess());
    assertTrue(publish(kit, "long", Map.of()).isSuccess());
    until(() -> assertEquals(1, stats(kit).deadLettered())); // the sweep finds it at the head
    DeadLetter dl = deadLetters(kit).get(0);
    assertEquals("short", new String(dl.message().payload()));
    assertEquals("ttl expired", dl.reason());
    assertEquals(
        List.of("long"),
        lease(kit, 5, Duration.ofSeconds(10)).stream().map(QueueEntityTest::text).toList());
  }

  @Test
  void theShorterOfTheQueuesTtlAndTheMessagesOwnApplies() {
    var kit = kit(settings(5, Duration.ofMillis(100), 0, Overflow.REJECT_PUBLISH));
    assertTrue(publish(kit, "own is longer", Map.of("expiration", "600000")).isSuccess());
    until(() -> assertEquals(1, stats(kit).deadLettered()));
    var longQueue = kit(settings(5, Duration.ofMinutes(10), 0, Overflow.REJECT_PUBLISH));
    assertTrue(publish(longQueue, "own is shorter", Map.of("expiration", "100")).isSuccess());
    until(() -> assertEquals(1, stats(longQueue).deadLettered()));
  }

  @Test
  void anExpiredMessageBehindTheHeadIsNeverDelivered() {
    var kit = kit(defaults());
    long published = System.currentTimeMillis();
    publish(kit, "a", Map.of());
    publish(kit, "b", Map.of("expiration", "100"));
    publish(kit, "c", Map.of());
    // b's TTL is up: time passing is what this test is about (a lease now would still get b).
    until(() -> assertTrue(System.currentTimeMillis() > published + 150));
    Peeked peeked = kit.<Peeked>runCommand(r -> new Peek(5, r)).reply();
    assertEquals(
        List.of("a", "c"),
        peeked.messages().stream().map(m -> m.envelope().payload().utf8String()).toList(),
        "peek does not show it either");
    List<Delivery> got = lease(kit, 3, Duration.ofSeconds(10));
    assertEquals(List.of("a", "c"), got.stream().map(QueueEntityTest::text).toList());
    until(() -> assertEquals(1, stats(kit).deadLettered()));
    assertEquals("b", new String(deadLetters(kit).get(0).message().payload()));
  }

  @Test
  void xDelayHoldsAMessageBackAndItsTtlCountsFromWhenItIsDue() {
    var kit = kit(defaults());
    // Due in 300 ms, then 250 ms to live: counted from the publish it would expire before due.
    assertTrue(publish(kit, "later", Map.of("x-delay", "300", "expiration", "250")).isSuccess());
    publish(kit, "now", Map.of());
    assertEquals(
        List.of("now"),
        lease(kit, 5, Duration.ofSeconds(10)).stream().map(QueueEntityTest::text).toList());
    assertEquals(1, stats(kit).delayed());
    // A long poll: answered as soon as the sweep (every 50 ms) finds it due.
    List<Delivery> later =
        kit.<Leased>runCommand(r -> new Lease(5, Duration.ofSeconds(10), Duration.ofSeconds(5), r))
            .reply()
            .deliveries();
    assertEquals(List.of("later"), later.stream().map(QueueEntityTest::text).toList());
    assertEquals(0, stats(kit).deadLettered());
    // The delay was this queue's: gone from the message, its TTL header kept.
    assertEquals(Map.of("expiration", "250"), later.get(0).envelope().headers());
  }

  @Test
  void aBadTimingHeaderRefusesThePublishNamingTheHeader() {
    var kit = kit(defaults());
    for (Map<String, String> bad :
        List.of(
            Map.of("x-delay", "soon"),
            Map.of("x-delay", "-5"),
            Map.of("expiration", "0"),
            Map.of("expiration", "1.5"))) {
      StatusReply<Enqueued> reply = publish(kit, "x", bad);
      assertTrue(reply.isError(), bad.toString());
      String why = reply.getError().getMessage();
      String header = bad.keySet().iterator().next();
      assertTrue(why.contains("header " + header + " must be whole milliseconds"), why);
      assertTrue(why.contains("was '" + bad.get(header) + "'"), why);
    }
    var batch =
        kit.<StatusReply<EnqueuedBatch>>runCommand(
                r ->
                    new PublishBatch(
                        List.of(msg("fine", Map.of()), msg("bad", Map.of("x-delay", "x"))), r))
            .reply();
    assertTrue(
        batch.getError().getMessage().contains("message 1: header x-delay"), batch.toString());
    assertEquals(0, stats(kit).depth(), "nothing of a refused publish is stored");
  }

  @Test
  void timingFromHeadersParsesWholeMilliseconds() {
    assertEquals(new MessageTiming(0, 0), MessageTiming.of(msg("x", Map.of())));
    assertEquals(new MessageTiming(1500, 0), MessageTiming.of(msg("x", Map.of("x-delay", "1500"))));
    assertEquals(
        new MessageTiming(0, 60000), MessageTiming.of(msg("x", Map.of("expiration", " 60000 "))));
    assertEquals(null, MessageTiming.problem(List.of(msg("x", Map.of("x-delay", "0")))));
  }
}
