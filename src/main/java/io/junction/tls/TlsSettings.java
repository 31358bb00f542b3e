package io.junction.tls;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.junction.config.ConfigProblems;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS for any listener or outbound connection, from a {@code tls { }} section:
 *
 * <pre>
 * tls {
 *   keystore-file = "conf/node.p12"          # PKCS12: this side's certificate and key
 *   keystore-password-env = NODE_P12_PASS    # or keystore-password-file
 *   truststore-file = "conf/peers.p12"       # PKCS12: whom to trust (default: the JDK's CAs)
 *   truststore-password-env = PEERS_P12_PASS # or truststore-password-file
 *   client-auth = none                       # servers: none | want | need (mutual TLS)
 * }
 * </pre>
 *
 * Secrets come from the environment or files, never inline; a client verifies the server's host
 * name against its certificate.
 */
public record TlsSettings(SSLContext context, ClientAuth clientAuth) {

  /** Whether a server asks for, or requires, a client certificate. */
  public enum ClientAuth {
    NONE,
    WANT,
    NEED
  }

  /** The keys naming the two stores and where their passwords come from; cluster TLS uses them. */
  public static final Set<String> STORE_KEYS =
      Set.of(
          "keystore-file",
          "keystore-password-env",
          "keystore-password-file",
          "truststore-file",
          "truststore-password-env",
          "truststore-password-file");

  static final Set<String> KEYS =
      Stream.concat(STORE_KEYS.stream(), Stream.of("client-auth"))
          .collect(Collectors.toUnmodifiableSet());

  /** An engine for one accepted connection. */
  public SSLEngine serverEngine() {
    SSLEngine e = context.createSSLEngine();
    e.setUseClientMode(false);
    if (clientAuth == ClientAuth.NEED) e.setNeedClientAuth(true);
    else if (clientAuth == ClientAuth.WANT) e.setWantClientAuth(true);
    return e;
  }

  /** An engine for one outbound connection to {@code host}, verifying its name. */
  public SSLEngine clientEngine(String host, int port) {
    SSLEngine e = context.createSSLEngine(host, port);
    e.setUseClientMode(true);
    SSLParameters p = e.getSSLParameters();
    p.setEndpointIdentificationAlgorithm("HTTPS");
    e.setSSLParameters(p);
    return e;
  }

  /** Reads {@code c.tls} if present; every problem is recorded under {@code path}. */
  public static Optional<TlsSettings> fromConfig(Config c, String path, ConfigProblems problems) {
    if (!c.hasPath("tls")) return Optional.empty();
    Config t = problems.read(path, () -> c.getConfig("tls"), ConfigFactory.empty());
    problems.rejectUnknownKeys(path, t, KEYS);
    KeyManager[] keys = null;
    TrustManager[] trust = null;
    try {
      if (t.hasPath("keystore-file")) {
        KeyStore ks = load(t, path, "keystore", problems);
        if (ks == null) return Optional.empty();
        KeyManagerFactory kmf =
            KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, secret(t, path, "keystore", problems));
        keys = kmf.getKeyManagers();
      }
      if (t.hasPath("truststore-file")) {
        KeyStore ts = load(t, path, "truststore", problems);
        if (ts == null) return Optional.empty();
        TrustManagerFactory tmf =
            TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ts);
        trust = tmf.getTrustManagers();
      }
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(keys, trust, null);
      String auth =
          problems.read(
              path + ".client-auth",
              () -> t.hasPath("client-auth") ? t.getString("client-auth") : "none",
              "none");
      ClientAuth clientAuth;
      try {
        clientAuth = ClientAuth.valueOf(auth.toUpperCase(java.util.Locale.ROOT));
      } catch (IllegalArgumentException e) {
        problems.add(path + ".client-auth", "must be none, want or need, was '" + auth + "'");
        clientAuth = ClientAuth.NONE;
      }
      return Optional.of(new TlsSettings(ctx, clientAuth));
    } catch (java.security.GeneralSecurityException e) {
      problems.add(path, "cannot set up TLS: " + e.getMessage());
      return Optional.empty();
    }
  }

  private static KeyStore load(Config t, String path, String which, ConfigProblems problems) {
    String file =
        problems.read(path + "." + which + "-file", () -> t.getString(which + "-file"), "");
    char[] password = secret(t, path, which, problems);
    // a blank file name must not quietly mean "no TLS" on a listener configured for it
    if (file.isBlank())
      problems.add(path + "." + which + "-file", "must name a PKCS12 file, was empty");
    if (file.isBlank() || password == null) return null;
    return loadPkcs12(file, password, path, which, problems);
  }

  /**
   * PKCS12 store {@code file}, or null with the problem recorded under {@code path.<which>-file}.
   */
  public static KeyStore loadPkcs12(
      String file, char[] password, String path, String which, ConfigProblems problems) {
    try (InputStream in = Files.newInputStream(Path.of(file))) {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(in, password);
      return ks;
    } catch (Exception e) {
      problems.add(
          path + "." + which + "-file",
          "cannot load PKCS12 " + which + " " + file + ": " + e.getMessage());
      return null;
    }
  }

  /**
   * The password of store {@code which} ({@code keystore}, {@code truststore}) from {@code
   * <which>-password-env} or {@code <which>-password-file}, never from the config itself; null with
   * the problem recorded when neither gives one.
   */
  public static char[] secret(Config t, String path, String which, ConfigProblems problems) {
    String env = which + "-password-env", file = which + "-password-file";
    if (t.hasPath(env)) {
      String var = problems.read(path + "." + env, () -> t.getString(env), "");
      String value = System.getenv(var);
      if (value == null) {
        problems.add(path + "." + env, "environment variable " + var + " is not set");
        return null;
      }
      return value.toCharArray();
    }
    if (t.hasPath(file)) {
      String f = problems.read(path + "." + file, () -> t.getString(file), "");
      try {
        return Files.readString(Path.of(f)).strip().toCharArray();
      } catch (java.io.IOException e) {
        problems.add(path + "." + file, "cannot read " + f + ": " + e.getMessage());
        return null;
      }
    }
    problems.add(path, which + "-password-env or " + which + "-password-file is required");
    return null;
  }
}
