package io.junction.udp;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.junction.codec.Codecs;
import io.junction.codec.PayloadCodec;
import io.junction.config.ConfigProblems;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.Set;

/**
 * A {@code udp} endpoint, parsed once from {@code junction.endpoints.<name>}.
 *
 * @param maxDatagramBytes larger datagrams are counted ({@code oversize}) and skipped
 * @param targetHost where {@code udp:<name>} sends when the message names no {@code target-host}
 *     header; empty for "headers only"
 * @param sendQueue datagrams waiting for the socket; more are dropped and counted
 * @param maxPending received datagrams not yet decoded; more are dropped and counted
 * @param receiveBufferBytes SO_RCVBUF, 0 for the OS default
 */
public record UdpSettings(
    String name,
    String host,
    int port,
    PayloadCodec codec,
    int maxDatagramBytes,
    Optional<String> targetHost,
    int targetPort,
    boolean broadcast,
    Optional<Multicast> multicast,
    int sendQueue,
    int maxPending,
    int receiveBufferBytes) {

  /** Join {@code group} on {@code networkInterface}; TTL and loopback apply to what is sent. */
  public record Multicast(String group, String networkInterface, int ttl, boolean loopback) {}

  /** Largest payload of an IPv4 UDP datagram. */
  public static final int MAX_UDP_PAYLOAD = 65_507;

  private static final Set<String> KEYS =
      Set.of(
          "kind",
          "host",
          "port",
          "codec",
          "max-datagram-bytes",
          "target-host",
          "target-port",
          "broadcast",
          "multicast",
          "send-queue",
          "max-pending",
          "receive-buffer-bytes");

  private static final Set<String> MULTICAST_KEYS = Set.of("group", "interface", "ttl", "loopback");

  /** Reads one endpoint; each problem is recorded under its full path. */
  public static UdpSettings fromConfig(
      String name, Config c, String path, Codecs codecs, ConfigProblems problems) {
    problems.rejectUnknownKeys(path, c, KEYS);
    String codecSpec = problems.read(path + ".codec", () -> str(c, "codec", "raw"), "raw");
    PayloadCodec codec =
        problems.read(path + ".codec", () -> codecs.resolve(codecSpec), PayloadCodec.RAW);
    int port = problems.read(path + ".port", () -> c.getInt("port"), 0);
    checkPort(path + ".port", port, problems);
    Optional<String> target =
        c.hasPath("target-host")
            ? Optional.of(
                problems.read(path + ".target-host", () -> c.getString("target-host"), ""))
            : Optional.empty();
    int targetPort =
        problems.read(
            path + ".target-port", () -> c.hasPath("target-port") ? c.getInt("target-port") : 0, 0);
    if (target.isPresent()) {
      checkPort(path + ".target-port", targetPort, problems);
      if (targetPort == 0) problems.add(path + ".target-port", "is required with target-host");
    }
    return new UdpSettings(
        name,
        problems.read(path + ".host", () -> str(c, "host", "127.0.0.1"), "127.0.0.1"),
        port,
        codec,
        bounded(c, "max-datagram-bytes", MAX_UDP_PAYLOAD, 1, MAX_UDP_PAYLOAD, path, problems),
        target,
        targetPort,
        problems.read(
            path + ".broadcast", () -> c.hasPath("broadcast") && c.getBoolean("broadcast"), false),
        multicast(c, path + ".multicast", problems),
        bounded(c, "send-queue", 1024, 1, 1 << 20, path, problems),
        bounded(c, "max-pending", 4096, 64, 1 << 20, path, problems),
        bounded(c, "receive-buffer-bytes", 0, 0, 1 << 30, path, problems));
  }

  private static Optional<Multicast> multicast(Config c, String path, ConfigProblems problems) {
    if (!c.hasPath("multicast")) return Optional.empty();
    Config m = problems.read(path, () -> c.getConfig("multicast"), ConfigFactory.empty());
    problems.rejectUnknownKeys(path, m, MULTICAST_KEYS);
    String group = problems.read(path + ".group", () -> m.getString("group"), "");
    String nif = problems.read(path + ".interface", () -> m.getString("interface"), "");
    if (!group.isEmpty() && !isMulticast(group))
      problems.add(path + ".group", "'" + group + "' is not a multicast IP address");
    if (!nif.isEmpty() && !interfaceExists(nif))
      problems.add(path + ".interface", "no network interface named '" + nif + "' here");
    int ttl = bounded(m, "ttl", 1, 0, 255, path, problems);
    boolean loop =
        problems.read(
            path + ".loopback", () -> !m.hasPath("loopback") || m.getBoolean("loopback"), true);
    return Optional.of(new Multicast(group, nif, ttl, loop));
  }

  private static boolean isMulticast(String group) {
    // Only IP literals: a name would need DNS, and a group is never configured by name.
    if (!group.matches("[0-9.]+|[0-9a-fA-F:]+")) return false;
    try {
      return InetAddress.getByName(group).isMulticastAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  private static boolean interfaceExists(String name) {
    try {
      return NetworkInterface.getByName(name) != null;
    } catch (SocketException e) {
      return false;
    }
  }

  private static void checkPort(String path, int port, ConfigProblems problems) {
    if (port < 0 || port > 65535) problems.add(path, "must be between 0 and 65535, was " + port);
  }

  private static String str(Config c, String key, String fallback) {
    return c.hasPath(key) ? c.getString(key) : fallback;
  }

  private static int bounded(
      Config c, String key, int fallback, int min, int max, String path, ConfigProblems problems) {
    String p = path + "." + key;
    long v =
        problems.read(
            p,
            () ->
                !c.hasPath(key)
                    ? (long) fallback
                    : key.endsWith("bytes") ? c.getBytes(key) : (long) c.getInt(key),
            (long) fallback);
    if (v < min || v > max) {
      problems.add(p, "must be between " + min + " and " + max + ", was " + v);
      return fallback;
    }
    return (int) v;
  }
}
