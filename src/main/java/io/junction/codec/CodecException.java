package io.junction.codec;

/** A frame could not be decoded (or a message encoded): counted, logged, the connection goes on. */
public class CodecException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final String codec;
  private final long offset;

  public CodecException(String codec, long offset, String reason) {
    this(codec + " at offset " + offset + ": " + reason, codec, offset);
  }

  /** For subclasses that compose their own message. */
  protected CodecException(String message, String codec, long offset) {
    super(message);
    this.codec = codec;
    this.offset = offset;
  }

  public String codec() {
    return codec;
  }

  public long offset() {
    return offset;
  }
}
