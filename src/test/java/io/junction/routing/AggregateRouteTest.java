package io.junction.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.junction.queue.QueueEntity;
import io.junction.testing.TestNode;
import io.junction.testing.WireClient;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Messages collected into batches by count or time; acknowledged only with their batch. */
class AggregateRouteTest {
  static TestNode node;

  @BeforeAll
  static void start() {
    node =
        TestNode.start(
            """
            junction {
              endpoints.lines { kind = tcp-server, port = 0, codec = text, framing { kind = delimiter } }
              queues { batches {}, src {}, out {} }
              routes {
                batch-lines {
                  from = lines, to = "queue:batches"
                  aggregate { max-records = 3, max-wait = 300ms, join = lines }
                }
                from-src {
                  from = "queue:src", to = "queue:out"
                  aggregate { max-records = 5, max-wait = 5s, join = json-lines }
                }
              }
            }
            """);
  }

  @AfterAll
  static void stop() throws Exception {
    node.close();
  }

  private static List<QueueEntity.QueuedMessage> peek(String q) {
    TestProbe<QueueEntity.Peeked> probe = node.kit().createTestProbe();
    node.refs().queues().tell(new ShardingEnvelope<>(q, new QueueEntity.Peek(100, probe.ref())));
    return probe.receiveMessage(TestNode.TIMEOUT).messages();
  }

  private static QueueEntity.QueueStats stats(String q) {
    TestProbe<QueueEntity.QueueStats> probe = node.kit().createTestProbe();
    node.refs().queues().tell(new ShardingEnvelope<>(q, new QueueEntity.GetStats(probe.ref())));
    return probe.receiveMessage(TestNode.TIMEOUT);
  }

  @Test
  void batchesByCountAndFlushesTheRestAfterMaxWait() throws Exception {
    try (WireClient c = new WireClient(node.port("lines"))) {
      for (String s : new String[] {"a", "b", "c", "d", "e", "f", "g"}) c.writeLine(s);
    }
    var batches =
        node.await(
            () -> {
              var m = peek("batches");
              assertEquals(3, m.size());
              return m;
            });
    assertEquals("a\nb\nc\n", batches.get(0).envelope().payload().utf8String());
    assertEquals("d\ne\nf\n", batches.get(1).envelope().payload().utf8String());
    assertEquals("g\n", batches.get(2).envelope().payload().utf8String());
    assertEquals("1", batches.get(2).envelope().headers().get("aggregate-count"));
  }

  @Test
  void aQueuedMessageIsAckedOnlyOnceItsBatchIsDurable() {
    for (int i = 0; i < 5; i++) {
      TestProbe<Object> probe = node.kit().createTestProbe();
      var env =
          io.junction.message.Envelope.of(
              "test",
              "",
              "text/plain",
              org.apache.pekko.util.ByteString.fromString("m" + i),
              java.util.Map.of());
      node.refs()
          .queues()
          .tell(new ShardingEnvelope<>("src", QueueEntity.Publish.of(env, probe.ref().narrow())));
      probe.receiveMessage(TestNode.TIMEOUT);
    }
    node.await(
        () -> {
          assertEquals(5L, stats("src").acked());
          var out = peek("out");
          assertEquals(1, out.size());
          assertEquals(
              "{\"payload\":\"m0\"}\n{\"payload\":\"m1\"}\n{\"payload\":\"m2\"}\n{\"payload\":\"m3\"}\n{\"payload\":\"m4\"}\n",
              out.get(0).envelope().payload().utf8String());
          return null;
        });
  }
}
