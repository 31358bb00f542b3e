package io.junction.http;

/**
 * Strict UTF-8 validation without allocating: the same bytes a {@code CharsetDecoder} with {@code
 * CodingErrorAction.REPORT} accepts (no overlong forms, no surrogates, nothing above U+10FFFF), and
 * no NUL byte. Example: {@code 68 C3 A9} ("hé") is text; {@code C3 28} and {@code 00} are not.
 */
final class Utf8 {
  private Utf8() {}

  static boolean isTextWithoutNul(byte[] b) {
    int i = 0;
    int n = b.length;
    while (i < n) {
      int c = b[i] & 0xFF;
      if (c == 0) return false;
      if (c < 0x80) {
        i++;
        continue;
      }
      int need;
      int lo = 0x80;
      int hi = 0xBF;
      if (c >= 0xC2 && c <= 0xDF) need = 1;
      else if (c >= 0xE0 && c <= 0xEF) {
        need = 2;
        if (c == 0xE0) lo = 0xA0; // overlong
        if (c == 0xED) hi = 0x9F; // surrogates
      } else if (c >= 0xF0 && c <= 0xF4) {
        need = 3;
        if (c == 0xF0) lo = 0x90; // overlong
        if (c == 0xF4) hi = 0x8F; // above U+10FFFF
      } else return false;
      if (i + need >= n) return false; // truncated sequence
      int second = b[i + 1] & 0xFF;
      if (second < lo || second > hi) return false;
      for (int k = 2; k <= need; k++) if ((b[i + k] & 0xC0) != 0x80) return false;
      i += need + 1;
    }
    return true;
  }
}
