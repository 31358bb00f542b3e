package io.junction.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.junction.testing.TestNode;
import io.junction.testing.WireClient;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Routes from a queue: store-and-forward to a peer that is down, dead letters for poison. */
class QueueSourceTest {
  static TestNode node;
  static int plcPort;

  @BeforeAll
  static void start() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      plcPort = s.getLocalPort();
    }
    node =
        TestNode.start(
            """
            junction {
              endpoints {
                in { kind = tcp-server, port = 0, framing { kind = length-prefixed } }
                plc {
                  kind = tcp-client, port = %d, framing { kind = length-prefixed }
                  reconnect { min-backoff = 50ms, max-backoff = 200ms }
                }
                nowhere { kind = udp, port = 0 }
                poison-in { kind = tcp-server, port = 0, framing { kind = length-prefixed } }
              }
              queues {
                outbox {}
                poison { max-deliveries = 2 }
              }
              routes {
                keep { from = in, to = "queue:outbox" }
                forward { from = "queue:outbox", to = "tcp:plc" }
                keep-poison { from = poison-in, to = "queue:poison" }
                undeliverable { from = "queue:poison", to = "udp:nowhere" }
              }
            }
            """
                .formatted(plcPort));
  }

  @AfterAll
  static void stop() throws Exception {
    node.close();
  }

  private static QueueEntity.QueueStats stats(String q) {
    TestProbe<QueueEntity.QueueStats> probe = node.kit().createTestProbe();
    node.refs().queues().tell(new ShardingEnvelope<>(q, new QueueEntity.GetStats(probe.ref())));
    return probe.receiveMessage(TestNode.TIMEOUT);
  }

  @Test
  void holdsMessagesWhileThePeerIsDownThenForwardsThemInOrderAndAcksThem() throws Exception {
    try (WireClient in = new WireClient(node.port("in"))) {
      for (int i = 0; i < 5; i++)
        in.write(WireClient.frame(("m" + i).getBytes(StandardCharsets.UTF_8)));
    }
    node.await(
        () -> {
          assertEquals(5L, stats("outbox").published());
          return null;
        });
    assertEquals(0L, stats("outbox").acked(), "nothing acked while the peer is down");
    try (ServerSocket server = new ServerSocket()) {
      server.setReuseAddress(true);
      server.bind(new InetSocketAddress("127.0.0.1", plcPort));
      server.setSoTimeout(10_000);
      try (Socket peer = server.accept()) {
        peer.setSoTimeout(10_000);
        DataInputStream data = new DataInputStream(peer.getInputStream());
        List<String> got = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
          byte[] b = new byte[data.readInt()];
          data.readFully(b);
          got.add(new String(b, StandardCharsets.UTF_8));
        }
        assertEquals(List.of("m0", "m1", "m2", "m3", "m4"), got);
      }
    }
    node.await(
        () -> {
          var s = stats("outbox");
          assertEquals(5L, s.acked());
          assertEquals(0, s.depth() + s.inFlight());
          return null;
        });
  }

  @Test
  void aMessageNoDestinationAcceptsEndsInTheDeadLettersAfterMaxDeliveries() throws Exception {
    try (WireClient in = new WireClient(node.port("poison-in"))) {
      in.write(WireClient.frame("bad".getBytes(StandardCharsets.UTF_8)));
    }
    node.await(
        () -> {
          var s = stats("poison");
          assertEquals(1, s.deadLetters());
          assertEquals(0, s.depth() + s.inFlight());
          return null;
        });
  }
}
