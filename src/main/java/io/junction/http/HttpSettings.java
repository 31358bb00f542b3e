package io.junction.http;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.junction.config.ConfigProblems;
import io.junction.tls.TlsSettings;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The HTTP API server and outbound HTTP destinations, parsed once from {@code junction.http}.
 *
 * @param authRequired every /v1 call but health and ready needs a bearer token: on when the server
 *     listens on a non-loopback address or {@code require-auth = on}
 * @param tls the server's TLS (HTTPS), when {@code tls} is configured
 * @param eventsInterval how often {@code GET /v1/events} pushes a snapshot
 * @param headerTimeout how long a connection ready for a request waits for its line and headers
 *     before it is closed ({@link HeaderDeadline}); empty when {@code off}
 */
public record HttpSettings(
    boolean enabled,
    String host,
    int port,
    boolean authRequired,
    List<Token> tokens,
    Optional<TlsSettings> tls,
    Duration requestTimeout,
    Optional<Duration> headerTimeout,
    long maxBodyBytes,
    Duration eventsInterval,
    List<HttpDestinationSettings> destinations) {

  public HttpSettings {
    tokens = List.copyOf(tokens);
    destinations = List.copyOf(destinations);
  }

  private static final Duration MIN_EVENTS_INTERVAL = Duration.ofMillis(100);
  private static final Duration DEFAULT_HEADER_TIMEOUT = Duration.ofSeconds(30);

  private static final Set<String> KEYS =
      Set.of(
          "enabled",
          "host",
          "port",
          "require-auth",
          "tokens",
          "tls",
          "request-timeout",
          "header-timeout",
          "max-body-bytes",
          "events-interval",
          "destinations");

  /** HTTP off: for nodes configured without {@code junction.http}. */
  public static HttpSettings disabled() {
    return new HttpSettings(
        false,
        "127.0.0.1",
        0,
        true,
        List.of(),
        Optional.empty(),
        Duration.ofSeconds(5),
        Optional.of(DEFAULT_HEADER_TIMEOUT),
        1 << 20,
        Duration.ofSeconds(1),
        List.of());
  }

  /** Reads {@code junction.http}; each problem is recorded under its full path. */
  public static HttpSettings fromConfig(Config c, String path, ConfigProblems problems) {
    problems.rejectUnknownKeys(path, c, KEYS);
    boolean enabled = problems.read(path + ".enabled", () -> c.getBoolean("enabled"), false);
    String host = problems.read(path + ".host", () -> c.getString("host"), "127.0.0.1");
    int port = problems.read(path + ".port", () -> c.getInt("port"), 0);
    if (port < 0 || port > 65535)
      problems.add(path + ".port", "must be between 0 and 65535, was " + port);
    boolean requireAuth =
        problems.read(path + ".require-auth", () -> c.getBoolean("require-auth"), true);
    boolean authRequired = requireAuth || !isLoopback(host);
    List<Token> tokens = tokens(c, path + ".tokens", problems);
    if (enabled && authRequired && tokens.isEmpty())
      problems.add(
          path + ".tokens",
          "at least one token is required: "
              + (requireAuth
                  ? "require-auth is on"
                  : "host " + host + " is not a loopback address"));
    Duration timeout =
        problems.read(
            path + ".request-timeout",
            () -> c.getDuration("request-timeout"),
            Duration.ofSeconds(5));
    Optional<Duration> headerTimeout =
        problems.durationOrOff(c, path, "header-timeout", DEFAULT_HEADER_TIMEOUT);
    long maxBody =
        problems.read(path + ".max-body-bytes", () -> c.getBytes("max-body-bytes"), 1L << 20);
    Duration events =
        problems.read(
            path + ".events-interval",
            () -> c.getDuration("events-interval"),
            Duration.ofSeconds(1));
    if (events.compareTo(MIN_EVENTS_INTERVAL) < 0)
      problems.add(path + ".events-interval", "must be at least 100ms, was " + events);
    Optional<TlsSettings> tls =
        c.hasPath("tls") ? tls(c, path + ".tls", problems) : Optional.empty();
    Config dests =
        problems.read(
            path + ".destinations", () -> c.getConfig("destinations"), ConfigFactory.empty());
    List<HttpDestinationSettings> destinations = new ArrayList<>();
    for (String name : dests.root().keySet()) {
      String p = ConfigProblems.join(path + ".destinations", name);
      Config d =
          problems.read(
              p, () -> dests.getConfig(com.typesafe.config.ConfigUtil.quoteString(name)), null);
      if (d != null) destinations.add(HttpDestinationSettings.fromConfig(name, d, p, problems));
    }
    return new HttpSettings(
        enabled,
        host,
        port,
        authRequired,
        tokens,
        tls,
        timeout,
        headerTimeout,
        maxBody,
        events,
        destinations);
  }

  /** Whether {@code host} is a loopback address; an unknown host counts as exposed. */
  public static boolean isLoopback(String host) {
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (Exception e) {
      return false; // unknown: treat as exposed, so auth is on
    }
  }

  private static List<Token> tokens(Config c, String path, ConfigProblems problems) {
    List<? extends Config> list =
        problems.read(
            path, () -> c.hasPath("tokens") ? c.getConfigList("tokens") : List.of(), List.of());
    List<Token> tokens = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      String p = path + "[" + i + "]";
      Config t = list.get(i);
      problems.rejectUnknownKeys(p, t, Set.of("token-env", "token-file", "scopes"));
      Optional<String[]> secret = secret(t, p, problems); // [secret, origin]
      Set<Scope> scopes = scopes(t, p + ".scopes", problems);
      secret.ifPresent(
          s -> tokens.add(new Token(s[0].getBytes(StandardCharsets.UTF_8), scopes, s[1])));
    }
    return tokens;
  }

  private static Optional<String[]> secret(Config t, String p, ConfigProblems problems) {
    boolean env = t.hasPath("token-env"), file = t.hasPath("token-file");
    if (env == file) {
      problems.add(p, "needs exactly one of token-env or token-file (secrets are never inline)");
      return Optional.empty();
    }
    if (env) {
      String var = problems.read(p + ".token-env", () -> t.getString("token-env"), "");
      String value = var.isEmpty() ? null : System.getenv(var);
      if (value == null || value.isBlank()) {
        problems.add(p + ".token-env", "environment variable " + var + " is not set or empty");
        return Optional.empty();
      }
      return Optional.of(new String[] {value.strip(), "env " + var});
    }
    String f = problems.read(p + ".token-file", () -> t.getString("token-file"), "");
    try {
      String value = Files.readString(Path.of(f), StandardCharsets.UTF_8).strip();
      if (value.isEmpty()) {
        problems.add(p + ".token-file", "file " + f + " is empty");
        return Optional.empty();
      }
      return Optional.of(new String[] {value, "file " + f});
    } catch (Exception e) {
      problems.add(p + ".token-file", "cannot read " + f + ": " + e.getMessage());
      return Optional.empty();
    }
  }

  private static Set<Scope> scopes(Config t, String p, ConfigProblems problems) {
    List<String> names = problems.read(p, () -> t.getStringList("scopes"), List.of());
    Set<Scope> scopes = EnumSet.noneOf(Scope.class);
    for (String n : names) {
      try {
        scopes.add(Scope.valueOf(n.toUpperCase(java.util.Locale.ROOT)));
      } catch (IllegalArgumentException e) {
        problems.add(p, "unknown scope '" + n + "' (expected read, publish or admin)");
      }
    }
    if (names.isEmpty()) problems.add(p, "must name at least one scope (read, publish, admin)");
    return scopes;
  }

  /**
   * The server's TLS: a PKCS12 keystore with its password from {@code keystore-password-env} or
   * {@code keystore-password-file}; {@code truststore-*} and {@code client-auth} for mutual TLS.
   */
  private static Optional<TlsSettings> tls(Config c, String p, ConfigProblems problems) {
    Config t = problems.read(p, () -> c.getConfig("tls"), ConfigFactory.empty());
    if (!t.hasPath("keystore-file"))
      problems.add(p + ".keystore-file", "is required: the server's certificate and key");
    return TlsSettings.fromConfig(c, p, problems);
  }
}
