package io.junction.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.apache.pekko.util.ByteString;

/** Compares byte strings and shows both in hex when they differ. */
final class ByteStringAssert {

  private ByteStringAssert() {}

  static void same(ByteString expected, ByteString actual) {
    assertEquals(hex(expected), hex(actual));
  }

  static String hex(ByteString b) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < b.length(); i++) {
      if (i > 0) sb.append(' ');
      sb.append(String.format("%02x", b.apply(i) & 0xFF));
    }
    return sb.toString();
  }
}
