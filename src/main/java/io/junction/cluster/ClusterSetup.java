package io.junction.cluster;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.junction.config.ConfigProblems;

/**
 * Turns {@code junction.cluster} into Pekko's cluster configuration, before the actor system exists
 * (as {@code JournalSetup} does for the journal): the cluster actor-ref provider, Artery's
 * canonical address, the seed nodes and the split brain resolver. A node with the cluster off gets
 * its config back unchanged. Leaving the cluster gracefully on {@code CoordinatedShutdown}
 * (SIGTERM) is Pekko's default and stays on; a node the cluster downs terminates its actor system
 * (and {@code junction run} exits, see {@link ClusterExit}).
 */
public final class ClusterSetup {
  private static final String SBR = "org.apache.pekko.cluster.sbr.SplitBrainResolverProvider";

  private ClusterSetup() {}

  /** {@code config} with the cluster settings applied when enabled; throws on problems. */
  public static Config configure(Config config) {
    ConfigProblems problems = new ConfigProblems();
    ClusterSettings settings = ClusterSettings.fromConfig(config, problems);
    problems.throwIfAny();
    return configure(config, settings);
  }

  /** {@code config} with {@code settings} applied (unchanged when the cluster is off). */
  public static Config configure(Config config, ClusterSettings settings) {
    if (!settings.enabled()) return config;
    Config overlay =
        ConfigFactory.empty()
            .withValue("pekko.actor.provider", value("cluster"))
            .withValue("pekko.remote.artery.canonical.hostname", value(settings.host()))
            .withValue("pekko.remote.artery.canonical.port", value(settings.port()))
            .withValue("pekko.cluster.seed-nodes", value(settings.seedNodes()))
            .withValue("pekko.cluster.roles", value(settings.roles()))
            .withValue(
                "pekko.cluster.split-brain-resolver.stable-after",
                value(settings.stableAfter().toMillis() + "ms"))
            // A downed node must stop, not linger as a zombie that still serves its API and
            // endpoints: Pekko's defaults, forced so that a pekko { } block cannot turn them off.
            .withValue("pekko.cluster.run-coordinated-shutdown-when-down", value(true))
            .withValue("pekko.coordinated-shutdown.terminate-actor-system", value(true));
    if (!settings.downing().equals("off"))
      overlay =
          overlay
              .withValue("pekko.cluster.downing-provider-class", value(SBR))
              .withValue(
                  "pekko.cluster.split-brain-resolver.active-strategy", value(settings.downing()));
    return overlay.withFallback(config).resolve();
  }

  private static com.typesafe.config.ConfigValue value(Object v) {
    return ConfigValueFactory.fromAnyRef(v);
  }
}
