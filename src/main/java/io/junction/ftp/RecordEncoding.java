package io.junction.ftp;

import io.junction.codec.Codecs;
import io.junction.codec.PayloadCodec;
import io.junction.codec.StructJson;
import io.junction.message.Envelope;
import org.apache.pekko.util.ByteString;

/** How one message becomes bytes in a destination file. */
public enum RecordEncoding {
  /** The payload as received, records back to back. */
  RAW,
  /**
   * One JSON object per line (decoded fields via {@link StructJson}), each ending in {@code \n}.
   */
  JSON_LINES,
  /** The message's struct bytes, back to back: a file of C structs as a peer wrote them. */
  STRUCT_BYTES;

  /** Parses {@code raw}, {@code json-lines} or {@code struct-bytes}. */
  public static RecordEncoding fromConfigName(String name) {
    return switch (name) {
      case "raw" -> RAW;
      case "json-lines" -> JSON_LINES;
      case "struct-bytes" -> STRUCT_BYTES;
      default ->
          throw new IllegalArgumentException(
              "unknown record-encoding '" + name + "' (expected raw, json-lines or struct-bytes)");
    };
  }

  /**
   * The bytes of {@code message}; throws {@link IllegalArgumentException} with the reason when the
   * message cannot be written this way (no decoded fields, type not a known struct).
   */
  public ByteString encode(Envelope message, Codecs codecs) {
    return switch (this) {
      case RAW -> message.payload();
      case JSON_LINES -> {
        if (message.fields().isEmpty())
          throw new IllegalArgumentException(
              "json-lines needs decoded fields; message of type " + message.type() + " has none");
        yield ByteString.fromArrayUnsafe(StructJson.toJsonBytes(message.fields()))
            .concat(ByteString.fromString("\n"));
      }
      case STRUCT_BYTES -> structBytes(message, codecs);
    };
  }

  private static ByteString structBytes(Envelope message, Codecs codecs) {
    PayloadCodec codec;
    try {
      codec = codecs.resolve("struct:" + message.type());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "struct-bytes needs a struct message; type " + message.type() + " is not one");
    }
    // The payload already is the struct when a struct codec decoded it; otherwise encode fields.
    return message.payload().isEmpty() ? codec.encode(message) : message.payload();
  }
}
