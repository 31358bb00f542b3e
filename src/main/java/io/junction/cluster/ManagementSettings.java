package io.junction.cluster;

import com.typesafe.config.Config;
import io.junction.config.ConfigProblems;
import java.util.Set;

/**
 * {@code junction.cluster.management}: Pekko Management's HTTP endpoint, which serves the health
 * checks ({@code /ready}, {@code /alive}) probes use, the cluster HTTP routes and the contact point
 * that Cluster Bootstrap probes on other nodes.
 *
 * @param enabled start the management HTTP endpoint
 * @param host the host other nodes (bootstrap) and probes reach the endpoint on
 * @param port its port (0 only without bootstrap: other nodes must know it)
 * @param bindHost the interface to bind; empty: {@code host}
 */
public record ManagementSettings(boolean enabled, String host, int port, String bindHost) {
  static final String BASE = ClusterSettings.BASE + ".management";
  static final Set<String> KEYS = Set.of("enabled", "host", "port", "bind-host");

  /** Pekko Management's own default port ("PMAN" on a telephone keypad). */
  public static final int DEFAULT_PORT = 7626;

  public static ManagementSettings disabled() {
    return new ManagementSettings(false, "127.0.0.1", DEFAULT_PORT, "");
  }

  /** The interface the endpoint binds. */
  public String effectiveBindHost() {
    return bindHost.isBlank() ? host : bindHost;
  }

  static ManagementSettings fromConfig(Config cluster, ConfigProblems problems) {
    if (!cluster.hasPath("management")) return disabled();
    Config c = problems.read(BASE, () -> cluster.getConfig("management"), null);
    if (c == null) return disabled();
    problems.rejectUnknownKeys(BASE, c, KEYS);
    boolean enabled = problems.read(BASE + ".enabled", () -> c.getBoolean("enabled"), false);
    String host = problems.read(BASE + ".host", () -> c.getString("host"), "127.0.0.1");
    if (host.isBlank()) problems.add(BASE + ".host", "must not be empty");
    int port = problems.read(BASE + ".port", () -> c.getInt("port"), DEFAULT_PORT);
    if (port < 0 || port > 65535) problems.add(BASE + ".port", "must be 0..65535, was " + port);
    String bind = problems.read(BASE + ".bind-host", () -> c.getString("bind-host"), "");
    return new ManagementSettings(enabled, host, port, bind);
  }
}
