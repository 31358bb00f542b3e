package io.junction.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.junction.message.Envelope;
import io.junction.queue.QueueEntity;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Random;
import org.apache.pekko.http.javadsl.model.sse.ServerSentEvent;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;

/** How the API renders messages: text or base64, and the streamed delivery JSON. */
class MessageViewTest {

  @Test
  void utf8CheckAgreesWithAStrictDecoderOnRandomAndTrickyBytes() {
    byte[][] tricky = {
      {0x68, (byte) 0xC3, (byte) 0xA9},
      {(byte) 0xC3, 0x28},
      {0},
      {(byte) 0xE0, (byte) 0x80, (byte) 0x80},
      {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
      {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80},
      {(byte) 0xF0, (byte) 0x9F, (byte) 0x98, (byte) 0x80},
      {(byte) 0xE2, (byte) 0x82},
      {(byte) 0xC0, (byte) 0xAF}
    };
    for (byte[] b : tricky)
      assertEquals(strict(b), MessageView.utf8(b), java.util.Arrays.toString(b));
    Random r = new Random(42);
    for (int i = 0; i < 20_000; i++) {
      byte[] b = new byte[1 + r.nextInt(6)];
      r.nextBytes(b);
      assertEquals(strict(b), MessageView.utf8(b), java.util.Arrays.toString(b));
    }
  }

  @Test
  void streamedDeliveryIsTheLeaseViewInTheEventPekkoWouldRender() throws Exception {
    Envelope text =
        new Envelope(
            "id-1",
            "http",
            "",
            "text/plain",
            Map.of("k", "v"),
            ByteString.fromString("hé \"quoted\"\nnext line\t\\ \u0001"),
            Map.of(),
            5L);
    Envelope binary =
        new Envelope(
            "id-2",
            "tcp",
            "c-1",
            "raw",
            Map.of(),
            ByteString.fromArray(new byte[] {0, 1, (byte) 0xFF, 0x3E}),
            Map.of("n", 1L),
            6L);
    ObjectMapper json = new ObjectMapper();
    for (Envelope e : new Envelope[] {text, binary}) {
      QueueEntity.Delivery d = new QueueEntity.Delivery("q", "r-1", 3, 2, true, e);
      String rendered = QueueStream.event(d).utf8String();
      String viewJson = Json.text(MessageView.of(d));
      // the event Pekko's own SSE rendering makes of the lease view, byte for byte but for the
      // JSON's spelling, which is compared as JSON
      String pekko =
          ((org.apache.pekko.http.scaladsl.model.sse.ServerSentEvent)
                  ServerSentEvent.create(viewJson, "message", "r-1"))
              .encode()
              .utf8String();
      assertEquals(
          pekko.replace(viewJson, "JSON"), rendered.replaceFirst("data:.*\n", "data:JSON\n"));
      String data = rendered.substring("data:".length(), rendered.indexOf('\n'));
      assertEquals(json.readTree(viewJson), json.readTree(data));
    }
  }

  private static String strict(byte[] b) {
    for (byte x : b) if (x == 0) return null;
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(java.nio.ByteBuffer.wrap(b))
          .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }
}
