package io.junction.tcp;

/** An endpoint could not bind or lost its listener; its supervisor restarts it with backoff. */
public final class EndpointBindException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public EndpointBindException(String message, Throwable cause) {
    super(message + ": " + cause.getMessage(), cause);
  }
}
