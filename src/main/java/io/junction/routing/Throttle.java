package io.junction.routing;

/**
 * A token bucket of {@code rate} messages per second (burst: one second's worth): what a route lets
 * through beyond it is dropped and counted. Shared by every source evaluating the table, hence the
 * lock; it is held for a few arithmetic operations only.
 */
public final class Throttle {
  private final double perSecond;
  private final String text;
  private double tokens;
  private long last = System.nanoTime();

  public Throttle(double perSecond, String text) {
    if (!(perSecond > 0)) throw new IllegalArgumentException("rate must be > 0");
    this.perSecond = perSecond;
    this.text = text;
    this.tokens = perSecond;
  }

  /** Parses {@code 1000/s}, {@code 60/m} or {@code 10/h}. */
  public static Throttle parse(String text) {
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("\\s*(\\d+(?:\\.\\d+)?)\\s*/\\s*([smh])\\s*").matcher(text);
    if (!m.matches())
      throw new IllegalArgumentException(
          "'" + text + "' is not a rate (expected N/s, N/m or N/h, e.g. 1000/s)");
    double n = Double.parseDouble(m.group(1));
    double seconds =
        switch (m.group(2)) {
          case "s" -> 1;
          case "m" -> 60;
          default -> 3600;
        };
    return new Throttle(n / seconds, text.strip());
  }

  public synchronized boolean tryAcquire() {
    long now = System.nanoTime();
    tokens = Math.min(Math.max(perSecond, 1), tokens + (now - last) / 1e9 * perSecond);
    last = now;
    if (tokens < 1) return false;
    tokens -= 1;
    return true;
  }

  @Override
  public String toString() {
    return text;
  }
}
