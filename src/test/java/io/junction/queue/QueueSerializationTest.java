package io.junction.queue;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.junction.message.CborSerializable;
import io.junction.message.Envelope;
import io.junction.queue.QueueEntity.*;
import io.junction.queue.QueueEvent.DeadLettered;
import io.junction.queue.QueueEvent.Returned;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.SerializerWithStringManifest;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class QueueSerializationTest {

  static final ActorTestKit testKit = ActorTestKit.create();

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  // Envelope.fields is Map<String,Object>: CBOR reads small integers back as Integer, so replies
  // carrying an envelope compare equal only with non-integral fields; StoredMessage normalizes.
  static Envelope envelope() {
    return envelopeWith(Map.of("name", "Ada"));
  }

  static Envelope envelopeWithNumbers() {
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("name", "Ada");
    fields.put("age", 36L);
    fields.put("big", 1L << 40);
    fields.put("nested", Map.of("n", 1L));
    fields.put("list", List.of(1L, 2L));
    return envelopeWith(fields);
  }

  static Envelope envelopeWith(Map<String, Object> fields) {
    return new Envelope(
        "id-1",
        "people",
        "conn-7",
        "Person",
        Map.of("h", "v"),
        ByteString.fromString("hello"),
        fields,
        1234L);
  }

  static StoredMessage stored() {
    return StoredMessage.of(7, 1000, 0, 5000, envelope());
  }

  private Object roundTrip(Object o) {
    return testKit.serializationTestKit().verifySerialization(o, false);
  }

  @Test
  void everyCommandSerializes() {
    TestProbe<Object> p = testKit.createTestProbe();
    roundTrip(new Publish(envelope(), Duration.ofSeconds(1), p.ref().narrow()));
    roundTrip(new Lease(10, Duration.ofSeconds(5), p.ref().narrow()));
    Lease longPoll = new Lease(10, Duration.ofSeconds(5), Duration.ofSeconds(2), p.ref().narrow());
    assertEquals(longPoll.waitFor(), ((Lease) roundTrip(longPoll)).waitFor());
    roundTrip(new PublishBatch(List.of(envelope(), envelope()), p.ref().narrow()));
    roundTrip(new Ack(List.of("r1", "r2"), p.ref().narrow()));
    roundTrip(new Ack(List.of("r1"), null));
    roundTrip(new Nack(List.of("r1"), true, Duration.ofMillis(100), p.ref().narrow()));
    roundTrip(new Subscribe(p.ref().narrow(), 8));
    roundTrip(new Subscribe(p.ref().narrow(), 8, p.ref().narrow()));
    roundTrip(new Unsubscribe(p.ref().narrow()));
    roundTrip(new Peek(3, p.ref().narrow()));
    roundTrip(new PeekDeadLetters(3, p.ref().narrow()));
    roundTrip(new GetStats(p.ref().narrow()));
    roundTrip(new Purge(p.ref().narrow()));
    roundTrip(new PurgeDeadLetters(p.ref().narrow()));
    roundTrip(new RedriveDeadLetters(5, p.ref().narrow()));
  }

  @Test
  void everyReplySerializes() {
    Delivery d = new Delivery("q", "r-1", 7, 2, true, envelope());
    assertEquals(d, roundTrip(d));
    assertEquals(new Enqueued("id", 3), roundTrip(new Enqueued("id", 3)));
    assertEquals(new Leased("q", List.of(d)), roundTrip(new Leased("q", List.of(d))));
    assertEquals(new Settled(1, List.of("x")), roundTrip(new Settled(1, List.of("x"))));
    QueueEntity.Subscribed subscribed =
        new QueueEntity.Subscribed("q", testKit.<Command>createTestProbe().ref());
    assertEquals(subscribed, roundTrip(subscribed));
    QueuedMessage qm = new QueuedMessage(1, 0, envelope());
    assertEquals(new Peeked("q", List.of(qm)), roundTrip(new Peeked("q", List.of(qm))));
    roundTrip(new DeadLetters("q", List.of(new DeadLetter(stored(), "ttl expired", 9))));
    assertEquals(new Purged("q", 3), roundTrip(new Purged("q", 3)));
    assertEquals(new Redriven("q", 3), roundTrip(new Redriven("q", 3)));
    QueueStats stats = new QueueStats("q", 1, 1, 0, 2, 3, 1, 10, 11, 12, 13, 4999.5, 4998.25, 4997);
    assertEquals(stats, roundTrip(stats));
    roundTrip(StatusReply.success(new Enqueued("id", 3)));
    EnqueuedBatch batch = new EnqueuedBatch(List.of(new Enqueued("a", 1), new Enqueued("b", 2)));
    assertEquals(batch, roundTrip(batch));
  }

  @Test
  void everyEventAndTheSnapshotSerialize() {
    roundTrip(new QueueEvent.MessagesPublished(List.of(stored())));
    roundTrip(new QueueEvent.MessagesAcked(List.of(1L, 2L)));
    roundTrip(new QueueEvent.MessagesReturned(List.of(new Returned(1, 2, 0))));
    roundTrip(
        new QueueEvent.MessagesDeadLettered(
            List.of(new DeadLettered(1, "rejected by consumer")), 5));
    roundTrip(new QueueEvent.QueuePurged(1));
    roundTrip(new QueueEvent.DeadLettersPurged(1));
    roundTrip(new QueueEvent.DeadLettersRedriven(10, 1));
    roundTrip(new QueueEvent.DeliveryMarked(2048));
    roundTrip(new QueueEvent.QueueCreated(1));
    roundTrip(new QueueEvent.QueueDeleted(1));
    roundTrip(
        new QueueState.Snapshot(
            8, List.of(stored()), List.of(new DeadLetter(stored(), "x", 1)), 1, 2, 3, 2056, true));
  }

  /** The snapshot as written before the delivery mark existed (the same fields, less the mark). */
  record SnapshotWithoutMark(
      long nextSeq,
      List<StoredMessage> messages,
      List<DeadLetter> deadLetters,
      long published,
      long acked,
      long deadLettered)
      implements CborSerializable {}

  @Test
  void aSnapshotFromBeforeTheDeliveryMarkReadsWithMarkZeroAndNotDeleted() throws Exception {
    var old = new SnapshotWithoutMark(8, List.of(stored()), List.of(), 1, 2, 3);
    var serializer =
        (SerializerWithStringManifest)
            SerializationExtension.get(testKit.system().classicSystem()).findSerializerFor(old);
    byte[] bytes = serializer.toBinary(old);
    var back =
        (QueueState.Snapshot)
            serializer.fromBinary(
                bytes,
                serializer.manifest(
                    new QueueState.Snapshot(0, List.of(), List.of(), 0, 0, 0, 0, false)));
    assertEquals(8, back.nextSeq());
    assertEquals(3, back.deadLettered());
    assertEquals(0, back.deliveryMark());
    assertFalse(back.deleted());
    assertEquals(1, back.messages().size());
  }

  @Test
  void storedMessageKeepsTheEnvelopeIntactIncludingLongFields() {
    StoredMessage back =
        (StoredMessage) roundTrip(StoredMessage.of(7, 1000, 0, 5000, envelopeWithNumbers()));
    assertEquals(7, back.seq());
    assertEquals(5000, back.expiresAt());
    assertArrayEquals("hello".getBytes(), back.payload());
    assertEquals(envelopeWithNumbers(), back.envelope());
  }
}
