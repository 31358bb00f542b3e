package io.junction.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.junction.queue.QueueEntity;
import io.junction.testing.TestNode;
import io.junction.testing.WireClient;
import java.nio.charset.StandardCharsets;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A route's retry policy: retried until the destination accepts, or handed to on-error. */
class RouteRetryTest {
  static StubServer stub;
  static TestNode node;

  @BeforeAll
  static void start() throws Exception {
    stub = new StubServer();
    node =
        TestNode.start(
            """
            junction {
              http.destinations.hook {
                url = "http://127.0.0.1:%d/hook", retries { max = 0 }, circuit-breaker { max-failures = 100 }
              }
              endpoints {
                in { kind = tcp-server, port = 0, framing { kind = length-prefixed } }
                in2 { kind = tcp-server, port = 0, framing { kind = length-prefixed } }
                nowhere { kind = udp, port = 0 }
              }
              queues.errors {}
              routes {
                to-hook {
                  from = in, to = "http:hook", on-error = "queue:errors"
                  retry { max-attempts = 3, min-backoff = 50ms, max-backoff = 200ms }
                }
                to-nowhere {
                  from = in2, to = "udp:nowhere", on-error = "queue:errors"
                  retry { max-attempts = 3, min-backoff = 50ms, max-backoff = 200ms }
                }
              }
            }
            """
                .formatted(stub.port()));
  }

  @AfterAll
  static void stop() throws Exception {
    node.close();
    stub.close();
  }

  private static QueueEntity.Peeked errors() {
    TestProbe<QueueEntity.Peeked> probe = node.kit().createTestProbe();
    node.refs()
        .queues()
        .tell(new ShardingEnvelope<>("errors", new QueueEntity.Peek(10, probe.ref())));
    return probe.receiveMessage(TestNode.TIMEOUT);
  }

  @Test
  void retriesARefusedDeliveryUntilTheDestinationAcceptsIt() throws Exception {
    stub.script(StubServer.Answer.ERROR_500, StubServer.Answer.ERROR_500, StubServer.Answer.OK);
    try (WireClient in = new WireClient(node.port("in"))) {
      in.write(WireClient.frame("hello".getBytes(StandardCharsets.UTF_8)));
    }
    node.await(
        () -> {
          assertEquals(3, stub.seen().size(), "two refusals, then accepted on the third attempt");
          return null;
        });
    assertTrue(
        errors().messages().stream()
            .noneMatch(m -> m.envelope().payload().utf8String().equals("hello")));
  }

  @Test
  void givesUpAfterMaxAttemptsAndHandsTheMessageToOnErrorWithTheReason() throws Exception {
    try (WireClient in = new WireClient(node.port("in2"))) {
      in.write(WireClient.frame("lost?".getBytes(StandardCharsets.UTF_8)));
    }
    node.await(
        () -> {
          var m =
              errors().messages().stream()
                  .filter(q -> q.envelope().payload().utf8String().equals("lost?"))
                  .findFirst()
                  .orElseThrow(() -> new AssertionError("not in on-error yet"));
          assertTrue(
              m.envelope().headers().get("error").startsWith("gave up after 3 attempts"),
              m.envelope().headers().toString());
          return null;
        });
  }
}
