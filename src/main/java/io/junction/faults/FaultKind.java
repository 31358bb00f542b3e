package io.junction.faults;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** What a fault rule does, and what it is scoped to (an endpoint or a destination). */
public enum FaultKind {
  /** Drop a connection's incoming frame. */
  DROP(Scope.ENDPOINT),
  /** Hold a connection's incoming frame for {@code delay} ± {@code jitter}. */
  DELAY(Scope.ENDPOINT),
  /** Handle a connection's incoming frame twice. */
  DUPLICATE(Scope.ENDPOINT),
  /** Flip {@code bytes} random bytes of a connection's incoming frame. */
  CORRUPT(Scope.ENDPOINT),
  /** Close a connection once it has read {@code count} frames under this rule. */
  CLOSE_AFTER(Scope.ENDPOINT),
  /** Stop reading a connection for {@code duration}, once per connection. */
  STALL(Scope.ENDPOINT),
  /** Make a connection's frame handler throw (the endpoint's on-handler-failure applies). */
  THROW(Scope.ENDPOINT),
  /** Answer deliveries to a destination with DeliveryFailed. */
  FAIL_DESTINATION(Scope.DESTINATION),
  /** Hold deliveries to a destination (bounded by {@code buffer}) until the rule ends. */
  PAUSE_DESTINATION(Scope.DESTINATION);

  /** What a rule of this kind names in its scope. */
  public enum Scope {
    ENDPOINT,
    DESTINATION
  }

  private final Scope scope;

  FaultKind(Scope scope) {
    this.scope = scope;
  }

  public Scope scope() {
    return scope;
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
