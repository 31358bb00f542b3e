package io.junction.framing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteOrder;
import java.util.HexFormat;
import java.util.List;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;

/** Cutting a whole buffer into records, as a route's split does with a batch or a file. */
class FramingSplitTest {
  private static ByteString hex(String s) {
    return ByteString.fromArray(HexFormat.of().parseHex(s.replace(" ", "")));
  }

  private static List<String> texts(List<ByteString> frames) {
    return frames.stream().map(ByteString::utf8String).toList();
  }

  @Test
  void lengthPrefixedRecordsAreCutByTheirHeaders() {
    var f = new Framing.LengthPrefixed(2, ByteOrder.LITTLE_ENDIAN, true, 100);
    assertEquals(List.of("ab", "c"), texts(f.split(hex("04 00 61 62 03 00 63"))));
    assertThrows(FramingException.class, () -> f.split(hex("04 00 61")));
    assertThrows(
        FramingException.class,
        () ->
            new Framing.LengthPrefixed(1, ByteOrder.BIG_ENDIAN, false, 2)
                .split(hex("03 61 62 63")));
  }

  @Test
  void delimitedRecordsKeepAnUnterminatedLastLine() {
    var f = new Framing.Delimited(ByteString.fromString("\n"), 10);
    assertEquals(List.of("a", "", "bc"), texts(f.split(ByteString.fromString("a\n\nbc"))));
    assertThrows(FramingException.class, () -> f.split(ByteString.fromString("01234567890\n")));
  }

  @Test
  void fixedSizeRecordsRefuseATrailingPartialRecord() {
    var f = new Framing.FixedSize(2);
    assertEquals(List.of("ab", "cd"), texts(f.split(ByteString.fromString("abcd"))));
    var e = assertThrows(FramingException.class, () -> f.split(ByteString.fromString("abc")));
    assertEquals("1 trailing bytes do not make a whole frame", e.getMessage());
  }

  @Test
  void rawSplitsIntoChunksOfAtMostTheLimit() {
    assertEquals(
        List.of("abc", "de"), texts(new Framing.Raw(3).split(ByteString.fromString("abcde"))));
  }
}
