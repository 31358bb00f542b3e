package io.junction.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.junction.testing.ChildNode;
import io.junction.testing.ClusterApi;
import io.junction.testing.FreePorts;
import io.junction.testing.HttpApi;
import io.junction.testing.TestCertificates;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Artery TLS between nodes, in child JVMs on 127.0.0.1: two nodes holding a certificate of the
 * cluster's CA form a cluster; a node speaking plain TCP and a node whose certificate comes from
 * another CA try to join them and never become members.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ClusterTlsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int BOOT_SECONDS = 180;
  private static final String COULD_NOT_JOIN = "Couldn't join seed nodes after";
  private final List<ChildNode> processes = new ArrayList<>();
  private Path dir;

  @AfterEach
  void stop() throws Exception {
    for (ChildNode p : processes) p.close();
    ClusterApi.deleteTree(dir);
  }

  @Test
  void nodesOfTheClusterCaJoinWhilePlainTextAndForeignCertificatePeersAreRefused()
      throws Exception {
    dir = Files.createTempDirectory("junction-cluster-tls");
    // The cluster's CA is one self-signed certificate here: each good node presents a key pair
    // that chains to it (the same one), and trusts only it.
    TestCertificates cluster = TestCertificates.create(dir, "cluster");
    TestCertificates foreign = TestCertificates.create(dir, "foreign");
    int[] ports = FreePorts.freePorts(4);
    String seeds = "\"127.0.0.1:" + ports[0] + "\", \"127.0.0.1:" + ports[1] + "\"";
    String firstSeed = "\"127.0.0.1:" + ports[0] + "\"";
    Map<String, String> env = Map.of("CLUSTER_KEYS_PASSWORD", cluster.password());
    String clusterTls =
        """
        tls {
          enabled = on
          keystore-file = "%s", keystore-password-env = CLUSTER_KEYS_PASSWORD
          truststore-file = "%s", truststore-password-env = CLUSTER_KEYS_PASSWORD
          hostname-verification = on
        }
        """
            .formatted(cluster.keystore(), cluster.truststore());
    String foreignTls =
        """
        tls {
          enabled = on
          keystore-file = "%s", keystore-password-file = "%s"
          truststore-file = "%s", truststore-password-file = "%s"
        }
        """
            .formatted(
                foreign.keystore(),
                foreign.passwordFile(),
                foreign.truststore(),
                foreign.passwordFile());

    ChildNode good0 = start("good-0", ports[0], seeds, clusterTls, env);
    HttpApi api0 = new HttpApi(good0.port("http", BOOT_SECONDS));
    ChildNode good1 = start("good-1", ports[1], seeds, clusterTls, env);
    ChildNode plain = start("plain", ports[2], firstSeed, "", Map.of());
    ChildNode alien = start("foreign", ports[3], firstSeed, foreignTls, Map.of());
    HttpApi api1 = new HttpApi(good1.port("http", BOOT_SECONDS));

    Set<String> good = new TreeSet<>(List.of(address(ports[0]), address(ports[1])));
    awaitMembers(api0, good, good0);
    // Both intruders have been trying for a while: each logs that it could not join, repeatedly.
    awaitLog(plain, COULD_NOT_JOIN);
    awaitLog(alien, COULD_NOT_JOIN);
    assertEquals(good, members(api0), "members seen by good-0");
    assertEquals(good, members(api1), "members seen by good-1");
    for (ChildNode intruder : List.of(plain, alien)) {
      JsonNode self =
          JSON.readTree(
              new HttpApi(intruder.port("http", BOOT_SECONDS)).get("/v1/cluster", null).body());
      assertNotEquals("Up", self.path("self_status").asText(), self.toString());
      for (JsonNode m : self.path("members"))
        assertFalse(good.contains(m.get("address").asText()), "intruder sees " + self);
    }
  }

  private ChildNode start(String name, int port, String seeds, String tls, Map<String, String> env)
      throws Exception {
    Path nodeDir = Files.createDirectories(dir.resolve(name));
    String config =
        """
        junction {
          data-dir = "%s"
          http.port = 0
          cluster {
            enabled = on
            port = %d
            seed-nodes = [%s]
            %s
          }
        }
        """
            .formatted(nodeDir.resolve("data"), port, seeds, tls);
    ChildNode node = ChildNode.start(nodeDir, config, env);
    processes.add(node);
    return node;
  }

  private static String address(int port) {
    return "pekko://junction@127.0.0.1:" + port;
  }

  private static Set<String> members(HttpApi api) throws Exception {
    HttpResponse<String> r = api.get("/v1/cluster", null);
    assertEquals(200, r.statusCode(), r.body());
    Set<String> out = new TreeSet<>();
    for (JsonNode m : JSON.readTree(r.body()).get("members")) {
      assertEquals("Up", m.get("status").asText(), r.body());
      out.add(m.get("address").asText());
    }
    return out;
  }

  private static void awaitMembers(HttpApi api, Set<String> expected, ChildNode node)
      throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(BOOT_SECONDS);
    String last = "";
    while (System.nanoTime() < deadline) {
      HttpResponse<String> r = api.get("/v1/cluster", null);
      last = r.body();
      Set<String> up = new TreeSet<>();
      if (r.statusCode() == 200)
        for (JsonNode m : JSON.readTree(r.body()).get("members"))
          if (m.get("status").asText().equals("Up")) up.add(m.get("address").asText());
      if (up.equals(expected)) return;
      // a bounded poll of another process's state: there is no event to wait on
      node.process().waitFor(200, TimeUnit.MILLISECONDS);
    }
    throw new AssertionError(
        "members not " + expected + ": " + last + "\n" + String.join("\n", node.output()));
  }

  private static void awaitLog(ChildNode node, String text) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < deadline) {
      if (node.output().stream().anyMatch(l -> l.contains(text))) return;
      assertFalse(!node.process().isAlive(), "node exited:\n" + String.join("\n", node.output()));
      node.process().waitFor(200, TimeUnit.MILLISECONDS); // a bounded poll of its log
    }
    throw new AssertionError(
        "no '" + text + "' within 120 s:\n" + String.join("\n", node.output()));
  }
}
