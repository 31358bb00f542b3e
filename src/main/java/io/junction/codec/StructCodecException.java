package io.junction.codec;

/**
 * A value could not be decoded from, or encoded to, a C struct layout; names the struct, the field
 * path ({@code origin.x}, {@code values[2]}), the byte offset and the reason.
 *
 * <p>Unchecked because it is the one failure every caller of the codec must expect anyway: the
 * connection layer catches it, reports it to the peer and the log, and goes on with the next frame.
 * The message reads like {@code Person.name at offset 0: 130 bytes do not fit in char[128]}.
 */
public final class StructCodecException extends CodecException {
  private static final long serialVersionUID = 1L;

  private final String structName;
  private final String fieldPath;
  private final long offset;
  private final String reason;

  public StructCodecException(String structName, String fieldPath, long offset, String reason) {
    super(render(structName, fieldPath, offset, reason), structName, offset);
    this.structName = structName;
    this.fieldPath = fieldPath == null ? "" : fieldPath;
    this.offset = offset;
    this.reason = reason;
  }

  /** The struct (or tagged message) being decoded or encoded. */
  public String structName() {
    return structName;
  }

  /** Dotted path of the field inside the struct, empty for the struct as a whole. */
  public String fieldPath() {
    return fieldPath;
  }

  /** Byte offset from the start of the struct (or frame) where the problem is. */
  @Override
  public long offset() {
    return offset;
  }

  /** What is wrong, without the struct, path and offset. */
  public String reason() {
    return reason;
  }

  private static String render(String struct, String path, long offset, String reason) {
    String where = path == null || path.isEmpty() ? struct : struct + "." + path;
    return where + " at offset " + offset + ": " + reason;
  }
}
