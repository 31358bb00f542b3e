package io.junction.ftp;

import static io.junction.config.ConfigProblems.join;

import com.typesafe.config.Config;
import io.junction.config.ConfigProblems;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/** Reads {@link RemoteSettings} from a HOCON section, collecting every problem with its path. */
final class RemoteSettingsConfig {

  static final Set<String> KEYS =
      Set.of(
          "protocol",
          "host",
          "port",
          "username",
          "password",
          "password-env",
          "password-file",
          "private-key-file",
          "private-key-passphrase-env",
          "private-key-passphrase-file",
          "passive",
          "binary",
          "connect-timeout",
          "data-timeout",
          "buffer-size",
          "known-hosts-file",
          "host-key-fingerprint",
          "truststore-file",
          "truststore-password-env",
          "truststore-password-file",
          "trust-all");

  private RemoteSettingsConfig() {}

  static Optional<RemoteSettings> read(
      Config root, String path, ConfigProblems problems, Function<String, String> env) {
    int before = problems.all().size();
    Config c = problems.read(path, () -> root.getConfig(path), null);
    if (c == null) return Optional.empty();
    Protocol protocol =
        problems.read(
            join(path, "protocol"),
            () -> Protocol.fromConfigName(c.getString("protocol")),
            Protocol.FTP);
    String host = problems.read(join(path, "host"), () -> c.getString("host"), "");
    int port = c.hasPath("port") ? problems.read(join(path, "port"), () -> c.getInt("port"), 0) : 0;
    String user = problems.read(join(path, "username"), () -> c.getString("username"), "");
    if (c.hasPath("password")) {
      // Inline secrets end up in repositories and support bundles.
      problems.add(
          join(path, "password"),
          "inline secrets are not accepted; use password-env or password-file");
    }
    Secret password = secret(c, path, "password", problems, env);
    Secret passphrase = secret(c, path, "private-key-passphrase", problems, env);
    Secret storePassword = secret(c, path, "truststore-password", problems, env);
    Path keyFile = existingFile(c, path, "private-key-file", problems);
    Path knownHosts = existingFile(c, path, "known-hosts-file", problems);
    Path truststore = existingFile(c, path, "truststore-file", problems);
    String fingerprint = optional(c, path, "host-key-fingerprint", problems);
    boolean passive = flag(c, path, "passive", RemoteSettings.DEFAULT_PASSIVE, problems);
    boolean binary = flag(c, path, "binary", RemoteSettings.DEFAULT_BINARY, problems);
    boolean trustAll = flag(c, path, "trust-all", false, problems);
    Duration connect =
        duration(c, path, "connect-timeout", RemoteSettings.DEFAULT_CONNECT_TIMEOUT, problems);
    Duration data =
        duration(c, path, "data-timeout", RemoteSettings.DEFAULT_DATA_TIMEOUT, problems);
    int buffer =
        c.hasPath("buffer-size")
            ? problems.read(
                join(path, "buffer-size"),
                () -> (int) Math.min(Integer.MAX_VALUE, c.getBytes("buffer-size")),
                RemoteSettings.DEFAULT_BUFFER_SIZE)
            : RemoteSettings.DEFAULT_BUFFER_SIZE;
    if (protocol == Protocol.SFTP && knownHosts == null && fingerprint == null) {
      problems.add(
          path,
          "sftp needs known-hosts-file or host-key-fingerprint (unknown host keys are refused)");
    }
    if (protocol == Protocol.SFTP && password == null && keyFile == null) {
      problems.add(path, "sftp needs password-env, password-file or private-key-file");
    }
    if (problems.all().size() > before) return Optional.empty();
    try {
      return Optional.of(
          new RemoteSettings(
              protocol,
              host,
              port,
              user,
              password,
              keyFile,
              passphrase,
              passive,
              binary,
              connect,
              data,
              buffer,
              knownHosts,
              fingerprint,
              truststore,
              storePassword,
              trustAll));
    } catch (IllegalArgumentException e) {
      problems.add(path, e.getMessage());
      return Optional.empty();
    }
  }

  /** Reads {@code <base>-env} or {@code <base>-file}; null when neither is set. */
  private static Secret secret(
      Config c, String path, String base, ConfigProblems problems, Function<String, String> env) {
    String envKey = base + "-env";
    String fileKey = base + "-file";
    if (c.hasPath(envKey) && c.hasPath(fileKey)) {
      problems.add(join(path, envKey), "set either " + envKey + " or " + fileKey + ", not both");
      return null;
    }
    if (c.hasPath(envKey)) {
      String variable = problems.read(join(path, envKey), () -> c.getString(envKey), "");
      String value = variable.isEmpty() ? null : env.apply(variable);
      if (value == null || value.isEmpty()) {
        problems.add(join(path, envKey), "environment variable '" + variable + "' is not set");
        return null;
      }
      return Secret.of(value);
    }
    if (c.hasPath(fileKey)) {
      String file = problems.read(join(path, fileKey), () -> c.getString(fileKey), "");
      try {
        String value = stripLineEnd(Files.readString(Path.of(file), StandardCharsets.UTF_8));
        if (value.isEmpty()) {
          problems.add(join(path, fileKey), "file " + file + " is empty");
          return null;
        }
        return Secret.of(value);
      } catch (IOException | RuntimeException e) {
        problems.add(
            join(path, fileKey), "cannot read " + file + " (" + e.getClass().getName() + ")");
      }
    }
    return null;
  }

  private static String stripLineEnd(String s) {
    int end = s.length();
    while (end > 0 && (s.charAt(end - 1) == '\n' || s.charAt(end - 1) == '\r')) end--;
    return s.substring(0, end);
  }

  private static Path existingFile(Config c, String path, String key, ConfigProblems problems) {
    String value = optional(c, path, key, problems);
    if (value == null) return null;
    Path file = Path.of(value);
    if (!Files.isRegularFile(file)) {
      problems.add(join(path, key), "file " + value + " does not exist");
    }
    return file;
  }

  private static String optional(Config c, String path, String key, ConfigProblems problems) {
    return c.hasPath(key) ? problems.read(join(path, key), () -> c.getString(key), null) : null;
  }

  private static boolean flag(
      Config c, String path, String key, boolean fallback, ConfigProblems problems) {
    return c.hasPath(key)
        ? problems.read(join(path, key), () -> c.getBoolean(key), fallback)
        : fallback;
  }

  private static Duration duration(
      Config c, String path, String key, Duration fallback, ConfigProblems problems) {
    return c.hasPath(key)
        ? problems.read(join(path, key), () -> c.getDuration(key), fallback)
        : fallback;
  }
}
