package io.junction.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.junction.message.Envelope;
import io.junction.routing.Router;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * How a route's queue consumer keeps its subscription: the test plays the queue's shard region (a
 * probe) so it can stop the queue actor, stay silent, or answer, and sees what the consumer sends.
 * The multi-node version (a real shard moving) is in {@code ClusterNodesTest}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class QueueRouteSourceTest {
  static final ActorTestKit testKit = ActorTestKit.create();

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  private static ActorRef<ShardingEnvelope<QueueEntity.Command>> startSource(
      TestProbe<ShardingEnvelope<QueueEntity.Command>> region, String queue) {
    ActorRef<Router.Command> router = testKit.spawn(Router.create(List.of()));
    testKit.spawn(QueueRouteSource.create(queue, region.ref(), router));
    return region.ref();
  }

  private static QueueEntity.Subscribe expectSubscribe(
      TestProbe<ShardingEnvelope<QueueEntity.Command>> region, String queue, Duration within) {
    ShardingEnvelope<QueueEntity.Command> e = region.receiveMessage(within);
    assertEquals(queue, e.entityId());
    return assertInstanceOf(QueueEntity.Subscribe.class, e.message());
  }

  @Test
  void subscribesAgainAtOnceWhenTheQueueActorStopsAndConsumesFromTheNewOne() {
    TestProbe<ShardingEnvelope<QueueEntity.Command>> region = testKit.createTestProbe();
    startSource(region, "moving");
    QueueEntity.Subscribe first = expectSubscribe(region, "moving", Duration.ofSeconds(5));
    TestProbe<QueueEntity.Command> oldHome = testKit.createTestProbe();
    first.replyTo().tell(new QueueEntity.Subscribed("moving", oldHome.ref()));

    long stoppedAt = System.nanoTime();
    oldHome.stop(); // the shard moved: the queue actor on the old node is gone
    QueueEntity.Subscribe again = expectSubscribe(region, "moving", Duration.ofSeconds(3));
    long afterMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stoppedAt);
    assertTrue(
        afterMs < QueueRouteSource.CHECK_INTERVAL.toMillis(),
        "re-subscribed on the stop, not on the periodic check: " + afterMs + " ms");
    assertEquals(first.consumer(), again.consumer(), "the same consumer, so a repeat is harmless");

    TestProbe<QueueEntity.Command> newHome = testKit.createTestProbe();
    again.replyTo().tell(new QueueEntity.Subscribed("moving", newHome.ref()));
    Envelope m = Envelope.of("test", "", "text/plain", ByteString.fromString("x"), Map.of());
    again.consumer().tell(new QueueEntity.Delivery("moving", "r-1", 1, 1, false, m));
    // no route matches: the consumer acks it (consumes), to the queue wherever it now is
    ShardingEnvelope<QueueEntity.Command> ack = region.receiveMessage(Duration.ofSeconds(5));
    assertEquals(
        List.of("r-1"), assertInstanceOf(QueueEntity.Ack.class, ack.message()).receiptIds());
  }

  @Test
  void retriesAnUnansweredSubscriptionWithAGrowingBackoffUntilConfirmed() {
    TestProbe<ShardingEnvelope<QueueEntity.Command>> region = testKit.createTestProbe();
    startSource(region, "unallocated");
    expectSubscribe(region, "unallocated", Duration.ofSeconds(5));
    long previous = System.nanoTime();
    long[] gaps = new long[4];
    QueueEntity.Subscribe last = null;
    for (int i = 0; i < gaps.length; i++) {
      last = expectSubscribe(region, "unallocated", Duration.ofSeconds(5));
      long now = System.nanoTime();
      gaps[i] = TimeUnit.NANOSECONDS.toMillis(now - previous);
      previous = now;
    }
    assertTrue(gaps[3] > gaps[0], "backoff grows: " + java.util.Arrays.toString(gaps));
    assertEquals(QueueRouteSource.resubscribeBackoff(1), QueueRouteSource.MIN_RESUBSCRIBE);
    assertEquals(QueueRouteSource.MAX_RESUBSCRIBE, QueueRouteSource.resubscribeBackoff(40));

    last.replyTo()
        .tell(
            new QueueEntity.Subscribed(
                "unallocated", testKit.<QueueEntity.Command>createTestProbe().ref()));
    // confirmed: the next subscription is the periodic check, not a retry
    region.expectNoMessage(QueueRouteSource.CHECK_INTERVAL.minusSeconds(1));
    expectSubscribe(region, "unallocated", Duration.ofSeconds(3));
  }
}
