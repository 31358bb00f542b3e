package io.junction.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.junction.testing.FreePorts;
import io.junction.testing.TestNode;
import io.junction.testing.WireClient;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TcpClientTest {
  static TestNode node;
  static int[] peerPorts = new int[4];

  @BeforeAll
  static void start() throws IOException {
    for (int i = 0; i < peerPorts.length; i++) peerPorts[i] = FreePorts.freePort();
    StringBuilder endpoints = new StringBuilder();
    StringBuilder routes = new StringBuilder();
    String[] names = {"plain", "oldest", "newest", "fail"};
    String[] overflow = {"drop-oldest", "drop-oldest", "drop-newest", "fail"};
    for (int i = 0; i < names.length; i++) {
      int max = i == 0 ? 1000 : 3;
      endpoints.append(
          """
          in-%1$s { kind = tcp-server, port = 0, framing { kind = length-prefixed } }
          out-%1$s {
            kind = tcp-client, port = %2$d, framing { kind = length-prefixed }
            reconnect { min-backoff = 50ms, max-backoff = 300ms }
            buffer { max-messages = %3$d, overflow = %4$s }
          }
          """
              .formatted(names[i], peerPorts[i], max, overflow[i]));
      routes.append("r-%1$s { from = in-%1$s, to = \"tcp:out-%1$s\" }\n".formatted(names[i]));
    }
    node =
        TestNode.start(
            "junction {\n endpoints {\n" + endpoints + "}\n routes {\n" + routes + "}\n}");
  }

  @AfterAll
  static void stop() throws Exception {
    node.close();
  }

  private static ServerSocket listen(int port) throws IOException {
    ServerSocket s = new ServerSocket();
    s.setReuseAddress(true);
    s.bind(new InetSocketAddress("127.0.0.1", port));
    s.setSoTimeout(10_000);
    return s;
  }

  private static void send(WireClient in, String... messages) throws IOException {
    for (String m : messages) in.write(WireClient.frame(m.getBytes(StandardCharsets.UTF_8)));
  }

  private static List<String> receive(Socket peer, int n) throws IOException {
    peer.setSoTimeout(10_000);
    DataInputStream in = new DataInputStream(peer.getInputStream());
    List<String> got = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      byte[] b = new byte[in.readInt()];
      in.readFully(b);
      got.add(new String(b, StandardCharsets.UTF_8));
    }
    return got;
  }

  private void awaitState(String endpoint, String state, double buffered) {
    node.await(
        () -> {
          var s = node.status(endpoint);
          assertEquals(state, s.state());
          if (buffered >= 0) assertEquals(buffered, s.counters().get("buffered"));
          return null;
        });
  }

  @Test
  void buffersWhileTheServerIsDownThenReconnectsAndDeliversInOrderAcrossARestart()
      throws Exception {
    try (WireClient in = new WireClient(node.port("in-plain"))) {
      awaitState("out-plain", "disconnected", -1);
      send(in, "a", "b", "c");
      awaitState("out-plain", "disconnected", 3);
      try (ServerSocket server = listen(peerPorts[0]);
          Socket peer = server.accept()) {
        assertEquals(List.of("a", "b", "c"), receive(peer, 3));
        send(in, "d");
        assertEquals(List.of("d"), receive(peer, 1));
      } // the server goes away mid-stream
      awaitState("out-plain", "disconnected", -1);
      send(in, "e", "f");
      awaitState("out-plain", "disconnected", 2);
      try (ServerSocket server = listen(peerPorts[0]);
          Socket peer = server.accept()) {
        assertEquals(List.of("e", "f"), receive(peer, 2));
      }
    }
  }

  @Test
  void dropOldestKeepsTheNewestMessagesWhenTheBufferIsFull() throws Exception {
    assertEquals(List.of("3", "4", "5"), overflow("oldest", 1));
  }

  @Test
  void dropNewestKeepsTheOldestMessagesWhenTheBufferIsFull() throws Exception {
    assertEquals(List.of("1", "2", "3"), overflow("newest", 2));
  }

  @Test
  void failRefusesMessagesWhenTheBufferIsFullAndCountsThem() throws Exception {
    assertEquals(List.of("1", "2", "3"), overflow("fail", 3));
    assertEquals(2.0, node.status("out-fail").counters().get("dropped"));
  }

  private List<String> overflow(String name, int peer) throws Exception {
    try (WireClient in = new WireClient(node.port("in-" + name))) {
      awaitState("out-" + name, "disconnected", -1);
      send(in, "1", "2", "3", "4", "5");
      node.await(
          () -> {
            assertEquals(2.0, node.status("out-" + name).counters().get("dropped"));
            return null;
          });
      try (ServerSocket server = listen(peerPorts[peer]);
          Socket s = server.accept()) {
        List<String> got = receive(s, 3);
        s.setSoTimeout(300);
        assertEquals(-1, readOrTimeout(s), "nothing beyond the three kept messages");
        return got;
      }
    }
  }

  private static int readOrTimeout(Socket s) throws IOException {
    try {
      return s.getInputStream().read();
    } catch (java.net.SocketTimeoutException e) {
      return -1;
    }
  }
}
