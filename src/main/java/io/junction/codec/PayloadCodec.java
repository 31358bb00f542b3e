package io.junction.codec;

import io.junction.message.Envelope;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.pekko.util.ByteString;

/**
 * Turns one frame's bytes into a message type and decoded fields, and a message back into bytes for
 * the wire. Implementations are stateless and thread-safe.
 */
public interface PayloadCodec {

  /** What a frame decoded to: the message type and its fields (possibly empty). */
  record Decoded(String type, Map<String, Object> fields) {}

  /** Decodes one frame; a frame that does not fit the codec raises {@link CodecException}. */
  Decoded decode(ByteString frame);

  /** Bytes to write for {@code message}: its payload, or its fields encoded when it has none. */
  ByteString encode(Envelope message);

  /** Name shown in logs, {@code check} output and the API, e.g. {@code struct:Person}. */
  String name();

  /** Bytes as they are. */
  PayloadCodec RAW =
      new PayloadCodec() {
        @Override
        public Decoded decode(ByteString frame) {
          return new Decoded("application/octet-stream", Map.of());
        }

        @Override
        public ByteString encode(Envelope message) {
          return message.payload();
        }

        @Override
        public String name() {
          return "raw";
        }
      };

  /** UTF-8 text; invalid UTF-8 is a decode error. The text is the field {@code text}. */
  PayloadCodec TEXT =
      new PayloadCodec() {
        @Override
        public Decoded decode(ByteString frame) {
          try {
            String text =
                StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(frame.asByteBuffer())
                    .toString();
            return new Decoded("text/plain", Map.of("text", text));
          } catch (CharacterCodingException e) {
            throw new CodecException("text", 0, "frame is not valid UTF-8");
          }
        }

        @Override
        public ByteString encode(Envelope message) {
          if (!message.payload().isEmpty() || !(message.fields().get("text") instanceof String t))
            return message.payload();
          return ByteString.fromString(t, StandardCharsets.UTF_8);
        }

        @Override
        public String name() {
          return "text";
        }
      };
}
