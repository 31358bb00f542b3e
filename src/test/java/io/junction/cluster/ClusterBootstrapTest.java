package io.junction.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.junction.testing.FreePorts;
import io.junction.testing.HttpApi;
import io.junction.testing.TestNode;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Three nodes on 127.0.0.1 with no seed nodes find each other through Cluster Bootstrap (config
 * discovery of their Pekko Management endpoints) and form one cluster; a node is ready, on {@code
 * GET /v1/ready} and on management's {@code GET /ready}, only once it is an Up member.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class ClusterBootstrapTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration FORMING = Duration.ofSeconds(120);
  private final List<TestNode> nodes = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (TestNode n : nodes) n.close();
  }

  @Test
  void threeNodesFormAClusterThroughBootstrapAndAreReadyOnlyOnceUp() throws Exception {
    // distinct: config discovery needs the management ports in advance
    int[] management = FreePorts.freePorts(3);
    StringBuilder points = new StringBuilder();
    for (int p : management) points.append(points.isEmpty() ? "" : ",").append("127.0.0.1:" + p);

    // Alone, the first node cannot form a cluster (3 contact points are required): not ready.
    TestNode first = start(management[0], points.toString());
    HttpApi firstApi = new HttpApi(first.httpPort());
    HttpApi firstManagement = new HttpApi(management[0]);
    first.await(() -> status(firstManagement, "/alive", 200));
    assertEquals(503, firstApi.get("/v1/ready", null).statusCode());
    assertTrue(firstApi.get("/v1/ready", null).body().contains("cluster: "));
    // Pekko Management answers a failing check with 500 "Not Healthy: ..."
    HttpResponse<String> managementReady = firstManagement.get("/ready", null);
    assertEquals(500, managementReady.statusCode());
    assertTrue(managementReady.body().startsWith("Not Healthy"), managementReady.body());
    assertEquals(200, firstApi.get("/v1/health", null).statusCode());
    assertEquals(List.of(), first.system().settings().config().getStringList(SEEDS));

    start(management[1], points.toString());
    start(management[2], points.toString());
    for (int i = 0; i < nodes.size(); i++) {
      TestNode node = nodes.get(i);
      HttpApi api = new HttpApi(node.httpPort());
      HttpApi mgmt = new HttpApi(management[i]);
      node.kit()
          .createTestProbe()
          .awaitAssert(FORMING, Duration.ofMillis(250), () -> status(api, "/v1/ready", 200));
      // ready implies Up: a member never goes back from Up to Joining
      assertEquals(MemberStatus.up(), Cluster.get(node.system()).selfMember().status());
      assertEquals(200, mgmt.get("/ready", null).statusCode());
    }
    // One cluster of three, the same seen from each node.
    for (TestNode node : nodes)
      node.kit()
          .createTestProbe()
          .awaitAssert(FORMING, Duration.ofMillis(250), () -> upMembers(node, 3));
  }

  private static final String SEEDS = "pekko.cluster.seed-nodes";

  private TestNode start(int managementPort, String contactPoints) {
    TestNode node =
        TestNode.start(
            """
            junction.cluster {
              enabled = on, port = 0, stable-after = 2s
              management { enabled = on, host = 127.0.0.1, port = %d }
              bootstrap { enabled = on, required-contact-points = 3, contact-points = "%s" }
            }
            pekko.cluster.jmx.multi-mbeans-in-same-jvm = on
            # quicker than production: nodes here start within seconds of each other
            pekko.management.cluster.bootstrap {
              contact-point-discovery { interval = 500ms, stable-margin = 1s }
              contact-point.probe-interval = 500ms
            }
            """
                .formatted(managementPort, contactPoints));
    nodes.add(node);
    return node;
  }

  private static Object status(HttpApi api, String path, int expected) {
    try {
      HttpResponse<String> r = api.get(path, null);
      assertEquals(expected, r.statusCode(), path + ": " + r.body());
      return r;
    } catch (java.io.IOException e) {
      throw new AssertionError(path + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private static Object upMembers(TestNode node, int expected) {
    try {
      JsonNode cluster =
          JSON.readTree(new HttpApi(node.httpPort()).get("/v1/cluster", null).body());
      long up = 0;
      for (JsonNode m : cluster.get("members")) if (m.get("status").asText().equals("Up")) up++;
      assertEquals(expected, up, cluster.toString());
      return cluster;
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
