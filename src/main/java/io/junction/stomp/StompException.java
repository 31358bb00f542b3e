package io.junction.stomp;

/**
 * A frame the node refuses: answered with an ERROR frame ({@code message} the {@link #reason}, the
 * body the detail) after which the connection closes, as STOMP prescribes.
 */
final class StompException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final String reason;
  private final transient String receipt;

  StompException(String reason, String detail) {
    this(reason, detail, null);
  }

  StompException(String reason, String detail, String receipt) {
    super(detail, null, false, false);
    this.reason = reason;
    this.receipt = receipt;
  }

  /** A short code, also the metric's tag: bad-frame, frame-too-large, not-connected, ... */
  String reason() {
    return reason;
  }

  /** The receipt header of the frame refused, echoed as {@code receipt-id}; null if none. */
  String receipt() {
    return receipt;
  }
}
