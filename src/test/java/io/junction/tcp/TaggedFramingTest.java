package io.junction.tcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.junction.testing.TestNode;
import io.junction.testing.WireClient;
import java.util.HexFormat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A binary protocol whose header's tag picks the body and whose length field frames the stream. */
class TaggedFramingTest {
  static TestNode node;

  @BeforeAll
  static void start() {
    node =
        TestNode.start(
            """
            junction {
              structs {
                Header { fields = [ { name = type, type = uint16 }, { name = length, type = uint16 } ] }
                Ping { fields = [ { name = seq, type = uint32 } ] }
                Reading { fields = [ { name = id, type = uint16 }, { name = values, type = "float32[2]" } ] }
                Telemetry { tagged { header = Header, tag-field = type, length-field = length,
                                     length-includes-header = false, bodies { 1 = Ping, 2 = Reading } } }
              }
              endpoints.telemetry { kind = tcp-server, port = 0, codec = "struct:Telemetry" }
              routes.echo { from = telemetry, where { type = Reading }, to = reply }
            }
            """);
  }

  @AfterAll
  static void stop() throws Exception {
    node.close();
  }

  private static byte[] hex(String s) {
    return HexFormat.of().parseHex(s.replace(" ", ""));
  }

  @Test
  void framesByTheHeaderLengthAndRoutesOnTheBodyType() throws Exception {
    byte[] ping = hex("01 00 04 00 07 00 00 00");
    byte[] reading = hex("02 00 0c 00 05 00 00 00 00 00 80 3f 00 00 00 40");
    try (WireClient c = new WireClient(node.port("telemetry"))) {
      byte[] both = new byte[ping.length + reading.length];
      System.arraycopy(ping, 0, both, 0, ping.length);
      System.arraycopy(reading, 0, both, ping.length, reading.length);
      c.write(java.util.Arrays.copyOfRange(both, 0, 3)); // split inside a header
      c.write(java.util.Arrays.copyOfRange(both, 3, both.length));
      // only the Reading matches the route; it comes back exactly as sent
      assertArrayEquals(reading, c.readExactly(reading.length));
    }
  }

  @Test
  void skipsAnUnknownTagWhoseLengthIsKnownAndCountsItAsADecodeError() throws Exception {
    double before = node.status("telemetry").counters().get("decode_errors");
    byte[] reading = hex("02 00 0c 00 06 00 00 00 00 00 80 3f 00 00 00 40");
    try (WireClient c = new WireClient(node.port("telemetry"))) {
      c.write(hex("09 00 04 00 01 02 03 04"));
      c.write(reading);
      assertArrayEquals(reading, c.readExactly(reading.length));
    }
    node.await(
        () -> {
          assertEquals(before + 1, node.status("telemetry").counters().get("decode_errors"));
          return null;
        });
  }

  @Test
  void closesTheConnectionWhenAHeaderDeclaresMoreThanTheLargestBody() throws Exception {
    try (WireClient c = new WireClient(node.port("telemetry"))) {
      c.write(hex("02 00 ff ff"));
      assertTrue(c.isClosedByPeer());
    }
  }
}
