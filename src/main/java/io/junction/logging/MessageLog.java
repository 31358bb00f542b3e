package io.junction.logging;

import org.slf4j.MDC;

/**
 * MDC keys that let one message be followed through the logs ({@code message_id}, {@code route},
 * {@code source}, {@code endpoint}, {@code connection}, {@code queue}). Callers set them only
 * around a log statement that is actually written (a traced route, an error), never per message on
 * the hot path: {@code try (var mdc = MessageLog.with("message_id", id, "route", r)) { LOG... }}.
 */
public final class MessageLog {
  public static final String MESSAGE_ID = "message_id";
  public static final String ROUTE = "route";
  public static final String SOURCE = "source";
  public static final String ENDPOINT = "endpoint";
  public static final String CONNECTION = "connection";
  public static final String QUEUE = "queue";

  private MessageLog() {}

  /** Puts {@code key, value, key, value, ...} into the MDC until {@link Scope#close()}. */
  public static Scope with(String... keyValues) {
    if (keyValues.length % 2 != 0) throw new IllegalArgumentException("key/value pairs expected");
    for (int i = 0; i < keyValues.length; i += 2)
      if (keyValues[i + 1] != null) MDC.put(keyValues[i], keyValues[i + 1]);
    return new Scope(keyValues);
  }

  /** Removes the keys it was opened with; actor and stream threads are shared. */
  public static final class Scope implements AutoCloseable {
    private final String[] keyValues;

    private Scope(String[] keyValues) {
      this.keyValues = keyValues;
    }

    @Override
    public void close() {
      for (int i = 0; i < keyValues.length; i += 2) MDC.remove(keyValues[i]);
    }
  }
}
