package io.junction.udp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.junction.config.ConfigProblems;
import io.junction.node.NodeSettings;
import io.junction.testing.TestNode;
import io.junction.testing.UdpPeer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class UdpEndpointTest {
  static TestNode node;
  static UdpPeer target;

  @BeforeAll
  static void start() throws Exception {
    target = new UdpPeer();
    node =
        TestNode.start(
            """
            junction {
              structs.Person.fields = [
                { name = name, type = "char[128]", encoding = utf-8 }
                { name = age, type = int32 }
              ]
              endpoints {
                echo { kind = udp, port = 0 }
                people { kind = udp, port = 0, codec = "struct:Person", max-datagram-bytes = 200 }
                lines { kind = udp, port = 0, codec = text }
                out { kind = udp, port = 0, target-host = 127.0.0.1, target-port = %d }
                flood { kind = udp, port = 0, codec = text, max-pending = 64 }
              }
              routes {
                r1 { from = echo, to = reply }
                r2 { from = people, to = reply }
                r3 { from = lines, to = "udp:out" }
                r4 { from = flood, to = log }
              }
            }
            """
                .formatted(target.port()));
  }

  @AfterAll
  static void stop() throws Exception {
    node.close();
    target.close();
  }

  @Test
  void echoesEachDatagramToItsSender() throws Exception {
    try (UdpPeer peer = new UdpPeer()) {
      int port = node.port("echo");
      peer.send("hello".getBytes(StandardCharsets.UTF_8), port);
      peer.send(new byte[60_000], port);
      assertEquals("hello", new String(peer.receive(), StandardCharsets.UTF_8));
      assertEquals(60_000, peer.receive().length);
    }
  }

  @Test
  void echoesStructDatagramsAndCountsOnesThatDoNotDecodeOrAreTooLarge() throws Exception {
    int port = node.port("people");
    Map<String, Double> before = node.status("people").counters();
    byte[] alice = person("Alice", 42);
    try (UdpPeer peer = new UdpPeer()) {
      peer.send(new byte[10], port); // not 132 bytes: does not decode
      peer.send(new byte[300], port); // over max-datagram-bytes
      peer.send(alice, port);
      assertArrayEquals(alice, peer.receive());
      assertTrue(peer.poll(200).isEmpty(), "nothing is echoed for the bad datagrams");
    }
    node.await(
        () -> {
          Map<String, Double> now = node.status("people").counters();
          assertEquals(before.get("decode_errors") + 1, now.get("decode_errors"));
          assertEquals(before.get("oversize") + 1, now.get("oversize"));
          assertEquals(before.get("datagrams_in") + 3, now.get("datagrams_in"));
          return null;
        });
  }

  @Test
  void sendsRoutedMessagesToTheConfiguredTarget() throws Exception {
    try (UdpPeer peer = new UdpPeer()) {
      peer.send("to the target".getBytes(StandardCharsets.UTF_8), node.port("lines"));
      assertEquals("to the target", new String(target.receive(), StandardCharsets.UTF_8));
    }
    node.await(
        () -> {
          assertTrue(node.status("out").counters().get("datagrams_out") >= 1);
          return null;
        });
  }

  @Test
  void floodIsCountedDatagramByDatagramAndTheNodeStaysResponsive() throws Exception {
    int port = node.port("flood");
    int total = 50_000;
    byte[] good = "ok".getBytes(StandardCharsets.UTF_8);
    byte[] bad = {(byte) 0xC3, (byte) 0x28}; // invalid UTF-8
    try (UdpPeer peer = new UdpPeer()) {
      for (int i = 0; i < total; i++) peer.send(i % 10 == 0 ? bad : good, port);
    }
    // Every datagram the socket read is accounted for: decode error, dropped, or routed.
    Map<String, Double> c =
        node.await(
            () -> {
              Map<String, Double> now = node.status("flood").counters();
              double routed = routed("r4");
              assertEquals(
                  now.get("datagrams_in"),
                  now.get("decode_errors") + now.get("dropped") + routed,
                  "in = decode errors + dropped + routed: " + now + ", routed " + routed);
              return now;
            });
    assertTrue(c.get("datagrams_in") > 0 && c.get("datagrams_in") <= total, c.toString());
    assertTrue(c.get("decode_errors") > 0, c.toString());
    System.out.printf(
        "UDP flood: sent %d, read %.0f, decode errors %.0f, dropped %.0f%n",
        total, c.get("datagrams_in"), c.get("decode_errors"), c.get("dropped"));
    try (UdpPeer peer = new UdpPeer()) {
      peer.send("still here".getBytes(StandardCharsets.UTF_8), node.port("echo"));
      assertEquals("still here", new String(peer.receive(), StandardCharsets.UTF_8));
    }
  }

  @Test
  void reportsEveryBadUdpSettingByPath() {
    var config =
        ConfigFactory.load(
            ConfigFactory.parseString(
                """
                junction.endpoints {
                  a { kind = udp, port = 70000, target-host = "127.0.0.1" }
                  b { kind = udp, port = 0, multicast { group = "10.0.0.1", interface = "no-such-if0" } }
                  c { kind = udp, port = 0, max-datagram-bytes = 70000, codec = "struct:Nope" }
                }
                """));
    var e =
        Assertions.assertThrows(
            ConfigProblems.InvalidConfigException.class, () -> NodeSettings.fromConfig(config));
    var paths = e.problems().stream().map(ConfigProblems.Problem::path).toList();
    assertTrue(paths.contains("junction.endpoints.a.port"), paths.toString());
    assertTrue(paths.contains("junction.endpoints.a.target-port"), paths.toString());
    assertTrue(paths.contains("junction.endpoints.b.multicast.group"), paths.toString());
    assertTrue(paths.contains("junction.endpoints.b.multicast.interface"), paths.toString());
    assertTrue(paths.contains("junction.endpoints.c.max-datagram-bytes"), paths.toString());
    assertTrue(paths.contains("junction.endpoints.c.codec"), paths.toString());
  }

  private static double routed(String route) {
    var counter =
        io.junction.metrics.Metrics.get(node.system())
            .registry()
            .find("junction.route.matched")
            .tag("route", route)
            .counter();
    return counter == null ? 0 : counter.count();
  }

  static byte[] person(String name, int age) {
    ByteBuffer b = ByteBuffer.allocate(132).order(ByteOrder.LITTLE_ENDIAN);
    b.put(name.getBytes(StandardCharsets.UTF_8));
    b.position(128);
    b.putInt(age);
    return b.array();
  }
}
