package io.junction.cluster;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.junction.config.ConfigProblems;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Turns {@code junction.cluster} into Pekko's cluster configuration, before the actor system exists
 * (as {@code JournalSetup} does for the journal): the cluster actor-ref provider, Artery's
 * canonical address, the seed nodes, the split brain resolver and, with {@code tls.enabled},
 * Artery's TLS transport; with {@code management} and {@code bootstrap}, Pekko Management's
 * endpoint and Cluster Bootstrap's discovery. A node with the cluster off gets its config back
 * unchanged. Leaving the cluster gracefully on {@code CoordinatedShutdown} (SIGTERM) is Pekko's
 * default and stays on; a node the cluster downs terminates its actor system (and {@code junction
 * run} exits, see {@link ClusterExit}).
 */
public final class ClusterSetup {
  private static final String SBR = "org.apache.pekko.cluster.sbr.SplitBrainResolverProvider";
  private static final String READY_STATES = "pekko.management.cluster.health-check.ready-states";

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
    // Ready (management's GET /ready, the node's GET /v1/ready) only as an Up member: Pekko's
    // default also accepts WeaklyUp, a member admitted while some node is unreachable, before
    // the cluster has agreed on it. A value the config sets itself is kept.
    if (config.hasPath(READY_STATES)
        && config.getStringList(READY_STATES).equals(List.of("Up", "WeaklyUp")))
      overlay = overlay.withValue(READY_STATES, value(List.of("Up")));
    overlay = management(overlay, settings.management());
    overlay = bootstrap(overlay, settings.bootstrap(), settings.management());
    if (settings.tls().enabled()) overlay = settings.tls().artery().withFallback(overlay);
    return overlay.withFallback(config).resolve();
  }

  /** Pekko Management's HTTP endpoint: the advertised host and port, and the interface bound. */
  private static Config management(Config overlay, ManagementSettings m) {
    if (!m.enabled()) return overlay;
    return overlay
        .withValue("pekko.management.http.hostname", value(m.host()))
        .withValue("pekko.management.http.port", value(m.port()))
        .withValue("pekko.management.http.bind-hostname", value(m.effectiveBindHost()))
        .withValue("pekko.management.http.bind-port", value(m.port()));
  }

  /** Cluster Bootstrap: what to look up, how, and how many nodes before forming a cluster. */
  private static Config bootstrap(Config overlay, BootstrapSettings b, ManagementSettings m) {
    if (!b.enabled()) return overlay;
    String discovery = "pekko.management.cluster.bootstrap.contact-point-discovery.";
    Config out =
        overlay
            .withValue("pekko.discovery.method", value(b.discoveryMethod()))
            .withValue(discovery + "discovery-method", value(b.discoveryMethod()))
            .withValue(discovery + "service-name", value(b.serviceName()))
            .withValue(discovery + "required-contact-point-nr", value(b.requiredContactPoints()))
            .withValue(
                "pekko.management.cluster.bootstrap.contact-point.fallback-port", value(m.port()));
    if (!b.portName().isBlank()) out = out.withValue(discovery + "port-name", value(b.portName()));
    if (!b.discovery().equals("config")) return out;
    List<Map<String, Object>> endpoints = new ArrayList<>();
    for (BootstrapSettings.HostPort p : b.contactPoints())
      endpoints.add(Map.of("host", p.host(), "port", p.port()));
    return out.withValue(
            "pekko.discovery.config.services",
            ConfigValueFactory.fromMap(Map.of(b.serviceName(), Map.of("endpoints", endpoints))))
        // The list names every port, so the filter that keeps one port per host (for discovery
        // that returns several ports of one pod) would drop all but one node of a local cluster.
        .withValue(
            "pekko.management.cluster.bootstrap.contact-point.filter-on-fallback-port",
            value(false));
  }

  static com.typesafe.config.ConfigValue value(Object v) {
    return ConfigValueFactory.fromAnyRef(v);
  }
}
