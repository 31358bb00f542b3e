package io.junction.tcp;

import com.typesafe.config.Config;
import io.junction.codec.Codecs;
import io.junction.codec.PayloadCodec;
import io.junction.config.ConfigProblems;
import io.junction.framing.Framing;
import io.junction.framing.FramingSettings;
import io.junction.tls.TlsSettings;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/** Settings of TCP endpoints, parsed once from {@code junction.endpoints.<name>}. */
public final class TcpSettings {
  private TcpSettings() {}

  /** What a connection does when handling its data throws. */
  public enum OnFailure {
    /** Drop the frame that failed, reset the connection's state, keep the socket. */
    RESTART,
    /** Close the connection. */
    CLOSE
  }

  /** What a client does with a message when its buffer is full. */
  public enum Overflow {
    DROP_OLDEST,
    DROP_NEWEST,
    FAIL
  }

  /** A listening endpoint: one connection actor per accepted socket. */
  public record Server(
      String name,
      String host,
      int port,
      Framing framing,
      PayloadCodec codec,
      int maxConnections,
      Optional<Duration> idleTimeout,
      Optional<Duration> frameTimeout,
      int writeBufferBytes,
      OnFailure onFailure,
      Optional<TlsSettings> tls) {}

  /** An outbound endpoint that keeps one connection up, reconnecting with backoff. */
  public record Client(
      String name,
      String host,
      int port,
      Framing framing,
      PayloadCodec codec,
      Duration connectTimeout,
      Duration minBackoff,
      Duration maxBackoff,
      double randomFactor,
      Duration resetAfter,
      int bufferMessages,
      Overflow overflow,
      Optional<TlsSettings> tls) {}

  private static final Set<String> COMMON =
      Set.of("kind", "host", "port", "framing", "codec", "tls");
  private static final Set<String> SERVER_KEYS =
      union(
          COMMON,
          "max-connections",
          "idle-timeout",
          "frame-timeout",
          "write-buffer-bytes",
          "on-handler-failure");
  private static final Set<String> CLIENT_KEYS =
      union(COMMON, "connect-timeout", "reconnect", "buffer");

  public static Server server(
      String name, Config c, String path, Codecs codecs, ConfigProblems problems) {
    problems.rejectUnknownKeys(path, c, SERVER_KEYS);
    String codecSpec = str(c, "codec", "raw", path, problems);
    PayloadCodec codec = codec(codecs, codecSpec, path, problems);
    return new Server(
        name,
        str(c, "host", "127.0.0.1", path, problems),
        port(c, path, problems),
        framing(c, path, codecs, codecSpec, problems),
        codec,
        positive(
            path + ".max-connections",
            () -> c.hasPath("max-connections") ? c.getInt("max-connections") : 1024,
            problems),
        problems.durationOrOff(c, path, "idle-timeout", Duration.ofMinutes(5)),
        problems.durationOrOff(c, path, "frame-timeout", Duration.ofSeconds(30)),
        positive(
            path + ".write-buffer-bytes",
            () ->
                c.hasPath("write-buffer-bytes")
                    ? (int) Math.min(Integer.MAX_VALUE, c.getBytes("write-buffer-bytes"))
                    : 1 << 20,
            problems),
        enumValue(
            OnFailure.class,
            str(c, "on-handler-failure", "restart", path, problems),
            path + ".on-handler-failure",
            OnFailure.RESTART,
            problems),
        TlsSettings.fromConfig(c, path + ".tls", problems));
  }

