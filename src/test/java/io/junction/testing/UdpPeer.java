package io.junction.testing;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.Arrays;
import java.util.Optional;

/** A plain UDP socket on 127.0.0.1, as a C or Qt peer would use, with bounded receives. */
public final class UdpPeer implements AutoCloseable {
  private final DatagramSocket socket;

  public UdpPeer() throws IOException {
    socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    socket.setSoTimeout(10_000);
  }

  public int port() {
    return socket.getLocalPort();
  }

  public DatagramSocket socket() {
    return socket;
  }

  public void send(byte[] data, int port) throws IOException {
    socket.send(new DatagramPacket(data, data.length, InetAddress.getLoopbackAddress(), port));
  }

  /** The next datagram's bytes; fails when none arrives within the socket's timeout. */
  public byte[] receive() throws IOException {
    DatagramPacket p = new DatagramPacket(new byte[65_536], 65_536);
    socket.receive(p);
    return Arrays.copyOf(p.getData(), p.getLength());
  }

  /** The next datagram within {@code millis}, or empty. */
  public Optional<byte[]> poll(int millis) throws IOException {
    int before = socket.getSoTimeout();
    socket.setSoTimeout(millis);
    try {
      return Optional.of(receive());
    } catch (SocketTimeoutException e) {
      return Optional.empty();
    } finally {
      socket.setSoTimeout(before);
    }
  }

  @Override
  public void close() {
    socket.close();
  }
}
