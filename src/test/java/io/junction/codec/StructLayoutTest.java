package io.junction.codec;

import static io.junction.codec.Structs.hex;
import static io.junction.codec.Structs.layout;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StructLayoutTest {

  static final String MIXED =
      """
      { fields = [ { name = a, type = int8 }, { name = b, type = int64 }, { name = c, type = int8 }
                   { name = d, type = float32 }, { name = s, type = "char[3]" }, { name = e, type = int16 } ] }
      """;

  static List<Integer> offsets(StructLayout l) {
    return l.fields().stream().map(StructLayout.Field::offset).toList();
  }

  @Test
  void alignsEachScalarToItsSizeAndPadsTheTailToTheLargestAlignment() {
    StructLayout l = layout("Mixed " + MIXED, "Mixed");
    assertEquals(List.of(0, 8, 16, 20, 24, 28), offsets(l));
    assertEquals(32, l.size());
    assertEquals(8, l.alignment());
    StructLayout tail =
        layout("T { fields = [ {name = a, type = int32}, {name = b, type = int8} ] }", "T");
    assertEquals(8, tail.size());
  }

  @Test
  void packedRemovesAllPaddingAndHasAlignmentOne() {
    StructLayout l =
        layout("Mixed { packed = true, " + MIXED.substring(MIXED.indexOf('{') + 1), "Mixed");
    assertEquals(List.of(0, 1, 9, 10, 14, 17), offsets(l));
    assertEquals(19, l.size());
    assertEquals(1, l.alignment());
  }

  @Test
  void nestedStructsAndArraysAlignToTheirElements() {
    StructLayout l =
        layout(
            """
            O { fields = [ { name = c, type = int8 }, { name = p, type = P }, { name = v, type = "int16[3]" }
                           { name = q, type = "P[2]" } ] }
            P { fields = [ { name = x, type = int32 }, { name = y, type = int8 } ] }
            """,
            "O");
    assertEquals(List.of(0, 4, 12, 20), offsets(l));
    assertEquals(36, l.size());
    assertEquals(4, l.alignment());
  }

  @Test
  void packsBitFieldsLsbFirstAndMovesOneThatWouldStraddleItsUnit() {
    StructLayout l =
        layout(
            """
            R { fields = [ { name = valid, type = uint32, bits = 1 }, { name = channel, type = uint32, bits = 4 }
                           { name = gain, type = int32, bits = 3 }, { name = big, type = uint32, bits = 30 } ] }
            """,
            "R");
    assertEquals(List.of(0, 0, 0, 4), offsets(l));
    assertEquals(
        List.of(0, 1, 5, 0), l.fields().stream().map(StructLayout.Field::bitInUnit).toList());
    assertEquals(8, l.size());
    // valid=1, channel=9 (1001), gain=-3 (101): 1 | 9<<1 | 5<<5 = 0xb3
    ByteStringAssert.same(
        hex("b3 00 00 00 ff ff ff 3f"),
        l.encode(Map.of("valid", 1, "channel", 9, "gain", -3, "big", (1 << 30) - 1)));
    assertEquals(
        Map.of("valid", 1L, "channel", 9L, "gain", -3L, "big", 1073741823L),
        l.decode(hex("b3 00 00 00 ff ff ff 3f")));
  }

  @Test
  void rejectsAValueWiderThanItsBitField() {
    StructLayout l = layout("R { fields = [ { name = gain, type = int32, bits = 3 } ] }", "R");
    var e = assertThrows(StructCodecException.class, () -> l.encode(Map.of("gain", 4)));
    assertEquals(
        "R.gain at offset 0: 4 does not fit in a signed 3-bit field (-4..3)", e.getMessage());
    StructLayout u = layout("U { fields = [ { name = f, type = uint8, bits = 2 } ] }", "U");
    assertThrows(StructCodecException.class, () -> u.encode(Map.of("f", 4)));
    assertThrows(StructCodecException.class, () -> u.encode(Map.of("f", -1)));
  }

  @Test
  void bigEndianBitFieldsStartAtTheMostSignificantBitAsInRfcDiagrams() {
    StructLayout ip =
        layout(
            """
            Ip { byte-order = big-endian, fields = [ { name = version, type = uint8, bits = 4 }
                 { name = ihl, type = uint8, bits = 4 }, { name = tos, type = uint8 }, { name = len, type = uint16 } ] }
            """,
            "Ip");
    assertEquals(ByteOrder.BIG_ENDIAN, ip.byteOrder());
    assertEquals(
        Map.of("version", 4L, "ihl", 5L, "tos", 0L, "len", 84L), ip.decode(hex("45 00 00 54")));
    ByteStringAssert.same(hex("45 00 00 54"), ip.encode(Map.of("version", 4, "ihl", 5, "len", 84)));
  }

  @Test
  void unnamedBitFieldsReserveBitsAndZeroWidthOnesStartANewUnit() {
    StructLayout l =
        layout(
            """
            Z { fields = [ { name = a, type = uint8 }, { type = uint32, bits = 0 }, { name = b, type = uint8 }
                           { type = uint8, bits = 3 }, { name = c, type = uint8, bits = 2 } ] }
            """,
            "Z");
    assertEquals(6, l.size());
    assertEquals(4, l.field("b").orElseThrow().offset());
    assertEquals(
        Map.of("a", 1L, "b", 2L, "c", 3L), l.decode(l.encode(Map.of("a", 1, "b", 2, "c", 3))));
    assertEquals(0x18, l.encode(Map.of("c", 3)).apply(5) & 0xFF);
  }

  @Test
  void describesOffsetsSizesTypesAndPadding() {
    StructLayout l =
        layout(
            """
            Person { fields = [ { name = name, type = "char[5]", encoding = ascii }, { name = age, type = int32 }
                                { name = p, type = P } ] }
            P { fields = [ { name = x, type = int16 }, { name = f, type = uint8, bits = 3 } ] }
            """,
            "Person");
    String table = l.describe();
    assertTrue(table.startsWith("struct Person: size 16, alignment 4, little-endian"), table);
    assertTrue(
        table.contains("     0      5  name                     char[5] ascii, nul-padded"), table);
    assertTrue(table.contains("     5      3  (padding)"), table);
    assertTrue(table.contains("     8      4  age                      int32"), table);
    assertTrue(
        table.contains("    14      1  p.f                      uint8 : 3 (bit 0 of the unit)"),
        table);
    assertTrue(table.contains("    15      1  p.(tail padding)"), table);
  }
}