  public static Client client(
      String name, Config c, String path, Codecs codecs, ConfigProblems problems) {
    problems.rejectUnknownKeys(path, c, CLIENT_KEYS);
    String codecSpec = str(c, "codec", "raw", path, problems);
    Config rc =
        c.hasPath("reconnect")
            ? c.getConfig("reconnect")
            : com.typesafe.config.ConfigFactory.empty();
    Config bc =
        c.hasPath("buffer") ? c.getConfig("buffer") : com.typesafe.config.ConfigFactory.empty();
    problems.rejectUnknownKeys(
        path + ".reconnect",
        rc,
        Set.of("min-backoff", "max-backoff", "random-factor", "reset-after"));
    problems.rejectUnknownKeys(path + ".buffer", bc, Set.of("max-messages", "overflow"));
    Duration min =
        problems.positiveDuration(rc, path + ".reconnect", "min-backoff", Duration.ofMillis(200));
    Duration max =
        problems.positiveDuration(rc, path + ".reconnect", "max-backoff", Duration.ofSeconds(30));
    if (max.compareTo(min) < 0)
      problems.add(path + ".reconnect.max-backoff", "must not be less than min-backoff");
    double factor =
        problems.read(
            path + ".reconnect.random-factor",
            () -> rc.hasPath("random-factor") ? rc.getDouble("random-factor") : 0.2,
            0.2);
    if (factor < 0 || factor > 1)
      problems.add(path + ".reconnect.random-factor", "must be between 0 and 1");
    return new Client(
        name,
        str(c, "host", "127.0.0.1", path, problems),
        port(c, path, problems),
        framing(c, path, codecs, codecSpec, problems),
        codec(codecs, codecSpec, path, problems),
        problems.positiveDuration(c, path, "connect-timeout", Duration.ofSeconds(5)),
        min,
        max,
        factor,
        problems.positiveDuration(rc, path + ".reconnect", "reset-after", Duration.ofSeconds(30)),
        positive(
            path + ".buffer.max-messages",
            () -> bc.hasPath("max-messages") ? bc.getInt("max-messages") : 10_000,
            problems),
        enumValue(
            Overflow.class,
            str(bc, "overflow", "drop-oldest", path + ".buffer", problems),
            path + ".buffer.overflow",
            Overflow.DROP_OLDEST,
            problems),
        TlsSettings.fromConfig(c, path + ".tls", problems));
  }

  private static Framing framing(
      Config c, String path, Codecs codecs, String codecSpec, ConfigProblems problems) {
    Optional<io.junction.codec.MessageLayout> layout;
    try {
      layout = codecs.layoutOf(codecs.resolve(codecSpec));
    } catch (IllegalArgumentException e) {
      layout = Optional.empty(); // reported under .codec
    }
    if (!c.hasPath("framing")) {
      if (layout.isPresent()) return FramingSettings.forLayout(layout.get(), 1 << 20);
      problems.add(
          path + ".framing",
          "is required (kind = length-prefixed, delimiter, fixed, struct or raw)");
      return new Framing.Raw(1 << 20);
    }
    Config f = problems.read(path + ".framing", () -> c.getConfig("framing"), null);
    return f == null
        ? new Framing.Raw(1 << 20)
        : FramingSettings.fromConfig(f, path + ".framing", layout, problems);
  }

  private static PayloadCodec codec(
      Codecs codecs, String spec, String path, ConfigProblems problems) {
    return problems.read(path + ".codec", () -> codecs.resolve(spec), PayloadCodec.RAW);
  }

  static int port(Config c, String path, ConfigProblems problems) {
    int port = problems.read(path + ".port", () -> c.getInt("port"), 0);
    if (port < 0 || port > 65535)
      problems.add(path + ".port", "must be between 0 and 65535, was " + port);
    return port;
  }

  static String str(Config c, String key, String fallback, String path, ConfigProblems problems) {
    return problems.read(
        path + "." + key, () -> c.hasPath(key) ? c.getString(key) : fallback, fallback);
  }

  private static int positive(String path, Supplier<Integer> reader, ConfigProblems problems) {
    int v = problems.read(path, reader, 1);
    if (v <= 0) {
      problems.add(path, "must be > 0, was " + v);
      return 1;
    }
    return v;
  }

  private static <E extends Enum<E>> E enumValue(
      Class<E> type, String text, String path, E fallback, ConfigProblems problems) {
    for (E e : type.getEnumConstants())
      if (e.name().replace('_', '-').equalsIgnoreCase(text)) return e;
    problems.add(
        path,
        "must be one of "
            + java.util.Arrays.stream(type.getEnumConstants())
                .map(e -> e.name().toLowerCase().replace('_', '-'))
                .toList()
            + ", was '"
            + text
            + "'");
    return fallback;
  }

  private static Set<String> union(Set<String> base, String... more) {
    var s = new java.util.HashSet<>(base);
    s.addAll(java.util.List.of(more));
    return Set.copyOf(s);
  }
}
