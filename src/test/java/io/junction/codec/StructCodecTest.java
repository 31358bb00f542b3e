package io.junction.codec;

import static io.junction.codec.Structs.bytes;
import static io.junction.codec.Structs.hex;
import static io.junction.codec.Structs.layout;
import static io.junction.codec.Structs.le;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;

class StructCodecTest {

  static final String PERSON =
      """
      Person { fields = [
        { name = name, type = "char[128]", encoding = utf-8 }
        { name = age, type = int32 } ] }
      """;

  static final String SCALARS =
      """
      Scalars { fields = [
        { name = i8, type = int8 }, { name = u8, type = uint8 }
        { name = i16, type = int16 }, { name = u16, type = uint16 }
        { name = i32, type = int32 }, { name = u32, type = uint32 }
        { name = i64, type = int64 }, { name = u64, type = uint64 }
        { name = f32, type = float32 }, { name = f64, type = float64 }
        { name = ok, type = bool } ] }
      """;

  @Test
  void decodesPersonFromTheWorkedExample() {
    StructLayout person = layout(PERSON, "Person");
    ByteBuffer b = le(132);
    b.put("Alice".getBytes(StandardCharsets.US_ASCII));
    b.put(5, (byte) 0).put(6, (byte) 'x'); // garbage after the NUL must be ignored
    b.putInt(128, 42);
    Map<String, Object> v = person.decode(bytes(b));
    assertEquals(Map.of("name", "Alice", "age", 42L), v);
    assertEquals(List.of("name", "age"), List.copyOf(v.keySet()));
  }

  @Test
  void encodesPersonToExactlySizeofBytesWithZeroPadding() {
    StructLayout person = layout(PERSON, "Person");
    ByteString out = person.encode(Map.of("name", "Alice", "age", 42));
    assertEquals(132, out.length());
    ByteBuffer expected = le(132).put("Alice".getBytes(StandardCharsets.US_ASCII)).putInt(128, 42);
    assertEquals(bytes(expected), out);
  }

  @Test
  void decodesANameThatFillsAll128BytesWithoutNul() {
    StructLayout person = layout(PERSON, "Person");
    String name = "n".repeat(127) + "z";
    ByteString encoded = person.encode(Map.of("name", name, "age", -1));
    assertEquals(name, person.decode(encoded).get("name"));
    assertEquals(-1L, person.decode(encoded).get("age"));
  }

  @Test
  void rejectsANameLongerThanTheFieldInBytes() {
    StructLayout person = layout(PERSON, "Person");
    String name = "é".repeat(65); // 130 bytes in UTF-8, 65 characters
    var e =
        assertThrows(
            StructCodecException.class, () -> person.encode(Map.of("name", name, "age", 1)));
    assertEquals("Person.name at offset 0: 130 bytes do not fit in char[128]", e.getMessage());
    assertEquals("Person", e.structName());
    assertEquals("name", e.fieldPath());
    assertEquals(0, e.offset());
  }

  @Test
  void roundTripsEveryScalarAtItsLimits() {
    StructLayout s = layout(SCALARS, "Scalars");
    Map<String, Object> v = new LinkedHashMap<>();
    v.put("i8", -128L);
    v.put("u8", 255L);
    v.put("i16", -32768L);
    v.put("u16", 65535L);
    v.put("i32", (long) Integer.MIN_VALUE);
    v.put("u32", 4294967295L);
    v.put("i64", Long.MIN_VALUE);
    v.put("u64", new BigInteger("18446744073709551615"));
    v.put("f32", 1.5);
    v.put("f64", -2.25e300);
    v.put("ok", true);
    assertEquals(v, s.decode(s.encode(v)));
  }

  @Test
  void decodesUint32AboveIntMaxAsPositiveLong() {
    StructLayout s = layout("U { fields = [ { name = x, type = uint32 } ] }", "U");
    assertEquals(4_000_000_000L, s.decode(hex("00 28 6b ee")).get("x"));
  }

