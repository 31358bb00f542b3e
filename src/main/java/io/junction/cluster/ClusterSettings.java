package io.junction.cluster;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueType;
import io.junction.config.ConfigProblems;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.AddressFromURIString;

/**
 * {@code junction.cluster}, parsed and validated once: whether this node joins a cluster, the
 * address it is reached on, whom it joins, its roles and how unreachable nodes are downed.
 *
 * @param enabled join a cluster (queues sharded) instead of running alone
 * @param host canonical Artery host other nodes reach this node on
 * @param port canonical Artery port (0: any free port, for tests)
 * @param seedNodes full addresses ({@code pekko://junction@host:port}) of the nodes to join
 * @param roles this node's cluster roles
 * @param downing split brain resolver strategy, or {@code off}
 * @param stableAfter how long membership must be stable before the resolver acts
 * @param rememberQueues restart sharded queues as soon as their shard moves
 * @param management the Pekko Management HTTP endpoint (health checks, bootstrap contact point)
 * @param bootstrap Cluster Bootstrap: join through service discovery instead of seed nodes
 * @param tls TLS between nodes (Artery {@code tls-tcp}), or off
 */
public record ClusterSettings(
    boolean enabled,
    String host,
    int port,
    List<String> seedNodes,
    List<String> roles,
    String downing,
    Duration stableAfter,
    boolean rememberQueues,
    ManagementSettings management,
    BootstrapSettings bootstrap,
    ClusterTls tls) {

  /** The actor system's name: it is part of every address, so all nodes must share it. */
  public static final String SYSTEM_NAME = "junction";

  static final String BASE = "junction.cluster";
  static final Set<String> KEYS =
      Set.of(
          "enabled",
          "host",
          "port",
          "seed-nodes",
          "roles",
          "downing",
          "stable-after",
          "remember-queues",
          "management",
          "bootstrap",
          "tls");

  /**
   * Lists that may also be one comma-separated string (what an environment variable can carry), so
   * a type check against reference.conf's empty list must not reject the string form.
   */
  public static final Set<String> LIST_OR_STRING_KEYS =
      Set.of(BASE + ".seed-nodes", BASE + ".bootstrap.contact-points");

  static final List<String> DOWNING = List.of("keep-majority", "keep-oldest", "down-all", "off");

  public ClusterSettings {
    seedNodes = List.copyOf(seedNodes);
    roles = List.copyOf(roles);
  }

  /** A node that runs alone. */
  public static ClusterSettings disabled() {
    return new ClusterSettings(
        false,
        "127.0.0.1",
        25520,
        List.of(),
        List.of(),
        "keep-majority",
        Duration.ofSeconds(7),
        true,
        ManagementSettings.disabled(),
        BootstrapSettings.disabled(),
        ClusterTls.off());
  }

  /** Reads {@code junction.cluster} (absent: disabled), recording every problem by path. */
  public static ClusterSettings fromConfig(Config config, ConfigProblems problems) {
    if (!config.hasPath(BASE)) return disabled();
    Config c = problems.read(BASE, () -> config.getConfig(BASE), null);
    if (c == null) return disabled();
    problems.rejectUnknownKeys(BASE, c, KEYS);
    boolean enabled = problems.read(BASE + ".enabled", () -> c.getBoolean("enabled"), false);
    String host = problems.read(BASE + ".host", () -> c.getString("host"), "127.0.0.1");
    if (host.isBlank()) problems.add(BASE + ".host", "must not be empty");
    int port = problems.read(BASE + ".port", () -> c.getInt("port"), 25520);
    if (port < 0 || port > 65535) problems.add(BASE + ".port", "must be 0..65535, was " + port);
    List<String> given =
        problems.read(BASE + ".seed-nodes", () -> stringList(c, "seed-nodes"), List.<String>of());
    List<String> seeds = new ArrayList<>();
    for (String s : given) {
      String address = seedAddress(s);
      if (address == null)
        problems.add(
            BASE + ".seed-nodes",
            "'" + s + "' is not host:port or pekko://" + SYSTEM_NAME + "@host:port");
      else seeds.add(address);
    }
    List<String> roles =
        problems.read(BASE + ".roles", () -> stringList(c, "roles"), List.<String>of());
    String downing =
        problems.read(BASE + ".downing", () -> c.getString("downing"), "keep-majority");
    if (!DOWNING.contains(downing))
      problems.add(BASE + ".downing", "must be one of " + DOWNING + ", was \"" + downing + "\"");
    Duration stable =
        problems.read(
            BASE + ".stable-after", () -> c.getDuration("stable-after"), Duration.ofSeconds(7));
    if (stable.isNegative() || stable.isZero())
      problems.add(BASE + ".stable-after", "must be > 0, was " + stable);
    boolean remember =
        problems.read(BASE + ".remember-queues", () -> c.getBoolean("remember-queues"), true);
    ManagementSettings management = ManagementSettings.fromConfig(c, problems);
    BootstrapSettings bootstrap = BootstrapSettings.fromConfig(c, problems);
    checkJoining(enabled, given, management, bootstrap, problems);
    ClusterTls tls = ClusterTls.fromConfig(c, BASE, problems);
    return new ClusterSettings(
        enabled, host, port, seeds, roles, downing, stable, remember, management, bootstrap, tls);
  }

  /** How the node joins: seed nodes, or bootstrap through the management endpoints; not both. */
  private static void checkJoining(
      boolean enabled,
      List<String> seeds,
      ManagementSettings management,
      BootstrapSettings bootstrap,
      ConfigProblems problems) {
    if (management.enabled() && !enabled)
      problems.add(ManagementSettings.BASE + ".enabled", "needs junction.cluster.enabled = on");
    if (!bootstrap.enabled()) {
      if (enabled && seeds.isEmpty())
        problems.add(
            BASE + ".seed-nodes",
            "is required when the cluster is enabled (list this node's own address to form a"
                + " cluster alone), unless junction.cluster.bootstrap is enabled");
      return;
    }
    if (!enabled)
      problems.add(BootstrapSettings.BASE + ".enabled", "needs junction.cluster.enabled = on");
    if (!management.enabled())
      problems.add(
          BootstrapSettings.BASE + ".enabled",
          "needs junction.cluster.management.enabled = on (the contact points other nodes probe are"
              + " the management endpoints)");
    else if (management.port() == 0)
      problems.add(
          ManagementSettings.BASE + ".port",
          "must not be 0 with bootstrap: other nodes find this node by its management port");
    if (!seeds.isEmpty())
      problems.add(
          BASE + ".seed-nodes",
          "must be empty when junction.cluster.bootstrap is enabled (Pekko skips bootstrap when"
              + " seed nodes are set)");
  }

  /** This node's own address, {@code pekko://junction@host:port}. */
  public String selfAddress() {
    return "pekko://" + SYSTEM_NAME + "@" + host + ":" + port;
  }

  /**
   * These settings with this node moved to the end of the seed nodes, when it is the first: Pekko
   * lets only the first seed node form a new cluster (after {@code seed-node-timeout} without an
   * answer from the others), so this node can then only join an existing one.
   */
  public ClusterSettings joiningOnly() {
    if (seedNodes.size() < 2 || !seedNodes.get(0).equals(selfAddress())) return this;
    List<String> seeds = new ArrayList<>(seedNodes.subList(1, seedNodes.size()));
    seeds.add(seedNodes.get(0));
    return new ClusterSettings(
        enabled,
        host,
        port,
        seeds,
        roles,
        downing,
        stableAfter,
        rememberQueues,
        management,
        bootstrap,
        tls);
  }

  /** A list, or one comma-separated string (what an environment variable can carry). */
  static List<String> stringList(Config c, String key) {
    if (c.getValue(key).valueType() == ConfigValueType.STRING) {
      List<String> out = new ArrayList<>();
      for (String s : c.getString(key).split(",")) if (!s.isBlank()) out.add(s.strip());
      return out;
    }
    return c.getStringList(key);
  }

  /** {@code host:port} or a full address, as a full address of this system; null if invalid. */
  static String seedAddress(String s) {
    String full = s.contains("://") ? s : "pekko://" + SYSTEM_NAME + "@" + s;
    try {
      Address a = AddressFromURIString.parse(full);
      if (!a.protocol().equals("pekko")
          || !a.system().equals(SYSTEM_NAME)
          || a.host().isEmpty()
          || a.port().isEmpty()) return null;
      return a.toString();
    } catch (Exception e) { // Scala throws MalformedURLException, undeclared

      return null;
    }
  }
}
