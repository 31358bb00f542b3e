package io.junction.ftp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Parsing of what servers say about file digests (the exchange itself: EmbeddedFtpContract). */
class FtpDigestsTest {
  private static final String SHA256 =
      "a591a6d40bf420404a011733cfb7b190d62c65bf0bcda32b57b277d9ad9f146e";

  @Test
  void hashPrefersTheStrongestOfferedAlgorithmAndSelectsItOnlyIfNotSelected() {
    assertEquals(
        Optional.of(new FtpDigests.Method("HASH", "SHA-256", true)),
        FtpDigests.chooseHash("SHA-1*;SHA-256;MD5"));
    assertEquals(
        Optional.of(new FtpDigests.Method("HASH", "SHA-256", false)),
        FtpDigests.chooseHash("sha-256*;md5"));
    assertEquals(
        Optional.of(new FtpDigests.Method("HASH", "MD5", true)),
        FtpDigests.chooseHash("CRC32*;MD5"));
    assertEquals(Optional.empty(), FtpDigests.chooseHash("CRC32*"));
  }

  @Test
  void hashReplyCarriesTheDigestInItsFourthWordWhateverThePath() {
    FtpDigests.Method hash = new FtpDigests.Method("HASH", "SHA-256", false);
    assertEquals(
        Optional.of(SHA256),
        FtpDigests.parse(hash, "213 SHA-256 0-11 " + SHA256.toUpperCase() + " dir/a b.bin\r\n"));
    assertEquals(Optional.empty(), FtpDigests.parse(hash, "213 SHA-256 0-11 abc a.bin"));
  }

  @Test
  void otherRepliesEndWithTheDigestOfTheExpectedLength() {
    String md5 = "9E107D9D372BB6826BD81D3542A419D6";
    FtpDigests.Method m = new FtpDigests.Method("MD5", "MD5", false);
    assertEquals(
        Optional.of(md5.toLowerCase()), FtpDigests.parse(m, "251 my file.bin " + md5 + "\r\n"));
    FtpDigests.Method x = new FtpDigests.Method("XSHA256", "SHA-256", false);
    assertEquals(Optional.of(SHA256), FtpDigests.parse(x, "250 " + SHA256));
    assertEquals(Optional.empty(), FtpDigests.parse(x, "250 " + md5), "an MD5 is no SHA-256");
    assertEquals(Optional.empty(), FtpDigests.parse(m, "251"));
  }
}
