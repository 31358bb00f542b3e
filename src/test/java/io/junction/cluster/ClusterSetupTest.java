package io.junction.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.junction.config.ConfigProblems;
import io.junction.testing.TestCertificates;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClusterSetupTest {
  @TempDir static Path certs;
  static TestCertificates keys;

  @BeforeAll
  static void makeKeys() throws Exception {
    keys = TestCertificates.create(certs, "node");
  }

  private static Config with(String hocon) {
    ConfigFactory.invalidateCaches();
    return ConfigFactory.load(ConfigFactory.parseString(hocon));
  }

  @Test
  void clusterIsOffByDefaultAndTheConfigIsUnchanged() {
    Config c = with("");
    assertSame(c, ClusterSetup.configure(c));
    assertEquals("local", c.getString("pekko.actor.provider"));
  }

  @Test
  void enabledClusterSetsProviderArteryAddressSeedsAndSplitBrainResolver() {
    Config c =
        ClusterSetup.configure(
            with(
                """
                junction.cluster {
                  enabled = on, host = 127.0.0.2, port = 25521
                  seed-nodes = ["127.0.0.2:25521", "pekko://junction@127.0.0.2:25522"]
                  roles = [queues], stable-after = 2s
                }
                """));
    assertEquals("cluster", c.getString("pekko.actor.provider"));
    assertEquals("127.0.0.2", c.getString("pekko.remote.artery.canonical.hostname"));
    assertEquals(25521, c.getInt("pekko.remote.artery.canonical.port"));
    assertEquals(
        List.of("pekko://junction@127.0.0.2:25521", "pekko://junction@127.0.0.2:25522"),
        c.getStringList("pekko.cluster.seed-nodes"));
    assertEquals(List.of("queues"), c.getStringList("pekko.cluster.roles"));
    assertEquals(
        "org.apache.pekko.cluster.sbr.SplitBrainResolverProvider",
        c.getString("pekko.cluster.downing-provider-class"));
    assertEquals(
        "keep-majority", c.getString("pekko.cluster.split-brain-resolver.active-strategy"));
    assertEquals(2000, c.getDuration("pekko.cluster.split-brain-resolver.stable-after").toMillis());
    // graceful leave on SIGTERM is Pekko's default and must stay on
    assertTrue(c.getBoolean("pekko.coordinated-shutdown.run-by-jvm-shutdown-hook"));
  }

  @Test
  void downedFirstSeedNodeRestartsJoiningOnlyAndOthersAreUnchanged(@TempDir Path dataDir)
      throws Exception {
    ConfigProblems problems = new ConfigProblems();
    ClusterSettings first =
        ClusterSettings.fromConfig(
            with(
                """
                junction.cluster {
                  enabled = on, port = 25521, seed-nodes = ["127.0.0.1:25521", "127.0.0.1:25522"]
                }
                """),
            problems);
    assertSame(first, ClusterExit.forStart(first, dataDir), "no marker: as configured");
    Files.writeString(dataDir.resolve(ClusterExit.MARKER), "downed");
    assertEquals(
        List.of("pekko://junction@127.0.0.1:25522", "pekko://junction@127.0.0.1:25521"),
        ClusterExit.forStart(first, dataDir).seedNodes());
    ClusterSettings second =
        new ClusterSettings(
            true,
            "127.0.0.1",
            25522,
            first.seedNodes(),
            List.of(),
            "keep-majority",
            Duration.ofSeconds(7),
            true,
            first.management(),
            first.bootstrap(),
            first.tls());
    assertSame(second, ClusterExit.forStart(second, dataDir), "not the first seed: unchanged");
    ClusterSettings alone =
        ClusterSettings.fromConfig(
            with(
                "junction.cluster { enabled = on, port = 25521, seed-nodes = [\"127.0.0.1:25521\"] }"),
            problems);
    assertSame(alone, ClusterExit.forStart(alone, dataDir), "a cluster of one still forms");
  }

  @Test
  void downedNodeAlwaysShutsDownEvenIfThePekkoBlockSaysOtherwise() {
    Config c =
        ClusterSetup.configure(
            with(
                """
                junction.cluster { enabled = on, seed-nodes = ["127.0.0.1:1"] }
                pekko.cluster.run-coordinated-shutdown-when-down = off
                pekko.coordinated-shutdown.terminate-actor-system = off
                """));
    assertTrue(c.getBoolean("pekko.cluster.run-coordinated-shutdown-when-down"));
    assertTrue(c.getBoolean("pekko.coordinated-shutdown.terminate-actor-system"));
  }

  @Test
  void seedNodesMayBeOneCommaSeparatedStringAsAnEnvironmentVariableGivesThem() {
    Config c =
        ClusterSetup.configure(
            with(
                "junction.cluster { enabled = on, seed-nodes = \"127.0.0.1:25521, 127.0.0.1:25522\" }"));
    assertEquals(
        List.of("pekko://junction@127.0.0.1:25521", "pekko://junction@127.0.0.1:25522"),
        c.getStringList("pekko.cluster.seed-nodes"));
  }

  @Test
  void downingOffLeavesTheDowningProviderUnset() {
    Config c =
        ClusterSetup.configure(
            with(
                "junction.cluster { enabled = on, seed-nodes = [\"127.0.0.1:1\"], downing = off }"));
    assertEquals("", c.getString("pekko.cluster.downing-provider-class"));
  }

  @Test
  void everyProblemIsReportedWithItsPath() {
    ConfigProblems.InvalidConfigException e =
        assertThrows(
            ConfigProblems.InvalidConfigException.class,
            () ->
                ClusterSetup.configure(
                    with(
                        """
                        junction.cluster {
                          enabled = on, port = 70000, downing = keep-everyone, stable-after = 0s
                          seed-nodes = ["pekko://other@127.0.0.1:1", "nohost"], colour = red
                        }
                        """)));
    List<String> paths = e.problems().stream().map(ConfigProblems.Problem::path).toList();
    assertTrue(paths.contains("junction.cluster.port"), paths.toString());
    assertTrue(paths.contains("junction.cluster.downing"), paths.toString());
    assertTrue(paths.contains("junction.cluster.stable-after"), paths.toString());
    assertTrue(paths.contains("junction.cluster.colour"), paths.toString());
    assertEquals(
        2,
        paths.stream().filter(p -> p.equals("junction.cluster.seed-nodes")).count(),
        paths.toString());
  }

  @Test
  void enabledWithoutSeedNodesIsAProblem() {
    ConfigProblems problems = new ConfigProblems();
    ClusterSettings.fromConfig(with("junction.cluster.enabled = on"), problems);
    assertFalse(problems.isEmpty());
    assertEquals("junction.cluster.seed-nodes", problems.all().get(0).path());
  }

  @Test
  void managementAndConfigBootstrapSetPekkoManagementAndDiscoveryWithoutSeedNodes() {
    Config c =
        ClusterSetup.configure(
            with(
                """
                junction.cluster {
                  enabled = on
                  management { enabled = on, host = 127.0.0.1, port = 7711 }
                  bootstrap {
                    enabled = on, service-name = local, required-contact-points = 3
                    contact-points = "127.0.0.1:7711, 127.0.0.1:7712,127.0.0.1:7713"
                  }
                }
                """));
    assertEquals(List.of(), c.getStringList("pekko.cluster.seed-nodes"));
    assertEquals("127.0.0.1", c.getString("pekko.management.http.hostname"));
    assertEquals(7711, c.getInt("pekko.management.http.port"));
    assertEquals("127.0.0.1", c.getString("pekko.management.http.bind-hostname"));
    assertEquals(7711, c.getInt("pekko.management.http.bind-port"));
    String d = "pekko.management.cluster.bootstrap.contact-point-discovery.";
    assertEquals("config", c.getString("pekko.discovery.method"));
    assertEquals("config", c.getString(d + "discovery-method"));
    assertEquals("local", c.getString(d + "service-name"));
    assertEquals(3, c.getInt(d + "required-contact-point-nr"));
    List<? extends Config> endpoints =
        c.getConfigList("pekko.discovery.config.services.local.endpoints");
    assertEquals(
        List.of("127.0.0.1:7711", "127.0.0.1:7712", "127.0.0.1:7713"),
        endpoints.stream().map(e -> e.getString("host") + ":" + e.getInt("port")).toList());
    // several nodes on one host: keep every port, not only the fallback one
    assertFalse(
        c.getBoolean("pekko.management.cluster.bootstrap.contact-point.filter-on-fallback-port"));
    assertEquals(List.of("Up"), c.getStringList(READY_STATES));
  }

  private static final String READY_STATES = "pekko.management.cluster.health-check.ready-states";

  @Test
  void kubernetesApiAndDnsDiscoverySelectPekkosImplementationsAndThePortName() {
    Config k8s =
        ClusterSetup.configure(
            with(
                """
                junction.cluster {
                  enabled = on, host = 10.1.2.3
                  management { enabled = on, host = 10.1.2.3, bind-host = "0.0.0.0" }
                  bootstrap { enabled = on, discovery = kubernetes-api, port-name = management }
                }
                """));
    String d = "pekko.management.cluster.bootstrap.contact-point-discovery.";
    assertEquals("kubernetes-api", k8s.getString(d + "discovery-method"));
    assertEquals("management", k8s.getString(d + "port-name"));
    assertEquals("junction", k8s.getString(d + "service-name"));
    assertEquals("0.0.0.0", k8s.getString("pekko.management.http.bind-hostname"));
    assertEquals(7626, k8s.getInt("pekko.management.http.port"));
    assertTrue(k8s.hasPath("pekko.discovery.kubernetes-api.class"));
    Config dns =
        ClusterSetup.configure(
            with(
                """
                junction.cluster {
                  enabled = on, management.enabled = on
                  bootstrap { enabled = on, discovery = dns, service-name = "junction.ns.svc.cluster.local" }
                }
                """));
    assertEquals("pekko-dns", dns.getString(d + "discovery-method"));
    assertEquals("junction.ns.svc.cluster.local", dns.getString(d + "service-name"));
  }

  @Test
  void readyStatesSetByTheConfigAreKept() {
    Config c =
        ClusterSetup.configure(
            with(
                """
                junction.cluster { enabled = on, seed-nodes = ["127.0.0.1:1"] }
                pekko.management.cluster.health-check.ready-states = [Up, WeaklyUp, Leaving]
                """));
    assertEquals(List.of("Up", "WeaklyUp", "Leaving"), c.getStringList(READY_STATES));
  }

  @Test
  void bootstrapProblemsAreReportedWithTheirPaths() {
    List<String> paths =
        problems(
            """
            junction.cluster {
              enabled = on, seed-nodes = ["127.0.0.1:25521"]
              bootstrap {
                enabled = on, discovery = zookeeper, service-name = "", required-contact-points = 0
                contact-points = ["127.0.0.1", "127.0.0.1:99999"], colour = red
              }
            }
            """);
    assertTrue(paths.contains("junction.cluster.seed-nodes"), paths.toString());
    assertTrue(
        paths.contains("junction.cluster.bootstrap.enabled"), paths.toString()); // management
    assertTrue(paths.contains("junction.cluster.bootstrap.discovery"), paths.toString());
    assertTrue(paths.contains("junction.cluster.bootstrap.service-name"), paths.toString());
    assertTrue(
        paths.contains("junction.cluster.bootstrap.required-contact-points"), paths.toString());
    assertTrue(paths.contains("junction.cluster.bootstrap.colour"), paths.toString());
    assertEquals(
        3, // two bad entries, and a list given to a discovery other than config
        paths.stream().filter(p -> p.equals("junction.cluster.bootstrap.contact-points")).count(),
        paths.toString());
  }

  @Test
  void configDiscoveryNeedsEnoughContactPointsAndAFixedManagementPort() {
    assertEquals(
        List.of("junction.cluster.bootstrap.contact-points"),
        problems(
            "junction.cluster { enabled = on, management.enabled = on, bootstrap.enabled = on }"));
    assertEquals(
        List.of(
            "junction.cluster.management.port",
            "junction.cluster.bootstrap.required-contact-points"),
        problems(
                """
            junction.cluster {
              enabled = on, management { enabled = on, port = 0 }
              bootstrap { enabled = on, required-contact-points = 3, contact-points = ["h:1", "h:2"] }
            }
            """)
            .stream()
            .sorted(java.util.Comparator.reverseOrder())
            .toList());
  }

  @Test
  void managementAndBootstrapNeedTheCluster() {
    List<String> paths =
        problems(
            """
            junction.cluster {
              management.enabled = on
              bootstrap { enabled = on, contact-points = ["127.0.0.1:7626"], required-contact-points = 1 }
            }
            """);
    assertEquals(
        List.of("junction.cluster.bootstrap.enabled", "junction.cluster.management.enabled"),
        paths.stream().sorted().toList());
  }

  private static List<String> problems(String hocon) {
    ConfigProblems problems = new ConfigProblems();
    ClusterSettings.fromConfig(with(hocon), problems);
    return problems.all().stream().map(ConfigProblems.Problem::path).toList();
  }

  @Test
  void theNodesOwnCheckAcceptsListsGivenAsOneStringAsEnvironmentVariablesGiveThem() {
    // reference.conf has lists there; the node's type check must not reject the string form
    io.junction.node.NodeSettings settings =
        io.junction.node.NodeSettings.fromConfig(
            with(
                """
                junction.cluster {
                  enabled = on, management.enabled = on
                  bootstrap { enabled = on, contact-points = "127.0.0.1:7626,127.0.0.1:7627" }
                }
                """));
    assertEquals(2, settings.cluster().bootstrap().contactPoints().size());
    io.junction.node.NodeSettings seeds =
        io.junction.node.NodeSettings.fromConfig(
            with("junction.cluster { enabled = on, seed-nodes = \"127.0.0.1:1,127.0.0.1:2\" }"));
    assertEquals(2, seeds.cluster().seedNodes().size());
  }

  @Test
  void tlsSwitchesArteryToTlsTcpWithMutualAuthenticationAndKeepsPasswordsOutOfToString() {
    ClusterSettings settings =
        settings(
            """
            enabled = on, seed-nodes = ["127.0.0.1:1"]
            tls {
              enabled = on, hostname-verification = on
              keystore-file = "%s", keystore-password-file = "%s"
              truststore-file = "%s", truststore-password-file = "%s"
            }
            """
                .formatted(
                    keys.keystore(), keys.passwordFile(), keys.truststore(), keys.passwordFile()));
    Config c = ClusterSetup.configure(with(""), settings);
    String engine = "pekko.remote.artery.ssl.config-ssl-engine.";
    assertEquals("tls-tcp", c.getString("pekko.remote.artery.transport"));
    assertEquals(keys.keystore().toString(), c.getString(engine + "key-store"));
    assertEquals(keys.password(), c.getString(engine + "key-store-password"));
    assertEquals(keys.password(), c.getString(engine + "key-password"));
    assertEquals(keys.truststore().toString(), c.getString(engine + "trust-store"));
    assertEquals(keys.password(), c.getString(engine + "trust-store-password"));
    assertTrue(c.getBoolean(engine + "require-mutual-authentication"));
    assertTrue(c.getBoolean(engine + "hostname-verification"));
    assertFalse(settings.toString().contains(keys.password()), settings.toString());
  }

  @Test
  void tlsOffKeepsPlainTcp() {
    Config c =
        ClusterSetup.configure(
            with("junction.cluster { enabled = on, seed-nodes = [\"127.0.0.1:1\"] }"));
    assertEquals("tcp", c.getString("pekko.remote.artery.transport"));
  }

  @Test
  void tlsProblemsAreReportedWithTheirPathBeforeTheNodeStarts() {
    List<ConfigProblems.Problem> problems =
        clusterProblems(
            """
            enabled = on, seed-nodes = ["127.0.0.1:1"]
            tls { enabled = on, keystore-password-env = JUNCTION_TEST_UNSET_VARIABLE, colour = red }
            """);
    List<String> paths = problems.stream().map(ConfigProblems.Problem::path).toList();
    assertTrue(paths.contains("junction.cluster.tls.keystore-file"), problems.toString());
    assertTrue(paths.contains("junction.cluster.tls.keystore-password-env"), problems.toString());
    assertTrue(paths.contains("junction.cluster.tls.truststore-file"), problems.toString());
    assertTrue(paths.contains("junction.cluster.tls.colour"), problems.toString());

    // the key pair's store is not a trust store, and a wrong password does not open a store
    List<ConfigProblems.Problem> wrong =
        clusterProblems(
            """
            enabled = on, seed-nodes = ["127.0.0.1:1"]
            tls {
              enabled = on
              keystore-file = "%s", keystore-password-file = "%s"
              truststore-file = "%s", truststore-password-file = "%s"
            }
            """
                .formatted(
                    keys.truststore(), keys.passwordFile(), keys.keystore(), keys.passwordFile()));
    assertEquals(
        List.of("junction.cluster.tls.keystore-file", "junction.cluster.tls.truststore-file"),
        wrong.stream().map(ConfigProblems.Problem::path).toList(),
        wrong.toString());
    assertTrue(wrong.get(0).message().contains("holds no private key"), wrong.toString());
    assertTrue(wrong.get(1).message().contains("holds no trusted certificate"), wrong.toString());
  }

  private static ClusterSettings settings(String cluster) {
    ConfigProblems problems = new ConfigProblems();
    ClusterSettings s =
        ClusterSettings.fromConfig(with("junction.cluster { " + cluster + " }"), problems);
    assertEquals(List.of(), problems.all());
    return s;
  }

  private static List<ConfigProblems.Problem> clusterProblems(String cluster) {
    ConfigProblems problems = new ConfigProblems();
    ClusterSettings.fromConfig(with("junction.cluster { " + cluster + " }"), problems);
    return problems.all();
  }
}
