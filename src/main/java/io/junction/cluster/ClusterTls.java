package io.junction.cluster;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.junction.config.ConfigProblems;
import io.junction.tls.TlsSettings;
import java.security.KeyStore;
import java.security.KeyStoreException;
import java.util.Collections;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * {@code junction.cluster.tls}: node-to-node traffic over Artery's TLS transport ({@code tls-tcp})
 * with mutual authentication. Every node presents the key pair in {@code keystore-file} and accepts
 * only peers whose certificate chains to one in {@code truststore-file} (one private CA for the
 * cluster); a plain-text peer or one certified by another CA never completes a handshake, so it
 * never becomes a member. Both stores are PKCS12; the key's password is the keystore's.
 *
 * @param enabled use TLS between nodes
 * @param keystore this node's PKCS12 key pair
 * @param keystorePassword its password (from the environment or a file)
 * @param truststore PKCS12 with the certificates (the cluster CA) peers must chain to
 * @param truststorePassword its password (from the environment or a file)
 * @param hostnameVerification also check that a peer's certificate names the host it was reached at
 */
public record ClusterTls(
    boolean enabled,
    String keystore,
    String keystorePassword,
    String truststore,
    String truststorePassword,
    boolean hostnameVerification) {

  static final Set<String> KEYS =
      Stream.concat(TlsSettings.STORE_KEYS.stream(), Stream.of("enabled", "hostname-verification"))
          .collect(Collectors.toUnmodifiableSet());

  /** Plain TCP between nodes. */
  public static ClusterTls off() {
    return new ClusterTls(false, "", "", "", "", false);
  }

  /** Reads {@code cluster.tls} (absent: off); with TLS on, both stores must load. */
  static ClusterTls fromConfig(Config cluster, String base, ConfigProblems problems) {
    if (!cluster.hasPath("tls")) return off();
    String path = base + ".tls";
    Config t = problems.read(path, () -> cluster.getConfig("tls"), ConfigFactory.empty());
    problems.rejectUnknownKeys(path, t, KEYS);
    boolean enabled =
        problems.read(
            path + ".enabled", () -> t.hasPath("enabled") && t.getBoolean("enabled"), false);
    boolean verify =
        problems.read(
            path + ".hostname-verification",
            () -> t.hasPath("hostname-verification") && t.getBoolean("hostname-verification"),
            false);
    if (!enabled) return off();
    String keystore = store(t, path, "keystore", problems);
    String keystorePassword = password(t, path, "keystore", keystore, problems);
    String truststore = store(t, path, "truststore", problems);
    String truststorePassword = password(t, path, "truststore", truststore, problems);
    return new ClusterTls(true, keystore, keystorePassword, truststore, truststorePassword, verify);
  }

  private static String store(Config t, String path, String which, ConfigProblems problems) {
    String key = which + "-file";
    String file = problems.read(path + "." + key, () -> t.getString(key), "");
    if (file.isBlank() && t.hasPath(key)) problems.add(path + "." + key, "must not be empty");
    else if (file.isBlank())
      problems.add(path + "." + key, "is required when junction.cluster.tls is enabled");
    return file;
  }

  // Loads the store now, so a wrong path, password or content stops the node at start with the
  // key's path, not at the first handshake with a peer.
  private static String password(
      Config t, String path, String which, String file, ConfigProblems problems) {
    char[] password = TlsSettings.secret(t, path, which, problems);
    if (password == null || file.isBlank()) return "";
    KeyStore ks = TlsSettings.loadPkcs12(file, password, path, which, problems);
    if (ks != null) {
      boolean keystore = which.equals("keystore");
      try {
        boolean found = false;
        for (String alias : Collections.list(ks.aliases()))
          found |= keystore ? ks.isKeyEntry(alias) : ks.isCertificateEntry(alias);
        if (!found)
          problems.add(
              path + "." + which + "-file",
              file + " holds no " + (keystore ? "private key" : "trusted certificate"));
      } catch (KeyStoreException e) {
        problems.add(path + "." + which + "-file", "cannot read " + file + ": " + e.getMessage());
      }
    }
    return new String(password);
  }

  /** The Pekko settings for Artery's TLS transport ({@code pekko.remote.artery...}). */
  Config artery() {
    String engine = "pekko.remote.artery.ssl.config-ssl-engine.";
    return ConfigFactory.empty()
        .withValue("pekko.remote.artery.transport", ClusterSetup.value("tls-tcp"))
        .withValue(
            "pekko.remote.artery.ssl.ssl-engine-provider",
            ClusterSetup.value("org.apache.pekko.remote.artery.tcp.ConfigSSLEngineProvider"))
        .withValue(engine + "key-store", ClusterSetup.value(keystore))
        .withValue(engine + "key-store-password", ClusterSetup.value(keystorePassword))
        .withValue(engine + "key-password", ClusterSetup.value(keystorePassword))
        .withValue(engine + "trust-store", ClusterSetup.value(truststore))
        .withValue(engine + "trust-store-password", ClusterSetup.value(truststorePassword))
        .withValue(engine + "require-mutual-authentication", ClusterSetup.value(true))
        .withValue(engine + "hostname-verification", ClusterSetup.value(hostnameVerification));
  }

  /** Without the passwords: this record may be logged or printed by {@code junction check}. */
  @Override
  public String toString() {
    return "ClusterTls[enabled="
        + enabled
        + ", keystore="
        + keystore
        + ", truststore="
        + truststore
        + ", hostnameVerification="
        + hostnameVerification
        + "]";
  }
}
