package io.junction.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;

/** Loopback ports for tests that must name a port before the thing listening on it starts. */
public final class FreePorts {
  private FreePorts() {}

  /** A free loopback port (free now: another process may take it before the caller binds it). */
  public static int freePort() throws IOException {
    return freePorts(1)[0];
  }

  /**
   * {@code n} distinct free loopback ports, all held open until each is known, chosen below the
   * kernel's ephemeral range. A port the OS hands out for port 0 can be handed out again as soon as
   * it is released: CI once saw a node's cluster transport (port 0) take the management port this
   * returned, in the moment before the management endpoint bound it. Below the range, only a
   * process asking for that very port can take it.
   */
  public static int[] freePorts(int n) throws IOException {
    int below = ephemeralLow();
    ServerSocket[] sockets = new ServerSocket[n];
    int[] ports = new int[n];
    java.util.Random random = new java.util.Random();
    try {
      for (int i = 0, tries = 0; i < n; tries++) {
        if (tries > 1000) throw new IOException("no free port in 10000.." + below);
        int port = 10_000 + random.nextInt(below - 10_000);
        try {
          sockets[i] = new ServerSocket(port, 1, InetAddress.getLoopbackAddress());
          ports[i++] = port;
        } catch (IOException taken) {
          // in use: try another
        }
      }
    } finally {
      for (ServerSocket s : sockets) if (s != null) s.close();
    }
    return ports;
  }

  /** The first port of the kernel's ephemeral range (Linux default 32768). */
  private static int ephemeralLow() {
    try {
      String range = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).strip();
      int low = Integer.parseInt(range.split("\\s+")[0]);
      return low > 11_000 ? low : 32_768;
    } catch (IOException | RuntimeException e) {
      return 32_768;
    }
  }
}
