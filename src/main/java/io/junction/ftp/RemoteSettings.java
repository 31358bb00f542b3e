package io.junction.ftp;

import com.typesafe.config.Config;
import io.junction.config.ConfigProblems;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Where and how to reach one FTP, FTPS or SFTP server; immutable, validated, and printable (secrets
 * are {@link Secret}s, so {@code toString} masks them).
 *
 * <p>Optional components are {@code null} when unset. Build one with {@link #of}, then the {@code
 * with...} methods, or read it from config with {@link #fromConfig}.
 */
public record RemoteSettings(
    Protocol protocol,
    String host,
    int port,
    String username,
    Secret password,
    Path privateKeyFile,
    Secret privateKeyPassphrase,
    boolean passive,
    boolean binary,
    Duration connectTimeout,
    Duration dataTimeout,
    int bufferSize,
    Path knownHostsFile,
    String hostKeyFingerprint,
    Path truststoreFile,
    Secret truststorePassword,
    boolean trustAll) {

  public static final boolean DEFAULT_PASSIVE = true;
  public static final boolean DEFAULT_BINARY = true;
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
  public static final Duration DEFAULT_DATA_TIMEOUT = Duration.ofSeconds(30);
  public static final int DEFAULT_BUFFER_SIZE = 64 * 1024;

  /** Upper bound of {@code buffer-size}: one chunk in flight per stream must stay small. */
  public static final int MAX_BUFFER_SIZE = 8 * 1024 * 1024;

  /** Every key {@link #fromConfig} understands (callers add their own before rejecting others). */
  public static final Set<String> KEYS = RemoteSettingsConfig.KEYS;

  public RemoteSettings {
    Objects.requireNonNull(protocol, "protocol");
    if (host == null || host.isBlank()) throw new IllegalArgumentException("host is required");
    if (port == 0) port = protocol.defaultPort();
    if (port < 1 || port > 65535) throw new IllegalArgumentException("port out of range: " + port);
    if (username == null || username.isEmpty()) {
      throw new IllegalArgumentException("username is required");
    }
    requirePositive(connectTimeout, "connect-timeout");
    requirePositive(dataTimeout, "data-timeout");
    if (bufferSize < 512 || bufferSize > MAX_BUFFER_SIZE) {
      throw new IllegalArgumentException(
          "buffer-size must be between 512 bytes and " + MAX_BUFFER_SIZE + " bytes: " + bufferSize);
    }
    if (trustAll && !protocol.isTls()) {
      throw new IllegalArgumentException("trust-all applies only to ftps and ftps-implicit");
    }
    if (protocol != Protocol.SFTP && privateKeyFile != null) {
      throw new IllegalArgumentException("private-key-file applies only to sftp");
    }
    if (protocol != Protocol.SFTP && (knownHostsFile != null || hostKeyFingerprint != null)) {
      throw new IllegalArgumentException(
          "known-hosts-file and host-key-fingerprint apply only to sftp");
    }
    if (!protocol.isTls() && truststoreFile != null) {
      throw new IllegalArgumentException("truststore-file applies only to ftps and ftps-implicit");
    }
  }

  private static void requirePositive(Duration d, String key) {
    if (d == null || d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(key + " must be > 0");
    }
  }

  /** Settings with every default; port 0 means the protocol's well-known port. */
  public static RemoteSettings of(Protocol protocol, String host, int port, String username) {
    return new RemoteSettings(
        protocol,
        host,
        port,
        username,
        null,
        null,
        null,
        DEFAULT_PASSIVE,
        DEFAULT_BINARY,
        DEFAULT_CONNECT_TIMEOUT,
        DEFAULT_DATA_TIMEOUT,
        DEFAULT_BUFFER_SIZE,
        null,
        null,
        null,
        null,
        false);
  }

  /**
   * Reads the section at {@code path} of {@code config}; every problem is added to {@code problems}
   * with its full path, and the result is empty if there was any. Secrets come from {@code
   * password-env} / {@code password-file} (and the like), never inline.
   */
  public static Optional<RemoteSettings> fromConfig(
      Config config, String path, ConfigProblems problems) {
    return RemoteSettingsConfig.read(config, path, problems, System::getenv);
  }

  /** {@code host:port}, the way errors and logs name this server. */
  public String server() {
    return host + ":" + port;
  }

  public RemoteSettings withPassword(String pw) {
    return copy(b -> b.password = pw == null ? null : Secret.of(pw));
  }

  /** SFTP public key authentication; {@code passphrase} may be null for an unencrypted key. */
  public RemoteSettings withPrivateKey(Path keyFile, String passphrase) {
    return copy(
        b -> {
          b.privateKeyFile = keyFile;
          b.privateKeyPassphrase = passphrase == null ? null : Secret.of(passphrase);
        });
  }

  public RemoteSettings withPassive(boolean value) {
    return copy(b -> b.passive = value);
  }

  public RemoteSettings withBinary(boolean value) {
    return copy(b -> b.binary = value);
  }

  public RemoteSettings withTimeouts(Duration connect, Duration data) {
    return copy(
        b -> {
          b.connectTimeout = connect;
          b.dataTimeout = data;
        });
  }

  public RemoteSettings withBufferSize(int bytes) {
    return copy(b -> b.bufferSize = bytes);
  }

  /** SFTP: accept only the host keys listed for this host in an OpenSSH known_hosts file. */
  public RemoteSettings withKnownHosts(Path file) {
    return copy(b -> b.knownHostsFile = file);
  }

  /** SFTP: accept only the host key with this fingerprint ({@code SHA256:base64...}). */
  public RemoteSettings withHostKeyFingerprint(String fingerprint) {
    return copy(b -> b.hostKeyFingerprint = fingerprint);
  }

  /** FTPS: verify the server certificate (and its host name) against this PKCS12/JKS store. */
  public RemoteSettings withTruststore(Path file, String storePassword) {
    return copy(
        b -> {
          b.truststoreFile = file;
          b.truststorePassword = storePassword == null ? null : Secret.of(storePassword);
        });
  }

  /** FTPS, development only: accept any certificate (no protection against interception). */
  public RemoteSettings withTrustAll(boolean value) {
    return copy(b -> b.trustAll = value);
  }

  /** Copies these settings with some components changed; the result is validated again. */
  private RemoteSettings copy(java.util.function.Consumer<Copy> change) {
    Copy b = new Copy(this);
    change.accept(b);
    return new RemoteSettings(
        protocol,
        host,
        port,
        username,
        b.password,
        b.privateKeyFile,
        b.privateKeyPassphrase,
        b.passive,
        b.binary,
        b.connectTimeout,
        b.dataTimeout,
        b.bufferSize,
        b.knownHostsFile,
        b.hostKeyFingerprint,
        b.truststoreFile,
        b.truststorePassword,
        b.trustAll);
  }

  /** The changeable components, as a scratch pad for {@link #copy}. */
  private static final class Copy {
    Secret password;
    Path privateKeyFile;
    Secret privateKeyPassphrase;
    boolean passive;
    boolean binary;
    Duration connectTimeout;
    Duration dataTimeout;
    int bufferSize;
    Path knownHostsFile;
    String hostKeyFingerprint;
    Path truststoreFile;
    Secret truststorePassword;
    boolean trustAll;

    Copy(RemoteSettings s) {
      password = s.password;
      privateKeyFile = s.privateKeyFile;
      privateKeyPassphrase = s.privateKeyPassphrase;
      passive = s.passive;
      binary = s.binary;
      connectTimeout = s.connectTimeout;
      dataTimeout = s.dataTimeout;
      bufferSize = s.bufferSize;
      knownHostsFile = s.knownHostsFile;
      hostKeyFingerprint = s.hostKeyFingerprint;
      truststoreFile = s.truststoreFile;
      truststorePassword = s.truststorePassword;
      trustAll = s.trustAll;
    }
  }
}
