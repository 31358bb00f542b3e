package io.junction.udp;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Map;
import java.util.Optional;

/**
 * Reads a send target from message headers. Only IP literals are accepted there: resolving a name
 * would block the endpoint on DNS for every message.
 */
final class Targets {
  private Targets() {}

  /** The address in the {@code target-host}/{@code target-port} headers, if both are there. */
  static Optional<InetSocketAddress> fromHeaders(Map<String, String> headers) {
    String host = headers.get(UdpEndpoint.TARGET_HOST);
    String port = headers.get(UdpEndpoint.TARGET_PORT);
    if (host == null && port == null) return Optional.empty();
    if (host == null || port == null)
      throw new IllegalArgumentException("headers target-host and target-port go together");
    if (!host.matches("[0-9.]+|[0-9a-fA-F:]+"))
      throw new IllegalArgumentException("header target-host must be an IP address, was " + host);
    int p;
    try {
      p = Integer.parseInt(port);
    } catch (NumberFormatException e) {
      p = -1;
    }
    if (p <= 0 || p > 65535)
      throw new IllegalArgumentException("header target-port must be 1..65535, was " + port);
    try {
      return Optional.of(new InetSocketAddress(InetAddress.getByName(host), p));
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("header target-host is not an IP address: " + host);
    }
  }
}
