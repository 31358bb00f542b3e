package io.junction.stomp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.junction.testing.HttpApi;
import io.junction.testing.StompClient;
import io.junction.testing.StompClient.Frame;
import io.junction.testing.TestNode;
import io.junction.testing.WireClient;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** STOMP's {@code /topic/<name>} onto the node's declared topics (docs/STOMP.md, "Topics"). */
class StompTopicTest {
  static TestNode node;
  static HttpApi api;

  @BeforeAll
  static void start() {
    node =
        TestNode.start(
            """
            junction {
              topics { news {}, wires {}, tx-news {}, acked {} }
              queues { audit {} }
              endpoints {
                in { kind = tcp-server, port = 0, framing { kind = length-prefixed } }
              }
              routes { wire { from = in, to = "topic:wires" } }
              stomp { enabled = on, port = 0 }
            }
            """);
    api = new HttpApi(node.httpPort());
  }

  @AfterAll
  static void stop() throws Exception {
    node.close();
  }

  private static StompClient connected() throws Exception {
    StompClient c = new StompClient(node.stompPort());
    assertEquals("CONNECTED", c.connect(null).command());
    return c;
  }

  // SUBSCRIBE with a receipt: once it comes, the topic has the subscriber.
  private static void subscribe(StompClient c, String id, String topic, String ack)
      throws Exception {
    c.send(
        "SUBSCRIBE\nid:"
            + id
            + "\ndestination:/topic/"
            + topic
            + "\nack:"
            + ack
            + "\nreceipt:s-"
            + id,
        "");
    Frame r = c.read();
    assertEquals("RECEIPT", r.command(), r.text());
    assertEquals("s-" + id, r.header("receipt-id"));
  }

  private static void sendWithReceipt(StompClient c, String destination, String body, String r)
      throws Exception {
    StompTestSupport.sendWithReceipt(
        c, "SEND\ndestination:" + destination + "\ncontent-type:text/plain", body, r);
  }

  @Test
  void everySubscriberGetsWhatIsPublishedAfterItsSubscriptionReceipt() throws Exception {
    double published = published("news");
    try (StompClient a = connected();
        StompClient b = connected();
        StompClient p = connected()) {
      subscribe(a, "a", "news", "auto");
      subscribe(b, "b", "news", "auto");
      for (int i = 1; i <= 3; i++) {
        p.send(
            "SEND\ndestination:/topic/news\ncontent-type:text/plain\nx-edition:"
                + i
                + "\nreceipt:n"
                + i,
            "headline " + i);
        assertEquals("n" + i, p.read().header("receipt-id"));
      }
      for (StompClient c : new StompClient[] {a, b}) {
        for (int i = 1; i <= 3; i++) {
          Frame m = c.read();
          assertEquals("MESSAGE", m.command(), m.text());
          assertEquals("headline " + i, m.text(), "in publish order");
          assertEquals("/topic/news", m.header("destination"));
          assertEquals(c == a ? "a" : "b", m.header("subscription"));
          assertEquals("text/plain", m.header("content-type"));
          assertEquals(String.valueOf(i), m.header("x-edition"));
          assertNotNull(m.header("junction-message-id"));
          assertEquals(null, m.header("redelivered"));
        }
      }
    }
    node.until(() -> assertEquals(published + 3, published("news")));
  }

  @Test
  void whatARouteSendsToTheTopicReachesStompSubscribers() throws Exception {
    try (StompClient c = connected();
        WireClient in = new WireClient(node.port("in"))) {
      subscribe(c, "w", "wires", "auto");
      in.write(WireClient.frame("from a socket".getBytes(StandardCharsets.UTF_8)));
      Frame m = c.read();
      assertEquals("from a socket", m.text());
      assertEquals("/topic/wires", m.header("destination"));
    }
  }

  @Test
  void aTransactionPublishesToTheTopicAtCommitAndNothingOnAbort() throws Exception {
    try (StompClient sub = connected();
        StompClient p = connected()) {
      subscribe(sub, "t", "tx-news", "auto");
      p.send("BEGIN\ntransaction:t1", "");
      p.send("SEND\ndestination:/topic/tx-news\ntransaction:t1", "aborted");
      p.send("SEND\ndestination:/queue/audit\ntransaction:t1", "aborted");
      p.send("ABORT\ntransaction:t1\nreceipt:a", "");
      assertEquals("a", p.read().header("receipt-id"));
      // A topic keeps each publisher's order: the next message the subscriber sees is this one.
      sendWithReceipt(p, "/topic/tx-news", "after the abort", "m");
      assertEquals("after the abort", sub.read().text());

      p.send("BEGIN\ntransaction:t2", "");
      p.send("SEND\ndestination:/topic/tx-news\ntransaction:t2", "committed");
      p.send("SEND\ndestination:/queue/audit\ntransaction:t2", "committed");
      p.send("COMMIT\ntransaction:t2\nreceipt:c", "");
      assertEquals("c", p.read().header("receipt-id"));
      assertEquals("committed", sub.read().text());
      var audit = new ObjectMapper().readTree(api.get("/v1/queues/audit", null).body());
      assertEquals(1, audit.get("depth").asInt(), audit.toString());
    }
  }

  @Test
  void acksAndNacksOfTopicMessagesAreAnsweredAndSettleNothing() throws Exception {
    try (StompClient c = connected();
        StompClient p = connected()) {
      subscribe(c, "k", "acked", "client-individual");
      sendWithReceipt(p, "/topic/acked", "one", "p1");
      sendWithReceipt(p, "/topic/acked", "two", "p2");
      Frame one = c.read();
      Frame two = c.read();
      assertEquals("one", one.text());
      assertEquals("two", two.text());
      assertTrue(!one.header("ack").equals(two.header("ack")), "each message named apart");
      c.send("ACK\nid:" + one.header("ack") + "\nreceipt:acked", "");
      assertEquals("acked", c.read().header("receipt-id"));
      c.send("NACK\nid:" + two.header("ack") + "\nreceipt:nacked", "");
      assertEquals("nacked", c.read().header("receipt-id"));
      sendWithReceipt(p, "/topic/acked", "three", "p3"); // the connection carries on
      assertEquals("three", c.read().text());
    }
  }

  @Test
  void anUndeclaredTopicIsRefusedByName() throws Exception {
    for (String head :
        new String[] {
          "SEND\ndestination:/topic/nope\nreceipt:r", "SUBSCRIBE\nid:1\ndestination:/topic/nope"
        }) {
      try (StompClient c = connected()) {
        c.send(head, "x");
        Frame e = c.read();
        assertEquals("ERROR", e.command(), head);
        assertEquals("unknown-destination", e.header("message"));
        assertTrue(e.text().contains("no topic 'nope' is declared in junction.topics"), e.text());
        assertTrue(c.closedByServer());
      }
    }
  }

  private static double published(String topic) throws Exception {
    return api.metric("junction_topic_published_total{topic=\"" + topic + "\"}").orElse(0);
  }
}
