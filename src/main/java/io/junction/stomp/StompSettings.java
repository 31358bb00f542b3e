package io.junction.stomp;

import com.typesafe.config.Config;
import io.junction.config.ConfigProblems;
import io.junction.http.HttpSettings;
import io.junction.http.Token;
import io.junction.tls.TlsSettings;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The STOMP listener, from {@code junction.stomp} (docs/STOMP.md).
 *
 * @param authRequired CONNECT must carry a {@code passcode} that is one of the HTTP API's tokens
 *     with the publish scope: on when the listener is on a non-loopback address or {@code
 *     require-auth = on}
 * @param tokens the HTTP API's tokens ({@code junction.http.tokens}): one set of credentials
 * @param heartBeat the node's heart-beat interval both ways (CONNECTED's {@code heart-beat}); empty
 *     when {@code off}
 */
public record StompSettings(
    boolean enabled,
    String host,
    int port,
    boolean authRequired,
    List<Token> tokens,
    Optional<TlsSettings> tls,
    int maxConnections,
    long maxFrameBytes,
    int prefetch,
    int maxSubscriptions,
    int maxTransactionFrames,
    Duration connectTimeout,
    Duration requestTimeout,
    Optional<Duration> heartBeat) {

  public StompSettings {
    tokens = List.copyOf(tokens);
  }

  static final int MAX_PREFETCH = 10_000;

  private static final Set<String> KEYS =
      Set.of(
          "enabled",
          "host",
          "port",
          "require-auth",
          "tls",
          "max-connections",
          "max-frame-bytes",
          "prefetch",
          "max-subscriptions",
          "max-transaction-frames",
          "connect-timeout",
          "request-timeout",
          "heart-beat");

  /** Reads {@code junction.stomp} (at {@code path}); every problem is recorded by its path. */
  public static StompSettings fromConfig(
      Config c, String path, HttpSettings http, ConfigProblems problems) {
    problems.rejectUnknownKeys(path, c, KEYS);
    boolean enabled = problems.read(path + ".enabled", () -> c.getBoolean("enabled"), false);
    String host = problems.read(path + ".host", () -> c.getString("host"), "127.0.0.1");
    int port = problems.read(path + ".port", () -> c.getInt("port"), 61613);
    if (port < 0 || port > 65535)
      problems.add(path + ".port", "must be between 0 and 65535, was " + port);
    boolean requireAuth =
        problems.read(path + ".require-auth", () -> c.getBoolean("require-auth"), false);
    boolean authRequired = requireAuth || !HttpSettings.isLoopback(host);
    if (enabled && authRequired && http.tokens().isEmpty())
      problems.add(
          path + ".require-auth",
          "a passcode is required ("
              + (requireAuth ? "require-auth is on" : "host " + host + " is not a loopback address")
              + ") but junction.http.tokens names none to check it against");
    if (c.hasPath("tls") && !c.hasPath("tls.keystore-file"))
      problems.add(path + ".tls.keystore-file", "is required: the listener's certificate and key");
    Optional<TlsSettings> tls = TlsSettings.fromConfig(c, path + ".tls", problems);
    int maxConnections = positive(c, path, "max-connections", 1000, problems);
    long maxFrame =
        problems.read(path + ".max-frame-bytes", () -> c.getBytes("max-frame-bytes"), 1L << 20);
    if (maxFrame < 1 || maxFrame > Integer.MAX_VALUE - 65_536)
      problems.add(path + ".max-frame-bytes", "must be between 1 byte and 2g, was " + maxFrame);
    int prefetch = positive(c, path, "prefetch", 100, problems);
    if (prefetch > MAX_PREFETCH)
      problems.add(path + ".prefetch", "must be at most " + MAX_PREFETCH + ", was " + prefetch);
    int maxSubscriptions = positive(c, path, "max-subscriptions", 100, problems);
    int maxTx = positive(c, path, "max-transaction-frames", 1000, problems);
    Duration connect =
        problems.positiveDuration(c, path, "connect-timeout", Duration.ofSeconds(10));
    Duration request = problems.positiveDuration(c, path, "request-timeout", Duration.ofSeconds(5));
    Optional<Duration> heartBeat =
        problems.durationOrOff(c, path, "heart-beat", Duration.ofSeconds(10));
    return new StompSettings(
        enabled,
        host,
        port,
        authRequired,
        http.tokens(),
        tls,
        maxConnections,
        maxFrame,
        prefetch,
        maxSubscriptions,
        maxTx,
        connect,
        request,
        heartBeat);
  }

  private static int positive(
      Config c, String path, String key, int fallback, ConfigProblems problems) {
    int v = problems.read(path + "." + key, () -> c.getInt(key), fallback);
    if (v < 1) problems.add(path + "." + key, "must be at least 1, was " + v);
    return v;
  }
}
