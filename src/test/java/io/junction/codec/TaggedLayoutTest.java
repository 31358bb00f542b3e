package io.junction.codec;

import static io.junction.codec.Structs.hex;
import static io.junction.codec.Structs.registry;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;

class TaggedLayoutTest {

  static final String STRUCTS =
      """
      Header { fields = [ { name = type, type = uint16 }, { name = length, type = uint16 } ] }
      Ping { fields = [ { name = seq, type = uint32 } ] }
      Reading { fields = [ { name = id, type = uint16 }, { name = values, type = "float32[2]" } ] }
      Telemetry { tagged { header = Header, tag-field = type, length-field = length
                           length-includes-header = false, bodies { 1 = Ping, 2 = Reading } } }
      Whole { tagged { header = Header, tag-field = type, length-field = length
                       length-includes-header = true, bodies { 1 = Ping } } }
      Short { fields = [ { name = kind, type = uint8 } ] }
      ByTag { tagged { header = Short, tag-field = kind, bodies { "0x10" = Ping, 2 = Reading } } }
      """;

  static final TaggedLayout TELEMETRY = registry(STRUCTS).tagged("Telemetry").orElseThrow();

  @Test
  void decodesTheBodyTheTagSelectsAndNamesItsType() {
    MessageLayout.Decoded d = TELEMETRY.decodeMessage(hex("01 00 04 00 07 00 00 00"));
    assertEquals("Ping", d.type());
    assertEquals(Map.of("seq", 7L), d.fields());
    assertEquals(Map.of("type", 1L, "length", 4L), d.header());
    assertEquals(Set.of("Ping", "Reading"), TELEMETRY.messageTypes());
  }

  @Test
  void encodesFillingInTagAndLength() {
    ByteStringAssert.same(
        hex("01 00 04 00 07 00 00 00"), TELEMETRY.encodeMessage("Ping", Map.of("seq", 7)));
    ByteString reading =
        TELEMETRY.encodeMessage("Reading", Map.of("id", 3, "values", List.of(1.5, -2)));
    assertEquals(4 + 12, reading.length());
    assertEquals(
        Map.of("id", 3L, "values", List.of(1.5, -2.0)), TELEMETRY.decodeMessage(reading).fields());
    TaggedLayout whole = registry(STRUCTS).tagged("Whole").orElseThrow();
    ByteStringAssert.same(
        hex("01 00 08 00 09 00 00 00"), whole.encodeMessage("Ping", Map.of("seq", 9)));
  }

  @Test
  void rejectsAnUnknownTagNamingItsValue() {
    var e =
        assertThrows(
            StructCodecException.class,
            () -> TELEMETRY.decodeMessage(hex("09 00 04 00 07 00 00 00")));
    assertEquals("Telemetry.type at offset 0: unknown tag 9 (known: [1, 2])", e.getMessage());
    TaggedLayout byTag = registry(STRUCTS).tagged("ByTag").orElseThrow();
    assertThrows(StructCodecException.class, () -> byTag.frameLength(hex("11")));
  }

  @Test
  void rejectsEncodingATypeThatIsNotABodyAndAContradictingHeader() {
    var e =
        assertThrows(StructCodecException.class, () -> TELEMETRY.encodeMessage("Pong", Map.of()));
    assertEquals(
        "Telemetry at offset 0: Pong is not one of its bodies [Ping, Reading]", e.getMessage());
    assertThrows(
        StructCodecException.class, () -> TELEMETRY.encode("Ping", Map.of("type", 2), Map.of()));
  }

  @Test
  void framesAByteStreamFromHeaderLengths() {
    ByteString stream =
        TELEMETRY
            .encodeMessage("Ping", Map.of("seq", 1))
            .concat(TELEMETRY.encodeMessage("Reading", Map.of("id", 2)))
            .concat(TELEMETRY.encodeMessage("Ping", Map.of("seq", 3)));
    List<String> types = new ArrayList<>();
    while (!stream.isEmpty()) {
      int n = TELEMETRY.frameLength(stream.take(TELEMETRY.headerSize()));
      types.add(TELEMETRY.decodeMessage(stream.take(n)).type());
      stream = stream.drop(n);
    }
    assertEquals(List.of("Ping", "Reading", "Ping"), types);
    assertEquals(16, TELEMETRY.maxFrameLength());
  }

  @Test
  void framesByTagWhenThereIsNoLengthField() {
    TaggedLayout byTag = registry(STRUCTS).tagged("ByTag").orElseThrow();
    assertEquals(1, byTag.headerSize());
    assertEquals(5, byTag.frameLength(hex("10")));
    assertEquals(Map.of("seq", 258L), byTag.decodeMessage(hex("10 02 01 00 00")).fields());
  }

  @Test
  void rejectsAFrameWhoseLengthDoesNotMatchItsBody() {
    var e =
        assertThrows(
            StructCodecException.class,
            () -> TELEMETRY.decodeMessage(hex("01 00 05 00 07 00 00 00 00")));
    assertEquals("Telemetry.Ping at offset 4: body is 5 bytes, Ping is 4", e.getMessage());
    e =
        assertThrows(
            StructCodecException.class, () -> TELEMETRY.decodeMessage(hex("01 00 04 00 07")));
    assertEquals("Telemetry at offset 0: frame is 5 bytes but its header says 8", e.getMessage());
    assertThrows(StructCodecException.class, () -> TELEMETRY.frameLength(hex("01 00 04")));
  }

  @Test
  void reportsBodyErrorsWithTheFrameOffset() {
    var e =
        assertThrows(
            StructCodecException.class,
            () -> TELEMETRY.encodeMessage("Reading", Map.of("values", List.of(1, "x"))));
    assertEquals(
        "Telemetry.Reading.values[1] at offset 12: expected a number, got a string",
        e.getMessage());
  }
}
