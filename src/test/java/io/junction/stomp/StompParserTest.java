package io.junction.stomp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;

class StompParserTest {
  private static final String CONNECT = "CONNECT\naccept-version:1.2\n\n\0";

  private static List<StompFrame> feedInPieces(StompParser p, String text, int piece) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    List<StompFrame> out = new ArrayList<>();
    for (int i = 0; i < bytes.length; i += piece)
      out.addAll(p.feed(ByteString.fromArray(bytes, i, Math.min(piece, bytes.length - i))));
    return out;
  }

  @Test
  void framesAreTheSameWhereverTheBytesAreCut() {
    String stream =
        CONNECT
            + "\n\r\n" // heart-beats between frames
            + "SEND\r\ndestination:/queue/a\r\n\r\nhello\0"
            + "SEND\ndestination:/queue/a\ncontent-length:3\n\na\0b\0"
            + "DISCONNECT\n\n\0";
    for (int piece = 1; piece <= stream.length(); piece++) {
      List<StompFrame> frames = feedInPieces(new StompParser(1024, 1024), stream, piece);
      assertEquals(4, frames.size(), "piece " + piece);
      assertEquals("/queue/a", frames.get(1).header("destination"), "piece " + piece);
      assertEquals("hello", frames.get(1).body().utf8String(), "piece " + piece);
      assertEquals(ByteString.fromString("a\0b"), frames.get(2).body(), "piece " + piece);
      assertEquals("DISCONNECT", frames.get(3).command(), "piece " + piece);
    }
  }

  @Test
  void headersAreUnescapedAfterConnectAndTheFirstOfARepeatedNameWins() {
    StompParser p = new StompParser(1024, 1024);
    p.feed(ByteString.fromString(CONNECT));
    StompFrame f =
        p.feed(
                ByteString.fromString(
                    "SEND\ndestination:/queue/a\nx:a\\cb\\\\c\\nd\nx:second\n\n\0"))
            .get(0);
    assertEquals("a:b\\c\nd", f.header("x"));
  }

  @Test
  void aOnePointZeroClientsHeadersAreTakenLiterally() {
    StompParser p = new StompParser(1024, 1024);
    p.feed(ByteString.fromString("CONNECT\n\n\0")); // no accept-version: 1.0
    StompFrame f =
        p.feed(ByteString.fromString("SEND\ndestination:/queue/a\nx:a\\cb\n\n\0")).get(0);
    assertEquals("a\\cb", f.header("x"));
  }

  @Test
  void badFramesAreRefusedWithTheirReason() {
    Map<String, String> cases =
        Map.of(
            "FROB\n\n\0", "unknown command 'FROB'",
            "SEND\nno colon here\n\n\0", "has no colon",
            "SEND\ncontent-length:x\n\n\0", "not a byte count",
            "SEND\ncontent-length:2\n\nabc\0", "not followed by a NUL",
            "SEND\nx:bad\\t\n\n\0", "undefined escape",
            "SEND\ncontent-length:2000\n\n", "at most 1024 bytes");
    cases.forEach(
        (frame, reason) -> {
          StompParser p = new StompParser(1024, 1024);
          p.feed(ByteString.fromString(CONNECT));
          StompException e =
              assertThrows(StompException.class, () -> p.feed(ByteString.fromString(frame)), frame);
          assertTrue(e.getMessage().contains(reason), frame + " -> " + e.getMessage());
        });
  }

  @Test
  void oversizedBodiesAndHeadersAreRefusedBeforeTheyAreBuffered() {
    StompParser body = new StompParser(1024, 100);
    body.feed(ByteString.fromString("SEND\n\n"));
    StompException e =
        assertThrows(StompException.class, () -> body.feed(ByteString.fromString("x".repeat(101))));
    assertEquals("frame-too-large", e.reason());
    StompParser head = new StompParser(100, 1024);
    e =
        assertThrows(
            StompException.class,
            () -> head.feed(ByteString.fromString("SEND\nx:" + "y".repeat(200))));
    assertEquals("frame-too-large", e.reason());
  }

  @Test
  void versionsAreNegotiatedToTheHighestInCommon() {
    assertEquals("1.2", StompParser.negotiate("1.0,1.1,1.2"));
    assertEquals("1.1", StompParser.negotiate("1.1"));
    assertEquals("1.0", StompParser.negotiate(null));
    assertNull(StompParser.negotiate("2.0"));
  }

  @Test
  void renderedFramesReadBackTheSame() {
    StompFrame f =
        new StompFrame(
            "SEND",
            Map.of("destination", "/queue/a", "k", "a:b\nc"),
            ByteString.fromString("x\0y"));
    StompParser p = new StompParser(1024, 1024);
    p.feed(ByteString.fromString(CONNECT));
    StompFrame back = p.feed(f.render(true)).get(0);
    assertEquals(f.headers().get("k"), back.header("k"));
    assertEquals(f.body(), back.body());
  }
}
