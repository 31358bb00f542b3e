package io.junction.faults;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * What a fault rule does, and what it may be scoped to: an endpoint, a destination, a route or a
 * queue's journal.
 */
public enum FaultKind {
  /** Drop a connection's incoming frame (or a UDP endpoint's datagram). */
  DROP(Scope.ENDPOINT),
  /** Hold an incoming frame, datagram or HTTP API request for {@code delay} ± {@code jitter}. */
  DELAY(Scope.ENDPOINT),
  /** Handle a connection's incoming frame (or a datagram) twice. */
  DUPLICATE(Scope.ENDPOINT),
  /** Flip {@code bytes} random bytes of a connection's incoming frame (or a datagram). */
  CORRUPT(Scope.ENDPOINT),
  /** Close a connection once it has read {@code count} frames under this rule. */
  CLOSE_AFTER(Scope.ENDPOINT),
  /** Stop reading a connection for {@code duration}, once per connection. */
  STALL(Scope.ENDPOINT),
  /** Make a connection's frame handler throw (the endpoint's on-handler-failure applies). */
  THROW(Scope.ENDPOINT),
  /** Make an endpoint's actor throw on the next command it handles, at most {@code count} times. */
  CRASH_ENDPOINT(Scope.ENDPOINT),
  /** Fail an FTP/SFTP endpoint's transfers (a poller's listings and downloads). */
  FAIL_TRANSFERS(Scope.ENDPOINT),
  /** Answer requests to the HTTP API (endpoint {@code http}) with {@code status} (5xx). */
  FAIL_REQUESTS(Scope.ENDPOINT),
  /** Answer deliveries to a destination (or along a route) with DeliveryFailed. */
  FAIL_DESTINATION(Scope.DESTINATION, Scope.ROUTE),
  /**
   * Hold deliveries to a destination (or along a route), bounded by {@code buffer}, until the end.
   */
  PAUSE_DESTINATION(Scope.DESTINATION, Scope.ROUTE),
  /** Fail a queue's journal writes: the write is not made and the queue restarts. */
  FAIL_JOURNAL_WRITES(Scope.QUEUE),
  /** Hold the confirmation of a queue's journal writes for {@code delay} ± {@code jitter}. */
  SLOW_JOURNAL_WRITES(Scope.QUEUE),
  /** Make a queue entity throw on a command it handles, at most {@code count} times. */
  CRASH_QUEUE(Scope.QUEUE);

  /** What a rule names to say where it applies; {@link #key()} is the field in the API. */
  public enum Scope {
    ENDPOINT,
    DESTINATION,
    ROUTE,
    QUEUE;

    public String key() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private final java.util.List<Scope> scopes;

  FaultKind(Scope... scopes) {
    this.scopes = java.util.List.of(scopes);
  }

  /** The scopes a rule of this kind may name, the usual one first. */
  public java.util.List<Scope> scopes() {
    return scopes;
  }

  /** The name in the API and config, e.g. {@code close-after}. */
  public String text() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  public static Optional<FaultKind> parse(String text) {
    return Arrays.stream(values()).filter(k -> k.text().equals(text)).findFirst();
  }

  /** The kinds' names, for error messages. */
  public static String names() {
    return Arrays.stream(values()).map(FaultKind::text).toList().toString();
  }
}
