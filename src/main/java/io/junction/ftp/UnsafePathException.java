package io.junction.ftp;

/**
 * A path or file name was refused before anything was sent to a server or written locally: {@code
 * ..} segments, an absolute path where a relative one is required, NUL or control characters, or a
 * remote name that would escape the local target directory.
 */
public final class UnsafePathException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public UnsafePathException(String message) {
    super(message);
  }
}