  @Test
  void rejectsNumbersOutOfRangeForTheType() {
    StructLayout s = layout(SCALARS, "Scalars");
    var e = assertThrows(StructCodecException.class, () -> s.encode(Map.of("u8", 256)));
    assertEquals("Scalars.u8 at offset 1: 256 is out of range for uint8 (0..255)", e.getMessage());
    assertThrows(StructCodecException.class, () -> s.encode(Map.of("i16", -32769)));
    assertThrows(StructCodecException.class, () -> s.encode(Map.of("u32", -1)));
    assertThrows(StructCodecException.class, () -> s.encode(Map.of("f32", 1e39)));
    assertThrows(
        StructCodecException.class,
        () -> s.encode(Map.of("u64", new BigInteger("18446744073709551616"))));
  }

  @Test
  void rejectsWrongJsonTypesAndFractions() {
    StructLayout s = layout(SCALARS, "Scalars");
    var e = assertThrows(StructCodecException.class, () -> s.encode(Map.of("i32", "12")));
    assertEquals("Scalars.i32 at offset 8: expected an integer, got a string", e.getMessage());
    e = assertThrows(StructCodecException.class, () -> s.encode(Map.of("i32", 2.5)));
    assertEquals("Scalars.i32 at offset 8: 2.5 is not an integer", e.getMessage());
    assertThrows(StructCodecException.class, () -> s.encode(Map.of("ok", 1)));
    assertEquals(7L, s.decode(s.encode(Map.of("i32", 7.0))).get("i32"));
  }

  @Test
  void rejectsUnknownFieldNamesAndEncodesMissingOnesAsZero() {
    StructLayout person = layout(PERSON, "Person");
    var e = assertThrows(StructCodecException.class, () -> person.encode(Map.of("nmae", "Bob")));
    assertTrue(e.getMessage().startsWith("Person.nmae at offset 0: unknown field"), e.getMessage());
    assertEquals(Map.of("name", "", "age", 0L), person.decode(person.encode(Map.of())));
  }

  @Test
  void rejectsInputOfTheWrongLength() {
    StructLayout person = layout(PERSON, "Person");
    var e =
        assertThrows(
            StructCodecException.class, () -> person.decode(ByteString.fromArray(new byte[131])));
    assertEquals("Person at offset 131: expected 132 bytes, got 131", e.getMessage());
    assertThrows(
        StructCodecException.class, () -> person.decode(ByteString.fromArray(new byte[133])));
  }

  @Test
  void rejectsInvalidUtf8AndNonAsciiBytes() {
    StructLayout s =
        layout(
            """
            T { fields = [ { name = u, type = "char[4]" }
                           { name = a, type = "char[4]", encoding = ascii } ] }
            """,
            "T");
    var e =
        assertThrows(StructCodecException.class, () -> s.decode(hex("41 c3 28 00 41 00 00 00")));
    assertEquals("T.u at offset 1: byte 0xc3 at index 1 is not valid utf-8", e.getMessage());
    e = assertThrows(StructCodecException.class, () -> s.decode(hex("41 00 00 00 41 e9 00 00")));
    assertEquals("T.a at offset 5: byte 0xe9 at index 1 is not valid ascii", e.getMessage());
    e = assertThrows(StructCodecException.class, () -> s.encode(Map.of("a", "Zoé")));
    assertEquals("T.a at offset 4: character U+00E9 at index 2 is not ascii", e.getMessage());
  }

  @Test
  void decodesLatin1AndSpacePaddedText() {
    StructLayout s =
        layout(
            """
            T { fields = [ { name = l, type = "char[4]", encoding = latin1 }
                           { name = s, type = "char[6]", encoding = ascii, padding = space } ] }
            """,
            "T");
    ByteString bytes = hex("5a 6f e9 00 41 42 20 20 20 20");
    assertEquals(Map.of("l", "Zoé", "s", "AB"), s.decode(bytes));
    assertEquals(bytes, s.encode(Map.of("l", "Zoé", "s", "AB")));
  }

  @Test
  void encodesBytesFromArraysBase64AndNumberLists() {
    StructLayout s = layout("B { fields = [ { name = raw, type = \"byte[4]\" } ] }", "B");
    ByteString expected = hex("01 ff 00 00");
    assertEquals(expected, s.encode(Map.of("raw", new byte[] {1, -1})));
    assertEquals(expected, s.encode(Map.of("raw", "Af8=")));
    assertEquals(expected, s.encode(Map.of("raw", List.of(1, 255))));
    assertArrayEquals(new byte[] {1, -1, 0, 0}, (byte[]) s.decode(expected).get("raw"));
    assertThrows(StructCodecException.class, () -> s.encode(Map.of("raw", "AQIDBAU=")));
    assertThrows(StructCodecException.class, () -> s.encode(Map.of("raw", "not base64!")));
  }

