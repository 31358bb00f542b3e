package io.junction.tcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.junction.testing.TestNode;
import io.junction.testing.WireClient;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TcpServerTest {
  static TestNode node;

  @BeforeAll
  static void start() {
    node =
        TestNode.start(
            """
            junction {
              endpoints {
                frames { kind = tcp-server, port = 0, framing { kind = length-prefixed, max-frame-bytes = 1k } }
                frames-le2 { kind = tcp-server, port = 0, framing { kind = length-prefixed, length-bytes = 2, byte-order = little-endian, length-includes-header = true } }
                lines { kind = tcp-server, port = 0, codec = text, framing { kind = delimiter, max-frame-bytes = 100 } }
                fixed { kind = tcp-server, port = 0, framing { kind = fixed, size = 8 } }
                restarting { kind = tcp-server, port = 0, framing { kind = length-prefixed } }
                closing { kind = tcp-server, port = 0, on-handler-failure = close, framing { kind = length-prefixed } }
                small { kind = tcp-server, port = 0, max-connections = 2, framing { kind = raw } }
                idle { kind = tcp-server, port = 0, idle-timeout = 300ms, framing { kind = raw } }
                sink { kind = tcp-server, port = 0, write-buffer-bytes = 64k, framing { kind = raw, max-frame-bytes = 16k } }
              }
              routes {
                r1 { from = frames, to = reply }
                r2 { from = frames-le2, to = reply }
                r3 { from = lines, to = reply }
                r4 { from = fixed, to = reply }
                r5 { from = restarting, to = reply }
                r6 { from = closing, to = reply }
                r7 { from = small, to = reply }
                r8 { from = idle, to = reply }
                r9 { from = sink, to = reply }
              }
            }
            """);
  }

  @AfterAll
  static void stop() throws Exception {
    node.close();
  }

  @Test
  void echoesLengthPrefixedFramesSplitAcrossAndCoalescedInSegments() throws Exception {
    try (WireClient c = new WireClient(node.port("frames"))) {
      byte[] a = WireClient.frame("first".getBytes(StandardCharsets.UTF_8));
      byte[] b = WireClient.frame(new byte[1024]);
      // one frame dribbled in three writes, then two frames in one write
      c.write(java.util.Arrays.copyOfRange(a, 0, 2));
      c.write(java.util.Arrays.copyOfRange(a, 2, 6));
      c.write(java.util.Arrays.copyOfRange(a, 6, a.length));
      ByteArrayOutputStream both = new ByteArrayOutputStream();
      both.write(b);
      both.write(a);
      c.write(both.toByteArray());
      assertEquals("first", new String(c.readFrame(), StandardCharsets.UTF_8));
      assertArrayEquals(new byte[1024], c.readFrame());
      assertEquals("first", new String(c.readFrame(), StandardCharsets.UTF_8));
    }
  }

  @Test
  void echoesTwoByteLittleEndianLengthThatCountsItsHeader() throws Exception {
    try (WireClient c = new WireClient(node.port("frames-le2"))) {
      byte[] frame = {5, 0, 'a', 'b', 'c'};
      c.write(frame);
      assertArrayEquals(frame, c.readExactly(5));
    }
  }

  @Test
  void echoesLinesAndSkipsInvalidUtf8WithoutClosing() throws Exception {
    double before = node.status("lines").counters().get("decode_errors");
    try (WireClient c = new WireClient(node.port("lines"))) {
      c.write(new byte[] {(byte) 0xC3, (byte) 0x28, '\n'}); // invalid UTF-8
      c.writeLine("héllo");
      assertEquals("héllo", c.readLine());
    }
    node.await(
        () -> {
          assertEquals(before + 1, node.status("lines").counters().get("decode_errors"));
          return null;
        });
  }

  @Test
  void echoesFixedSizeFramesDribbledByteByByte() throws Exception {
    try (WireClient c = new WireClient(node.port("fixed"))) {
      byte[] two = "abcdefgh12345678".getBytes(StandardCharsets.US_ASCII);
      for (byte x : two) c.write(new byte[] {x});
      assertArrayEquals(two, c.readExactly(16));
    }
  }

  @Test
  void closesConnectionWhoseFrameExceedsTheLimitAndKeepsTheOthers() throws Exception {
    int port = node.port("frames");
    double before = node.status("frames").counters().get("frame_errors");
    try (WireClient good = new WireClient(port);
        WireClient bad = new WireClient(port)) {
      // declares 100 MB: must be refused from the header alone, nothing allocated for it
      bad.write(ByteBuffer.allocate(4).putInt(100_000_000).array());
      assertTrue(bad.isClosedByPeer());
      good.write(WireClient.frame("still here".getBytes(StandardCharsets.UTF_8)));
      assertEquals("still here", new String(good.readFrame(), StandardCharsets.UTF_8));
    }
    node.await(
        () -> {
          assertEquals(before + 1, node.status("frames").counters().get("frame_errors"));
          return null;
        });
  }

  @Test
  void refusesConnectionsBeyondTheMaximumAndCountsThem() throws Exception {
    int port = node.port("small");
    try (WireClient a = new WireClient(port);
        WireClient b = new WireClient(port)) {
      a.write("a".getBytes(StandardCharsets.UTF_8));
      b.write("b".getBytes(StandardCharsets.UTF_8));
      assertEquals('a', a.readExactly(1)[0]);
      assertEquals('b', b.readExactly(1)[0]);
      try (WireClient third = new WireClient(port)) {
        assertTrue(third.isClosedByPeer());
      }
      a.write("x".getBytes(StandardCharsets.UTF_8));
      assertEquals('x', a.readExactly(1)[0]);
    }
    assertTrue(node.status("small").counters().get("connections_rejected") >= 1);
  }

  @Test
  void closesIdleConnections() throws Exception {
    try (WireClient c = new WireClient(node.port("idle"))) {
      c.write("x".getBytes(StandardCharsets.UTF_8));
      assertEquals('x', c.readExactly(1)[0]);
      assertTrue(c.isClosedByPeer()); // nothing more sent: closed after 300 ms
    }
  }

  @Test
  void handlerFailureWithRestartDropsTheFrameAndKeepsTheConnection() throws Exception {
    int port = node.port("restarting");
    try (WireClient victim = new WireClient(port);
        WireClient bystander = new WireClient(port)) {
      victim.write(WireClient.frame(new byte[] {1}));
      assertArrayEquals(new byte[] {1}, victim.readFrame());
      injectFailureInto("restarting", 2);
      victim.write(WireClient.frame(new byte[] {2}));
      victim.write(WireClient.frame(new byte[] {3}));
      bystander.write(WireClient.frame(new byte[] {9}));
      // the failed frame (2) is dropped, the connection goes on with the next one
      assertArrayEquals(new byte[] {3}, victim.readFrame());
      assertArrayEquals(new byte[] {9}, bystander.readFrame());
    }
  }

  @Test
  void handlerFailureWithCloseClosesOnlyThatConnection() throws Exception {
    int port = node.port("closing");
    try (WireClient victim = new WireClient(port);
        WireClient bystander = new WireClient(port)) {
      victim.write(WireClient.frame(new byte[] {1}));
      assertArrayEquals(new byte[] {1}, victim.readFrame());
      bystander.write(WireClient.frame(new byte[] {1}));
      assertArrayEquals(new byte[] {1}, bystander.readFrame());
      injectFailureInto("closing", 2);
      victim.write(WireClient.frame(new byte[] {2}));
      assertTrue(victim.isClosedByPeer());
      bystander.write(WireClient.frame(new byte[] {7}));
      assertArrayEquals(new byte[] {7}, bystander.readFrame());
      try (WireClient newcomer = new WireClient(port)) {
        newcomer.write(WireClient.frame(new byte[] {8}));
        assertArrayEquals(new byte[] {8}, newcomer.readFrame());
      }
    }
  }

  /** Injects into the connection that has seen the fewest frames among the first two... */
  private void injectFailureInto(String endpoint, int expectedConnections) {
    var conns =
        node.await(
            () -> {
              var m = node.connections(endpoint);
              assertEquals(expectedConnections, m.size());
              return m;
            });
    // the victim connected first: its id sorts first
    String first =
        conns.keySet().stream()
            .min(java.util.Comparator.comparingInt(TcpServerTest::seq))
            .orElseThrow();
    conns.get(first).tell(TcpConnection.InjectFailure.INSTANCE);
    TestProbe<ConnectionInfo> probe = node.kit().createTestProbe();
    conns.get(first).tell(new TcpConnection.GetInfo(probe.ref())); // ordered after the injection
    probe.receiveMessage(TestNode.TIMEOUT);
  }

  private static int seq(String id) {
    return Integer.parseInt(id.substring(id.lastIndexOf('-') + 1));
  }

  @Test
  void peerThatNeverReadsIsThrottledAndDoesNotAffectOthers() throws Exception {
    int port = node.port("sink");
    long written = 0;
    try (SocketChannel ch = SocketChannel.open(new InetSocketAddress("127.0.0.1", port));
        Selector selector = Selector.open()) {
      ch.configureBlocking(false);
      ch.register(selector, SelectionKey.OP_WRITE);
      ByteBuffer chunk = ByteBuffer.allocate(64 * 1024);
      new Random(1).nextBytes(chunk.array());
      long limit = 512L * 1024 * 1024; // bounded: a server that never pushes back fails here
      while (written < limit) {
        chunk.clear();
        int n = ch.write(chunk);
        written += n;
        if (n == 0) {
          selector.selectedKeys().clear();
          if (selector.select(2000) == 0) break; // not writable for 2 s: the server stopped reading
        }
      }
      assertTrue(
          written < limit,
          "server kept reading " + written + " bytes from a peer that never reads");
      long bytesIn =
          node.connections("sink").values().stream().mapToLong(c -> info(c).bytesIn()).sum();
      assertTrue(bytesIn < 64L * 1024 * 1024, "server buffered " + bytesIn + " bytes");
      try (WireClient other = new WireClient(port)) {
        other.write("ok".getBytes(StandardCharsets.UTF_8));
        assertArrayEquals("ok".getBytes(StandardCharsets.UTF_8), other.readExactly(2));
      }
      assertFalse(written == 0);
    }
  }

  private static ConnectionInfo info(
      org.apache.pekko.actor.typed.ActorRef<TcpConnection.Command> c) {
    TestProbe<ConnectionInfo> probe = node.kit().createTestProbe();
    c.tell(new TcpConnection.GetInfo(probe.ref()));
    return probe.receiveMessage(TestNode.TIMEOUT);
  }
}
