package io.junction.queue;

import io.junction.message.Envelope;
import java.time.Duration;
import java.util.List;

/**
 * A message's own delay and time to live, read from the headers RabbitMQ's users already set:
 * {@code x-delay} (the delayed-message exchange's) and {@code expiration} (AMQP's per-message TTL),
 * both whole milliseconds. They travel with the message like any header, so every way into a queue
 * carries them: an HTTP publish ({@code ?header.x-delay=30000}, a batch's {@code "headers"}), a
 * STOMP SEND's headers, a route's message. The queue that applies {@code x-delay} takes it off.
 *
 * @param delayMillis how long after its publish the message becomes deliverable (0: at once)
 * @param ttlMillis how long it may wait once deliverable before it expires (0: no TTL of its own)
 */
public record MessageTiming(long delayMillis, long ttlMillis) {
  public static final String DELAY = "x-delay";
  public static final String TTL = "expiration";
  private static final MessageTiming NONE = new MessageTiming(0, 0);
  private static final long MAX_MILLIS = Duration.ofDays(3650).toMillis();

  /** The timing {@code e} asks for; an {@link IllegalArgumentException} naming a bad header. */
  public static MessageTiming of(Envelope e) {
    String delay = e.headers().get(DELAY), ttl = e.headers().get(TTL);
    if (delay == null && ttl == null) return NONE;
    return new MessageTiming(millis(DELAY, delay, 0), millis(TTL, ttl, 1));
  }

  /** The first bad timing header among {@code envelopes}, or null when there is none. */
  public static String problem(List<Envelope> envelopes) {
    for (int i = 0; i < envelopes.size(); i++) {
      try {
        of(envelopes.get(i));
      } catch (IllegalArgumentException bad) {
        return envelopes.size() == 1 ? bad.getMessage() : "message " + i + ": " + bad.getMessage();
      }
    }
    return null;
  }

  private static long millis(String header, String value, long min) {
    if (value == null) return 0;
    long ms;
    try {
      ms = Long.parseLong(value.strip());
    } catch (NumberFormatException e) {
      ms = -1;
    }
    if (ms < min || ms > MAX_MILLIS)
      throw new IllegalArgumentException(
          "header "
              + header
              + " must be whole milliseconds, "
              + min
              + " to "
              + MAX_MILLIS
              + " (10 years), was '"
              + value
              + "'");
    return ms;
  }
}
