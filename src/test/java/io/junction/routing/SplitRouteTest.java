package io.junction.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.junction.queue.QueueEntity;
import io.junction.testing.TestNode;
import io.junction.testing.WireClient;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A batch of back-to-back C structs split into one message per struct. */
class SplitRouteTest {
  static TestNode node;

  @BeforeAll
  static void start() {
    node =
        TestNode.start(
            """
            junction {
              structs.Person.fields = [ { name = name, type = "char[128]" }, { name = age, type = int32 } ]
              endpoints.batches { kind = tcp-server, port = 0, framing { kind = length-prefixed } }
              queues { people {}, rejects {} }
              routes.split-people {
                from = batches
                split { codec = "struct:Person" }
                where = "type == 'application/octet-stream'"
                to = "queue:people"
                on-error = "queue:rejects"
              }
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

  private static QueueEntity.Peeked peek(String q) {
    TestProbe<QueueEntity.Peeked> probe = node.kit().createTestProbe();
    node.refs().queues().tell(new ShardingEnvelope<>(q, new QueueEntity.Peek(100, probe.ref())));
    return probe.receiveMessage(TestNode.TIMEOUT);
  }

  @Test
  void aBatchOfStructsBecomesOneDecodedMessagePerStruct() throws Exception {
    ByteArrayOutputStream batch = new ByteArrayOutputStream();
    for (int i = 0; i < 3; i++) batch.write(person("P" + i, 40 + i));
    try (WireClient c = new WireClient(node.port("batches"))) {
      c.write(WireClient.frame(batch.toByteArray()));
      c.write(WireClient.frame(new byte[133])); // one struct and a stray byte: does not split
    }
    var people =
        node.await(
            () -> {
              var m = peek("people").messages();
              assertEquals(3, m.size());
              return m;
            });
    for (int i = 0; i < 3; i++) {
      var e = people.get(i).envelope();
      assertEquals("P" + i, e.fields().get("name"));
      assertEquals(40 + i, ((Number) e.fields().get("age")).intValue());
      assertTrue(e.id().endsWith("-" + i), e.id());
      assertEquals(e.id().substring(0, e.id().lastIndexOf('-')), e.headers().get("split-of"));
    }
    node.await(
        () -> {
          var rejected = peek("rejects").messages();
          assertEquals(1, rejected.size());
          assertTrue(
              rejected.get(0).envelope().headers().get("error").contains("1 trailing bytes"),
              rejected.get(0).envelope().headers().toString());
          return null;
        });
  }
}
