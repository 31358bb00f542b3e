package io.junction.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.junction.testing.StompClient;
import io.junction.testing.StompClient.Frame;
import io.junction.testing.TestNode;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A STOMP subscription outlives a crash of its queue: the queue restarts in place and forgets its
 * subscribers, and the subscription's repeated Subscribe (QueueSubscription) gets it back, so
 * messages published after the crash still reach the connection, and the one delivered before it
 * and not acknowledged comes again. Without the repeat the connection would wait forever.
 */
@Tag("resilience")
class StompQueueCrashTest {

  @Test
  void aSubscriptionGetsMessagesPublishedAfterItsQueueCrashed() throws Exception {
    try (TestNode node = FaultApi.startNode("queues.crashy {}\nstomp { enabled = on, port = 0 }")) {
      FaultApi faults = new FaultApi(node.httpPort());
      try (StompClient c = new StompClient(node.stompPort())) {
        c.timeout(30_000);
        assertEquals("CONNECTED", c.connect(null).command());
        c.send("SUBSCRIBE\nid:1\ndestination:/queue/crashy\nack:client-individual", "");
        c.send("SEND\ndestination:/queue/crashy\nreceipt:b\ncontent-type:text/plain", "before");
        Frame first = c.read();
        Frame second = c.read(); // the receipt and the delivery, in either order
        Frame before = first.command().equals("MESSAGE") ? first : second;
        assertEquals("before", before.text());
        assertNull(before.header("redelivered"));

        String id = faults.add("kind", "crash-queue", "queue", "crashy", "ttl", "1m");
        // its next command crashes it (the sweep timer's, if nothing else comes first)
        FaultApi.until(node, () -> assertEquals(1, faults.hits(id)));
        FaultApi.until(
            node,
            () ->
                assertEquals(
                    201,
                    faults
                        .http()
                        .post(
                            "/v1/queues/crashy/messages",
                            null,
                            "text/plain",
                            "after".getBytes(StandardCharsets.UTF_8))
                        .statusCode()));
        // Within the subscription's repeat (5 s): the unacked "before" again, flagged redelivered
        // (its lease died with the queue's memory, so its delivery count is still 1), then "after",
        // published after the crash and never delivered before.
        Frame again = c.read();
        assertEquals("before", again.text());
        assertEquals("true", again.header("redelivered"));
        assertEquals("1", again.header("junction-delivery-count"));
        Frame after = c.read();
        assertEquals("after", after.text());
        assertNull(after.header("redelivered"));
      }
    }
  }
}