  @Test
  void encodesAndDecodesArraysWithIndexedErrorPaths() {
    StructLayout s = layout("A { fields = [ { name = v, type = \"int16[4]\" } ] }", "A");
    assertEquals(
        List.of(1L, -2L, 0L, 0L), s.decode(s.encode(Map.of("v", List.of(1, -2)))).get("v"));
    var e =
        assertThrows(StructCodecException.class, () -> s.encode(Map.of("v", List.of(1, 2, 40000))));
    assertEquals(
        "A.v[2] at offset 4: 40000 is out of range for int16 (-32768..32767)", e.getMessage());
    assertThrows(StructCodecException.class, () -> s.encode(Map.of("v", List.of(1, 2, 3, 4, 5))));
  }

  @Test
  void decodesNestedStructsWithDottedErrorPaths() {
    StructLayout s =
        layout(
            """
            Outer { fields = [ { name = tag, type = int8 }, { name = origin, type = Point } ] }
            Point { fields = [ { name = x, type = float64 }, { name = ok, type = bool } ] }
            """,
            "Outer");
    Map<String, Object> v = Map.of("tag", 3L, "origin", Map.of("x", 1.5, "ok", true));
    assertEquals(v, s.decode(s.encode(v)));
    byte[] raw = s.encode(v).toArray();
    raw[16] = 2;
    ByteString bad = ByteString.fromArray(raw);
    var e = assertThrows(StructCodecException.class, () -> s.decode(bad));
    assertEquals("Outer.origin.ok at offset 16: bool must be 0 or 1, got 2", e.getMessage());
  }

  @Test
  void decodesBigEndianScalarsAndNestedStructsInheritTheOrder() {
    StructLayout s =
        layout(
            """
            Net { byte-order = big-endian, fields = [ { name = a, type = uint16 }, { name = p, type = P } ] }
            P { fields = [ { name = b, type = int32 } ] }
            """,
            "Net");
    ByteString bytes = hex("01 02 00 00 ff ff ff fe");
    assertEquals(Map.of("a", 258L, "p", Map.of("b", -2L)), s.decode(bytes));
    assertEquals(bytes, s.encode(Map.of("a", 258, "p", Map.of("b", -2))));
  }

  @Test
  void decodesFromAByteStringViewThatDoesNotStartAtZero() {
    StructLayout s = layout("U { fields = [ { name = x, type = uint16 } ] }", "U");
    assertEquals(513L, s.decode(hex("ff ff 01 02").drop(2)).get("x"));
    assertEquals(513L, s.decode(hex("ff").concat(hex("01")).concat(hex("02")).drop(1)).get("x"));
  }

  @Test
  void convertsDecodedValuesToJsonAndBack() {
    StructLayout s =
        layout(
            """
            J { fields = [ { name = n, type = "char[8]" }, { name = raw, type = "byte[2]" }
                           { name = v, type = "float64[2]" }, { name = u, type = uint64 } ] }
            """,
            "J");
    Map<String, Object> decoded =
        s.decode(
            s.encode(
                Map.of(
                    "n",
                    "hi",
                    "raw",
                    new byte[] {1, 2},
                    "v",
                    List.of(Double.NaN, 0.5),
                    "u",
                    new BigInteger("18446744073709551615"))));
    String json = new String(StructJson.toJsonBytes(decoded), StandardCharsets.UTF_8);
    assertEquals(
        "{\"n\":\"hi\",\"raw\":\"AQI=\",\"v\":[\"NaN\",0.5],\"u\":18446744073709551615}", json);
    Map<String, Object> back = StructJson.parse(json.getBytes(StandardCharsets.UTF_8));
    assertEquals(s.encode(decoded), s.encode(back));
    assertThrows(
        StructCodecException.class, () -> StructJson.parse("[1]".getBytes(StandardCharsets.UTF_8)));
  }
}
