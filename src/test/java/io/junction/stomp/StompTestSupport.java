package io.junction.stomp;

import io.junction.testing.HttpApi;

final class StompTestSupport {
  private StompTestSupport() {}

  /**
   * junction_stomp_errors_total for {@code reason}, as the node's /metrics shows it (0 if none).
   */
  static double errors(HttpApi api, String reason) throws Exception {
    String prefix = "junction_stomp_errors_total{reason=\"" + reason + "\"}";
    for (String line : api.get("/metrics", null).body().split("\n"))
      if (line.startsWith(prefix))
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
    return 0;
  }
}
