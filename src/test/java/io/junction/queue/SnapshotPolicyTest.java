package io.junction.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.junction.message.Envelope;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** When a queue snapshots, and the size estimate that steers it. */
@Timeout(10)
class SnapshotPolicyTest {

  private static List<StoredMessage> messages(long firstSeq, int n, int size) {
    List<StoredMessage> out = new ArrayList<>();
    for (int i = 0; i < n; i++)
      out.add(
          StoredMessage.of(
              firstSeq + i,
              1,
              0,
              0,
              Envelope.of("t", "", "bin", ByteString.fromArray(new byte[size]), Map.of())));
    return out;
  }

  private static QueueEvent.MessagesPublished published(long firstSeq, int n, int size) {
    return new QueueEvent.MessagesPublished(messages(firstSeq, n, size));
  }

  @Test
  void aShallowQueueSnapshotsEveryMinEvents() {
    SnapshotPolicy policy = new SnapshotPolicy(3, 1_000_000);
    QueueState state = new QueueState(10);
    List<Boolean> due = new ArrayList<>();
    for (int i = 0; i < 9; i++) {
      QueueEvent e = published(i + 1, 1, 100);
      due.add(policy.due(state, e));
      state.apply(e);
      state.apply(new QueueEvent.MessagesAcked(List.of((long) i + 1)));
    }
    assertEquals(List.of(false, false, true, false, false, true, false, false, true), due);
  }

  @Test
  void aDeepQueueSnapshotsOnlyOnceItsEventsCarriedHalfWhatTheSnapshotHolds() {
    SnapshotPolicy policy = new SnapshotPolicy(1, Long.MAX_VALUE);
    QueueState state = new QueueState(10);
    List<Integer> snapshotAtDepth = new ArrayList<>();
    for (int i = 0; i < 64; i++) {
      QueueEvent e = published(i * 10L + 1, 10, 1000);
      if (policy.due(state, e)) snapshotAtDepth.add(state.live.size());
      state.apply(e);
    }
    // geometric: a filling queue snapshots each time it doubled, not at every event
    assertEquals(List.of(0, 10, 20, 40, 80, 160, 320), snapshotAtDepth);
  }

  @Test
  void noSnapshotAboveTheLimitUntilTheQueueShrinksUnderIt() {
    SnapshotPolicy policy = new SnapshotPolicy(1, 5_000);
    QueueState state = new QueueState(10);
    state.apply(published(1, 10, 1000)); // ~11,000 bytes held
    assertFalse(policy.due(state, published(11, 10, 1000)));
    state.apply(published(11, 10, 1000));
    List<Long> all = new ArrayList<>();
    for (long s = 1; s <= 18; s++) all.add(s);
    QueueEvent acks = new QueueEvent.MessagesAcked(all);
    assertFalse(policy.due(state, acks)); // counted on the state before the acks apply
    state.apply(acks);
    assertTrue(policy.due(state, new QueueEvent.MessagesAcked(List.of(19L))));
  }

  @Test
  void heldBytesFollowMessagesAndDeadLettersThroughEveryEvent() {
    QueueState state = new QueueState(2);
    state.apply(published(1, 4, 900));
    long one = messages(1, 1, 900).get(0).approxBytes();
    assertEquals(4 * one, state.heldBytes());
    state.apply(new QueueEvent.MessagesReturned(List.of(new QueueEvent.Returned(1, 1, 0))));
    assertEquals(4 * one, state.heldBytes());
    state.apply(
        new QueueEvent.MessagesDeadLettered(
            List.of(
                new QueueEvent.DeadLettered(1, "a"),
                new QueueEvent.DeadLettered(2, "b"),
                new QueueEvent.DeadLettered(3, "c")),
            5));
    assertEquals(3 * one, state.heldBytes(), "dead letters count; the third evicted the first");
    state.apply(new QueueEvent.DeadLettersRedriven(1, 6));
    assertEquals(3 * one, state.heldBytes());
    state.apply(new QueueEvent.MessagesAcked(List.of(4L)));
    assertEquals(2 * one, state.heldBytes());
    assertEquals(
        2 * one,
        QueueState.fromSnapshot(state.toSnapshot(), 2).heldBytes(),
        "the same after a snapshot round trip");
    state.apply(new QueueEvent.QueuePurged(7));
    state.apply(new QueueEvent.DeadLettersPurged(7));
    assertEquals(0, state.heldBytes());
  }
}
