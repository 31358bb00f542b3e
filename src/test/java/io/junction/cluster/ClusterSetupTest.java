package io.junction.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.junction.config.ConfigProblems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClusterSetupTest {

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
            true);
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
}
