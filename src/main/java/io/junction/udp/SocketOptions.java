package io.junction.udp;

import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.io.Inet;
import org.apache.pekko.io.UdpSO;

/**
 * The Pekko IO socket options a {@link UdpSettings} asks for: broadcast, receive buffer, and
 * multicast membership (which Pekko IO has no option for: it is joined right after the bind, on the
 * socket's channel).
 */
final class SocketOptions {
  private SocketOptions() {}

  static List<Inet.SocketOption> of(UdpSettings s) {
    List<Inet.SocketOption> options = new ArrayList<>();
    if (s.broadcast()) options.add(UdpSO.broadcast(true));
    if (s.receiveBufferBytes() > 0) options.add(UdpSO.receiveBufferSize(s.receiveBufferBytes()));
    s.multicast()
        .ifPresent(
            m -> {
              options.add(new ProtocolFamily(m.group()));
              options.add(new JoinGroup(m));
            });
    return options;
  }

  /** Opens the channel in the group's address family, so an IPv4 group can be joined. */
  static final class ProtocolFamily extends Inet.DatagramChannelCreator {
    private final String group;

    ProtocolFamily(String group) {
      this.group = group;
    }

    @Override
    public DatagramChannel create() throws Exception {
      return DatagramChannel.open(
          InetAddress.getByName(group) instanceof Inet4Address
              ? StandardProtocolFamily.INET
              : StandardProtocolFamily.INET6);
    }
  }

  /** Joins the multicast group after the bind and sets interface, TTL and loopback for sends. */
  static final class JoinGroup extends Inet.AbstractSocketOptionV2 {
    private final UdpSettings.Multicast multicast;

    JoinGroup(UdpSettings.Multicast multicast) {
      this.multicast = multicast;
    }

    @Override
    public void afterBind(DatagramSocket socket) {
      try {
        NetworkInterface nif = NetworkInterface.getByName(multicast.networkInterface());
        DatagramChannel channel = socket.getChannel();
        channel.setOption(StandardSocketOptions.IP_MULTICAST_IF, nif);
        channel.setOption(StandardSocketOptions.IP_MULTICAST_TTL, multicast.ttl());
        channel.setOption(StandardSocketOptions.IP_MULTICAST_LOOP, multicast.loopback());
        channel.join(InetAddress.getByName(multicast.group()), nif);
      } catch (Exception e) {
        // Pekko turns this into a failed Bind, and the endpoint restarts with backoff.
        throw new IllegalStateException(
            "cannot join multicast group "
                + multicast.group()
                + " on "
                + multicast.networkInterface()
                + ": "
                + e.getMessage(),
            e);
      }
    }
  }
}
