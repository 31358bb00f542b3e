package io.junction.codec;

import java.util.Map;
import java.util.Set;
import org.apache.pekko.util.ByteString;

/**
 * What a connection needs to frame, decode and encode binary messages: a plain {@link StructLayout}
 * (fixed-size frames) or a {@link TaggedLayout} (a header whose tag selects the body).
 *
 * <p>Framing a byte stream: buffer {@link #headerSize()} bytes, ask {@link #frameLength} for the
 * total, buffer that many, then {@link #decodeMessage}. Cap frames at the endpoint's own limit.
 */
public sealed interface MessageLayout permits StructLayout, TaggedLayout {

  /**
   * One decoded message.
   *
   * @param type the struct the body was decoded as (the envelope's type)
   * @param header header fields of a tagged message, empty for a plain struct
   * @param fields the body's fields in declaration order
   */
  record Decoded(String type, Map<String, Object> header, Map<String, Object> fields) {}

  /** The name under {@code junction.structs}. */
  String name();

  /** Struct names this layout can decode to and encode from. */
  Set<String> messageTypes();

  /** Bytes needed before {@link #frameLength} can be called. */
  int headerSize();

  /**
   * The whole frame's length in bytes (header included), given at least {@link #headerSize()} bytes
   * of its start.
   *
   * @throws StructCodecException when the header names no known body or a bad length
   */
  int frameLength(ByteString header);

  /** The largest frame a well-formed message can have. */
  int maxFrameLength();

  /**
   * Decodes one whole frame.
   *
   * @throws StructCodecException when the bytes do not match the layout
   */
  Decoded decodeMessage(ByteString frame);

  /**
   * Encodes a message of struct {@code type} from its fields.
   *
   * @throws StructCodecException when the type is not one of {@link #messageTypes()} or a value
   *     does not fit
   */
  ByteString encodeMessage(String type, Map<String, ?> fields);

  /** A human-readable table of the layout (offsets, sizes, types). */
  String describe();
}
