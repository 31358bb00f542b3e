package io.junction.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The path label of {@code junction_http_requests_total}: a fixed prefix of the API or "other". */
class HttpMetricsTest {
  @Test
  void aPathIsLabelledByItsFixedApiPrefixAndAnythingElseIsOther() {
    assertEquals("/v1/queues", HttpMetrics.label("/v1/queues"));
    assertEquals("/v1/queues", HttpMetrics.label("/v1/queues/q/messages:batch"));
    assertEquals("/v1/publish", HttpMetrics.label("/v1/publish/dest"));
    assertEquals("/v1/health", HttpMetrics.label("/v1/health"));
    assertEquals("/metrics", HttpMetrics.label("/metrics"));
    assertEquals("other", HttpMetrics.label("/metrics/x"));
    assertEquals("other", HttpMetrics.label("/v1/queuesX/q"));
    assertEquals("other", HttpMetrics.label("/v1"));
    assertEquals("other", HttpMetrics.label("/v1/"));
    assertEquals("other", HttpMetrics.label("/"));
    assertEquals("other", HttpMetrics.label(""));
    assertEquals("other", HttpMetrics.label("/console/app.js"));
    assertEquals("other", HttpMetrics.label("/v2/queues/q"));
  }
}
