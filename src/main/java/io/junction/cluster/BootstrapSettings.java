package io.junction.cluster;

import com.typesafe.config.Config;
import io.junction.config.ConfigProblems;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code junction.cluster.bootstrap}: Pekko Cluster Bootstrap, which finds the other nodes'
 * management endpoints through service discovery and forms or joins the cluster without seed nodes.
 *
 * @param enabled join through bootstrap instead of {@code seed-nodes}
 * @param discovery {@code config} (the list below), {@code dns} (A or SRV records of a headless
 *     service) or {@code kubernetes-api} (pods labelled {@code app=<service-name>})
 * @param serviceName what discovery looks up
 * @param requiredContactPoints how many nodes must be found before the lowest one forms a cluster
 * @param portName the named port of the management endpoint (SRV lookups, Kubernetes pod ports);
 *     empty: every contact point's management port is this node's
 * @param contactPoints {@code host:port} of every node's management endpoint ({@code config} only)
 */
public record BootstrapSettings(
    boolean enabled,
    String discovery,
    String serviceName,
    int requiredContactPoints,
    String portName,
    List<HostPort> contactPoints) {
  static final String BASE = ClusterSettings.BASE + ".bootstrap";
  static final Set<String> KEYS =
      Set.of(
          "enabled",
          "discovery",
          "service-name",
          "required-contact-points",
          "port-name",
          "contact-points");

  /** The discovery methods and the Pekko Discovery implementation each one selects. */
  static final Map<String, String> DISCOVERY =
      Map.of("config", "config", "dns", "pekko-dns", "kubernetes-api", "kubernetes-api");

  /** One management endpoint of the {@code config} discovery list. */
  public record HostPort(String host, int port) {}

  public BootstrapSettings {
    contactPoints = List.copyOf(contactPoints);
  }

  public static BootstrapSettings disabled() {
    return new BootstrapSettings(false, "config", "junction", 2, "", List.of());
  }

  /** The Pekko Discovery method name ({@code pekko.discovery.method}). */
  public String discoveryMethod() {
    return DISCOVERY.get(discovery);
  }

  static BootstrapSettings fromConfig(Config cluster, ConfigProblems problems) {
    if (!cluster.hasPath("bootstrap")) return disabled();
    Config c = problems.read(BASE, () -> cluster.getConfig("bootstrap"), null);
    if (c == null) return disabled();
    problems.rejectUnknownKeys(BASE, c, KEYS);
    boolean enabled = problems.read(BASE + ".enabled", () -> c.getBoolean("enabled"), false);
    String discovery = problems.read(BASE + ".discovery", () -> c.getString("discovery"), "config");
    if (!DISCOVERY.containsKey(discovery))
      problems.add(
          BASE + ".discovery",
          "must be one of "
              + List.of("config", "dns", "kubernetes-api")
              + ", was \""
              + discovery
              + "\"");
    String service =
        problems.read(BASE + ".service-name", () -> c.getString("service-name"), "junction");
    if (service.isBlank()) problems.add(BASE + ".service-name", "must not be empty");
    int required =
        problems.read(
            BASE + ".required-contact-points", () -> c.getInt("required-contact-points"), 2);
    if (required < 1)
      problems.add(BASE + ".required-contact-points", "must be >= 1, was " + required);
    String portName = problems.read(BASE + ".port-name", () -> c.getString("port-name"), "");
    List<String> given =
        problems.read(
            BASE + ".contact-points",
            () -> ClusterSettings.stringList(c, "contact-points"),
            List.<String>of());
    List<HostPort> points = new ArrayList<>();
    for (String s : given) {
      HostPort p = hostPort(s);
      if (p == null)
        problems.add(BASE + ".contact-points", "'" + s + "' is not host:port (port 1..65535)");
      else points.add(p);
    }
    if (enabled && discovery.equals("config")) {
      if (given.isEmpty())
        problems.add(
            BASE + ".contact-points",
            "is required with discovery = config: host:port of every node's management endpoint");
      else if (required > given.size())
        problems.add(
            BASE + ".required-contact-points",
            required
                + " is more than the "
                + given.size()
                + " contact-points: a cluster never forms");
    }
    if (!discovery.equals("config") && !given.isEmpty())
      problems.add(BASE + ".contact-points", "is only used with discovery = config");
    return new BootstrapSettings(enabled, discovery, service, required, portName, points);
  }

  private static HostPort hostPort(String s) {
    int colon = s.lastIndexOf(':');
    if (colon <= 0) return null;
    try {
      int port = Integer.parseInt(s.substring(colon + 1).strip());
      String host = s.substring(0, colon).strip();
      return port < 1 || port > 65535 || host.isEmpty() ? null : new HostPort(host, port);
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
