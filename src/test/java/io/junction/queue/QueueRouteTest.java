package io.junction.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.junction.testing.TestNode;
import io.junction.testing.WireClient;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Structs arriving over TCP land, decoded, in a durable queue declared in config. */
class QueueRouteTest {
  static TestNode node;

  @BeforeAll
  static void start() {
    node =
        TestNode.start(
            """
            junction {
              structs.Person.fields = [
                { name = name, type = "char[128]" }
                { name = age, type = int32 }
              ]
              endpoints.people { kind = tcp-server, port = 0, codec = "struct:Person" }
              queues.people {}
              routes.keep { from = people, to = [reply, "queue:people"] }
            }
            """);
  }

  @AfterAll
  static void stop() throws Exception {
    node.close();
  }

  private static byte[] person(String name, int age) {
    ByteBuffer b = ByteBuffer.allocate(132).order(ByteOrder.LITTLE_ENDIAN);
    b.put(name.getBytes(StandardCharsets.UTF_8));
    return b.putInt(128, age).array();
  }

  @Test
  void everyPersonReceivedOverTcpIsInTheQueueInOrderWithItsFields() throws Exception {
    try (WireClient c = new WireClient(node.port("people"))) {
      for (int i = 0; i < 3; i++) c.write(person("P" + i, 30 + i));
      c.readExactly(3 * 132);
    }
    TestProbe<QueueEntity.Peeked> probe = node.kit().createTestProbe();
    List<QueueEntity.QueuedMessage> messages =
        node.await(
            () -> {
              node.refs()
                  .queues()
                  .tell(new ShardingEnvelope<>("people", new QueueEntity.Peek(10, probe.ref())));
              var m = probe.receiveMessage(TestNode.TIMEOUT).messages();
              assertEquals(3, m.size());
              return m;
            });
    for (int i = 0; i < 3; i++) {
      var e = messages.get(i).envelope();
      assertEquals("Person", e.type());
      assertEquals("P" + i, e.fields().get("name"));
      assertEquals(30 + i, ((Number) e.fields().get("age")).intValue());
      assertEquals(132, e.payload().size());
    }
  }
}
