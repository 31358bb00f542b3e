package io.junction.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import io.junction.config.ConfigProblems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Loads the node's configuration: {@code -D} system properties over the given file (default {@code
 * conf/application.conf}) over Junction's values for Pekko's keys ({@code junction-pekko.conf})
 * over {@code reference.conf}, with {@code ${?ENV}} substitutions resolved.
 */
public final class ConfigLoader {
  public static final Path DEFAULT_FILE = Path.of("conf", "application.conf");

  /**
   * Junction's values for Pekko's own keys. In the runnable jar every reference.conf is one file
   * with Pekko's after Junction's, so a Pekko key set in Junction's reference.conf would lose to
   * Pekko's default; layered between the config file and the reference, these hold.
   */
  static final String PEKKO = "junction-pekko.conf";

  private ConfigLoader() {}

  /** Loads and resolves; a missing file or a syntax error is reported as a config problem. */
  public static Config load(Path file) {
    if (!Files.isRegularFile(file))
      throw new ConfigProblems.InvalidConfigException(
          List.of(new ConfigProblems.Problem(file.toString(), "no such configuration file")));
    try {
      Config parsed =
          ConfigFactory.parseFile(
              file.toFile(), ConfigParseOptions.defaults().setAllowMissing(false));
      ConfigFactory.invalidateCaches();
      return ConfigFactory.load(parsed.withFallback(ConfigFactory.parseResources(PEKKO)));
    } catch (ConfigException e) {
      String path = e.origin() == null ? file.toString() : e.origin().description();
      throw new ConfigProblems.InvalidConfigException(
          List.of(new ConfigProblems.Problem(path, e.getMessage())));
    }
  }
}
