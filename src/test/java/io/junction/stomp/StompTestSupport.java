package io.junction.stomp;

import io.junction.testing.HttpApi;

final class StompTestSupport {
  private StompTestSupport() {}

  /**
   * junction_stomp_errors_total for {@code reason}, as the node's /metrics shows it (0 if none).
   */
  static double errors(HttpApi api, String reason) throws Exception {
    return api.metric("junction_stomp_errors_total{reason=\"" + reason + "\"}").orElse(0);
  }
}
