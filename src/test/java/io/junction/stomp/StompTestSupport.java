package io.junction.stomp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.junction.testing.HttpApi;
import io.junction.testing.StompClient;
import io.junction.testing.StompClient.Frame;

final class StompTestSupport {
  private StompTestSupport() {}

  /**
   * junction_stomp_errors_total for {@code reason}, as the node's /metrics shows it (0 if none).
   */
  static double errors(HttpApi api, String reason) throws Exception {
    return api.metric("junction_stomp_errors_total{reason=\"" + reason + "\"}").orElse(0);
  }

  /** Sends {@code head} (a frame's command and headers) with a receipt, and reads that receipt. */
  static void sendWithReceipt(StompClient c, String head, String body, String receipt)
      throws Exception {
    c.send(head + "\nreceipt:" + receipt, body);
    Frame r = c.read();
    assertEquals("RECEIPT", r.command(), r.text());
    assertEquals(receipt, r.header("receipt-id"));
  }
}
