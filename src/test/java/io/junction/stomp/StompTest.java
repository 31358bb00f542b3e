package io.junction.stomp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.junction.testing.HttpApi;
import io.junction.testing.StompClient;
import io.junction.testing.StompClient.Frame;
import io.junction.testing.TestNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** STOMP over real sockets against a node's durable queues (docs/STOMP.md). */
class StompTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static TestNode node;
  static HttpApi api;
  static int port;

  @BeforeAll
  static void start() {
    node =
        TestNode.start(
            """
            junction {
              queues {
                orders {}
                receipts {}
                settled {}
                redelivered {}
                dead { max-deliveries = 5 }
                cumulative {}
                automatic {}
                tx {}
                headers {}
                small { max-length = 1, overflow = reject-publish }
                together {}
                room-for-five { max-length = 5, overflow = reject-publish }
                older {}
              }
              stomp { enabled = on, port = 0, max-frame-bytes = 4k }
            }
            """);
    api = new HttpApi(node.httpPort());
    port = node.stompPort();
  }

  @AfterAll
  static void stop() throws Exception {
    node.close();
  }

  private static JsonNode stats(String q) throws Exception {
    return JSON.readTree(api.get("/v1/queues/" + q, null).body());
  }

  private static StompClient connected() throws Exception {
    StompClient c = new StompClient(port);
    Frame f = c.connect(null);
    assertEquals("CONNECTED", f.command(), f.text());
    assertEquals("1.2", f.header("version"));
    return c;
  }

  private static void sendWithReceipt(StompClient c, String queue, String body, String receipt)
      throws Exception {
    StompTestSupport.sendWithReceipt(c, "SEND\ndestination:/queue/" + queue, body, receipt);
  }

  @Test
  void aSendIsAcknowledgedByItsReceiptOnceDurable() throws Exception {
    try (StompClient c = connected()) {
      for (int i = 1; i <= 3; i++) sendWithReceipt(c, "receipts", "order " + i, "r" + i);
      // A receipt is sent once the message is in the queue: no wait needed before looking.
      JsonNode s = stats("receipts");
      assertEquals(3, s.get("depth").asInt(), s.toString());
      assertEquals(3, s.get("published").asInt(), s.toString());
    }
  }

  @Test
  void aSubscriberGetsMessagesInOrderAndItsAcksSettleThem() throws Exception {
    try (StompClient c = connected()) {
      for (int i = 1; i <= 5; i++) sendWithReceipt(c, "settled", "m" + i, "p" + i);
      c.send(
          "SUBSCRIBE\nid:s1\ndestination:/queue/settled\nack:client-individual\nprefetch-count:2",
          "");
      for (int i = 1; i <= 5; i++) {
        Frame m = c.read();
        assertEquals("MESSAGE", m.command(), m.text());
        assertEquals("m" + i, m.text());
        assertEquals("s1", m.header("subscription"));
        assertEquals("/queue/settled", m.header("destination"));
        assertEquals("1", m.header("junction-delivery-count"));
        // the window of 2: the next message comes only after an ack
        c.send("ACK\nid:" + m.header("ack") + (i == 5 ? "\nreceipt:done" : ""), "");
      }
      assertEquals("RECEIPT", c.read().command());
      JsonNode s = stats("settled");
      assertEquals(0, s.get("depth").asInt(), s.toString());
      assertEquals(5, s.get("acked").asInt(), s.toString());
    }
  }

  @Test
  void unacknowledgedMessagesOfAClosedConnectionAreDeliveredAgain() throws Exception {
    try (StompClient c = connected()) {
      sendWithReceipt(c, "redelivered", "again", "p");
      c.send("SUBSCRIBE\nid:a\ndestination:/queue/redelivered\nack:client", "");
      Frame first = c.read();
      assertEquals("again", first.text());
      assertEquals(null, first.header("redelivered"));
    } // closed without an ack
    try (StompClient c = connected()) {
      c.send("SUBSCRIBE\nid:b\ndestination:/queue/redelivered\nack:client-individual", "");
      Frame again = c.read();
      assertEquals("again", again.text());
      assertEquals("true", again.header("redelivered"));
      assertEquals("2", again.header("junction-delivery-count"));
      c.send("ACK\nid:" + again.header("ack") + "\nreceipt:x", "");
      assertEquals("RECEIPT", c.read().command());
    }
    assertEquals(0, stats("redelivered").get("depth").asInt());
  }

  @Test
  void aNackWithoutRequeueDeadLettersTheMessage() throws Exception {
    try (StompClient c = connected()) {
      sendWithReceipt(c, "dead", "poison", "p");
      c.send("SUBSCRIBE\nid:d\ndestination:/queue/dead\nack:client-individual", "");
      Frame m = c.read();
      c.send("NACK\nid:" + m.header("ack") + "\nrequeue:false\nreceipt:n", "");
      assertEquals("RECEIPT", c.read().command());
    }
    eventually(
        () -> {
          JsonNode s = stats("dead");
          assertEquals(0, s.get("depth").asInt(), s.toString());
          assertEquals(1, s.get("dead_letters").asInt(), s.toString());
        });
  }

  @Test
  void inClientModeAnAckSettlesEveryEarlierMessageToo() throws Exception {
    try (StompClient c = connected()) {
      for (int i = 1; i <= 4; i++) sendWithReceipt(c, "cumulative", "c" + i, "p" + i);
      c.send("SUBSCRIBE\nid:c\ndestination:/queue/cumulative\nack:client\nprefetch-count:4", "");
      List<Frame> got = new ArrayList<>();
      for (int i = 0; i < 4; i++) got.add(c.read());
      c.send("ACK\nid:" + got.get(2).header("ack") + "\nreceipt:third", "");
      assertEquals("RECEIPT", c.read().command());
      JsonNode s = stats("cumulative");
      assertEquals(1, s.get("in_flight").asInt(), s.toString()); // the fourth, unacked
      assertEquals(3, s.get("acked").asInt(), s.toString());
    }
  }

  @Test
  void autoAcknowledgedDeliveriesNeedNoAck() throws Exception {
    try (StompClient c = connected()) {
      for (int i = 1; i <= 3; i++) sendWithReceipt(c, "automatic", "a" + i, "p" + i);
      c.send("SUBSCRIBE\nid:auto\ndestination:/queue/automatic", "");
      for (int i = 1; i <= 3; i++) assertEquals("a" + i, c.read().text());
      eventually(() -> assertEquals(0, stats("automatic").get("depth").asInt()));
    }
  }

  @Test
  void aTransactionPublishesAtCommitAndNothingOnAbort() throws Exception {
    try (StompClient c = connected()) {
      c.send("BEGIN\ntransaction:t1", "");
      for (int i = 1; i <= 3; i++) c.send("SEND\ndestination:/queue/tx\ntransaction:t1", "x" + i);
      c.send("ABORT\ntransaction:t1\nreceipt:aborted", "");
      assertEquals("aborted", c.read().header("receipt-id"));
      assertEquals(0, stats("tx").get("depth").asInt());

      c.send("BEGIN\ntransaction:t2", "");
      c.send("SEND\ndestination:/queue/tx\ntransaction:t2\ncontent-type:text/plain", "y1");
      c.send("SEND\ndestination:/queue/tx\ntransaction:t2\ncontent-type:text/plain", "y2");
      assertEquals(0, stats("tx").get("depth").asInt()); // nothing before COMMIT
      c.send("COMMIT\ntransaction:t2\nreceipt:committed", "");
      assertEquals("committed", c.read().header("receipt-id"));
      assertEquals(2, stats("tx").get("depth").asInt());
      JsonNode peeked = JSON.readTree(api.get("/v1/queues/tx/peek", null).body());
      assertEquals("y1", peeked.get(0).at("/message/payload").asText(), peeked.toString());
      assertEquals("y2", peeked.get(1).at("/message/payload").asText(), peeked.toString());
    }
  }

  @Test
  void bodiesMayHoldNulBytesAndHeadersTravelWithTheMessage() throws Exception {
    byte[] body = {1, 0, 2, 0, 0, 3};
    try (StompClient c = connected()) {
      c.send(
          "SEND\ndestination:/queue/headers\ncontent-type:application/x-person\n"
              + "x-origin:plant\\c7\nreceipt:p",
          body);
      assertEquals("RECEIPT", c.read().command());
      c.send("SUBSCRIBE\nid:h\ndestination:/queue/headers\nack:client-individual", "");
      Frame m = c.read();
      assertArrayEquals(body, m.body());
      assertEquals("application/x-person", m.header("content-type"));
      assertEquals("plant:7", m.header("x-origin")); // escaped on the wire both ways
      assertNotNull(m.header("junction-message-id"));
    }
  }

  @Test
  void refusedFramesGetASpecificErrorAndCloseOnlyTheirConnection() throws Exception {
    double before = errors("not-connected");
    try (StompClient c = new StompClient(port)) {
      c.send("SEND\ndestination:/queue/orders", "too early");
      Frame e = c.read();
      assertEquals("ERROR", e.command());
      assertEquals("not-connected", e.header("message"));
      assertTrue(c.closedByServer());
    }
    assertError("SEND\ndestination:/topic/x\nreceipt:r9", "x", "unknown-destination", "topic 'x'");
    assertError(
        "SEND\ndestination:/exchange/x\nreceipt:r9", "x", "unknown-destination", "/exchange/x");
    assertError("SEND\ndestination:/queue/bad name", "x", "unknown-destination", "bad name");
    assertError("SUBSCRIBE\ndestination:/queue/orders", "", "bad-frame", "id header");
    assertError("ACK\nid:nonsense", "", "bad-frame", "nonsense");
    assertError("COMMIT\ntransaction:never", "", "bad-frame", "never");
    assertError("FROB\nx:y", "", "bad-frame", "unknown command");
    assertError("SEND\ndestination:/queue/orders", "x".repeat(5000), "frame-too-large", "4096");
    try (StompClient c = connected()) { // the others' connections were theirs alone
      sendWithReceipt(c, "orders", "still fine", "ok");
    }
    eventually(() -> assertEquals(before + 1, errors("not-connected")));
  }

  @Test
  void aPublishTheQueueRefusesEndsInAnErrorNamingItsReceipt() throws Exception {
    try (StompClient c = connected()) {
      sendWithReceipt(c, "small", "fits", "one");
      c.send("SEND\ndestination:/queue/small\nreceipt:two", "does not fit");
      Frame e = c.read();
      assertEquals("ERROR", e.command(), e.text());
      assertEquals("publish-refused", e.header("message"));
      assertEquals("two", e.header("receipt-id"));
      assertTrue(e.text().contains("max-length"), e.text());
      assertTrue(c.closedByServer());
    }
    assertEquals(1, stats("small").get("depth").asInt());
  }

  @Test
  void delayAndTtlHeadersAreTheMessagesOwnAndBadOnesAreRefused() throws Exception {
    try (StompClient c = connected()) {
      c.send(
          "SEND\ndestination:/queue/timed\nx-delay:600000\nexpiration:60000\nreceipt:d", "later");
      assertEquals("d", c.read().header("receipt-id"));
    }
    assertEquals(1, stats("timed").get("delayed").asInt());
    assertError(
        "SEND\ndestination:/queue/timed\nexpiration:soon\nreceipt:r",
        "x",
        "publish-refused",
        "header expiration must be whole milliseconds");
    assertEquals(1, stats("timed").get("depth").asInt());
  }

  @Test
  void aOnePointOneClientAcksByMessageId() throws Exception {
    try (StompClient c = new StompClient(port)) {
      c.send("CONNECT\naccept-version:1.0,1.1\nhost:x", "");
      Frame connected = c.read();
      assertEquals("1.1", connected.header("version"));
      sendWithReceipt(c, "older", "old client", "p");
      c.send("SUBSCRIBE\nid:o\ndestination:/queue/older\nack:client", "");
      Frame m = c.read();
      c.send("ACK\nsubscription:o\nmessage-id:" + m.header("message-id") + "\nreceipt:acked", "");
      assertEquals("acked", c.read().header("receipt-id"));
    }
    assertEquals(1, stats("older").get("acked").asInt());
  }

  @Test
  void theReceiptOfARefusedFrameIsNamedInTheError() throws Exception {
    try (StompClient c = connected()) {
      c.send("SEND\ndestination:/nowhere\nreceipt:mine", "x");
      Frame e = c.read();
      assertEquals("ERROR", e.command());
      assertEquals("mine", e.header("receipt-id"));
    }
  }

  private static void eventually(TestNode.Check check) {
    node.until(check);
  }

  private static void assertError(String head, String body, String reason, String detailPart)
      throws Exception {
    try (StompClient c = connected()) {
      c.send(head, body);
      Frame e = c.read();
      assertEquals("ERROR", e.command(), head + " -> " + e.text());
      assertEquals(reason, e.header("message"), head + " -> " + e.text());
      assertTrue(e.text().contains(detailPart), head + " -> " + e.text());
      assertTrue(c.closedByServer(), head + ": the connection stays open after ERROR");
    }
  }

  static double errors(String reason) throws Exception {
    return StompTestSupport.errors(api, reason);
  }

  @Test
  void framesSplitAnywhereAndPipelinedAreReadAlike() throws Exception {
    try (StompClient c = connected()) {
      byte[] two =
          ("SEND\ndestination:/queue/orders\nreceipt:a\n\nfirst\0\n"
                  + "SEND\ndestination:/queue/orders\nreceipt:b\ncontent-length:6\n\nsecond\0")
              .getBytes(StandardCharsets.UTF_8);
      for (byte b : two) c.raw(new byte[] {b}); // one byte per write
      assertEquals("a", c.read().header("receipt-id"));
      assertEquals("b", c.read().header("receipt-id"));
    }
  }

  @Test
  void framesBeforeABadOneInTheSameWriteAreStillHandled() throws Exception {
    try (StompClient c = connected()) {
      c.raw(
          "SEND\ndestination:/queue/orders\nreceipt:good\n\nok\0FROB\n\n\0"
              .getBytes(StandardCharsets.UTF_8));
      assertEquals("good", c.read().header("receipt-id"));
      Frame e = c.read();
      assertEquals("ERROR", e.command(), e.text());
      assertEquals("bad-frame", e.header("message"));
    }
  }

  private static byte[] sends(String queue, int n) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < n; i++)
      b.append("SEND\ndestination:/queue/")
          .append(queue)
          .append("\nreceipt:s")
          .append(i)
          .append("\ncontent-type:text/plain\n\nm")
          .append(i)
          .append('\0');
    return b.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static double metric(String sample) throws Exception {
    return api.metric(sample).orElse(0);
  }

  @Test
  void sendsThatArriveTogetherAreOneJournalEventAndTheirReceiptsComeInOrder() throws Exception {
    try (StompClient c = connected()) {
      c.raw(sends("together", 10)); // one write: one read on loopback
      for (int i = 0; i < 10; i++) assertEquals("s" + i, c.read().header("receipt-id"));
    }
    JsonNode peeked = JSON.readTree(api.get("/v1/queues/together/peek", null).body());
    for (int i = 0; i < 10; i++)
      assertEquals("m" + i, peeked.get(i).at("/message/payload").asText(), peeked.toString());
    eventually(
        () -> assertEquals(1.0, metric("junction_queue_journal_events_total{queue=\"together\"}")));
  }

  @Test
  void sendsThatArriveTogetherAreStoredAllOrNone() throws Exception {
    try (StompClient c = connected()) {
      c.raw(sends("room-for-five", 10));
      Frame e = c.read();
      assertEquals("ERROR", e.command(), e.text());
      assertEquals("publish-refused", e.header("message"));
      assertEquals("s0", e.header("receipt-id"));
    }
    assertEquals(0, stats("room-for-five").get("depth").asInt());
  }

  @Test
  void disconnectIsAnsweredByItsReceiptThenTheConnectionCloses() throws Exception {
    try (StompClient c = connected()) {
      c.send("DISCONNECT\nreceipt:bye", "");
      assertEquals("bye", c.read().header("receipt-id"));
      assertTrue(c.closedByServer());
    }
  }
}
