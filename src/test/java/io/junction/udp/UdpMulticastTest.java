package io.junction.udp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.junction.testing.TestNode;
import java.net.DatagramPacket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.MulticastSocket;
import java.net.NetworkInterface;
import java.net.StandardSocketOptions;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class UdpMulticastTest {

  /**
   * The first interface that is up, not loopback, multicast-capable and with an IPv4 address (eth0
   * here; not a bare veth or bridge another test's network namespaces left without one).
   */
  static NetworkInterface multicastInterface() throws Exception {
    return NetworkInterface.networkInterfaces()
        .filter(
            n -> {
              try {
                return n.isUp()
                    && !n.isLoopback()
                    && n.supportsMulticast()
                    && n.inetAddresses().anyMatch(a -> a instanceof java.net.Inet4Address);
              } catch (Exception e) {
                return false;
              }
            })
        .findFirst()
        .orElseThrow(() -> new AssertionError("no multicast-capable interface on this machine"));
  }

  @Test
  void joinsTheConfiguredGroupAndAnswersTheSenderOfAGroupDatagram() throws Exception {
    NetworkInterface nif = multicastInterface();
    String group = "239.255.77.1";
    try (TestNode node =
            TestNode.start(
                """
                junction {
                  endpoints.group {
                    kind = udp, host = "0.0.0.0", port = 0
                    multicast { group = "%s", interface = "%s", ttl = 0, loopback = on }
                  }
                  routes.r { from = group, to = reply }
                }
                """
                    .formatted(group, nif.getName()));
        MulticastSocket peer = new MulticastSocket(new InetSocketAddress(0))) {
      int port = node.port("group");
      peer.setSoTimeout(10_000);
      peer.setOption(StandardSocketOptions.IP_MULTICAST_IF, nif);
      peer.setOption(StandardSocketOptions.IP_MULTICAST_LOOP, true);
      peer.setTimeToLive(0); // never leaves this host
      byte[] hello = "to the group".getBytes(StandardCharsets.UTF_8);
      peer.send(new DatagramPacket(hello, hello.length, InetAddress.getByName(group), port));
      DatagramPacket reply = new DatagramPacket(new byte[100], 100);
      peer.receive(reply);
      assertEquals(
          "to the group",
          new String(Arrays.copyOf(reply.getData(), reply.getLength()), StandardCharsets.UTF_8));
    }
  }
}
