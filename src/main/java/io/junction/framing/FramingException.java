package io.junction.framing;

/** A frame broke the framing rules (too long, bad length field); the connection is closed. */
public final class FramingException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public FramingException(String message) {
    super(message);
  }
}
