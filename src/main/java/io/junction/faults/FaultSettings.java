package io.junction.faults;

import com.typesafe.config.Config;
import io.junction.config.ConfigProblems;
import java.time.Duration;
import java.util.Set;

/**
 * {@code junction.faults}: whether rules may be injected at all, and their bounds.
 *
 * @param enabled off (the default): the API refuses rules and no hook is installed in any stream
 * @param maxRules most rules active at once
 * @param maxTtl longest a rule may live; every rule expires
 * @param pauseBuffer deliveries a paused destination holds by default before it fails them
 */
public record FaultSettings(boolean enabled, int maxRules, Duration maxTtl, int pauseBuffer) {
  private static final String PATH = "junction.faults";
  private static final Set<String> KEYS = Set.of("enabled", "max-rules", "max-ttl", "pause-buffer");

  public FaultSettings {
    if (maxRules < 1) throw new IllegalArgumentException(PATH + ".max-rules must be >= 1");
    if (maxTtl.isNegative() || maxTtl.isZero())
      throw new IllegalArgumentException(PATH + ".max-ttl must be positive");
    if (pauseBuffer < 1) throw new IllegalArgumentException(PATH + ".pause-buffer must be >= 1");
  }

  /** Reads {@code junction.faults} of the whole config; problems are recorded by path. */
  public static FaultSettings fromConfig(Config root, ConfigProblems problems) {
    if (!root.hasPath(PATH)) return new FaultSettings(false, 100, Duration.ofHours(1), 1000);
    Config c = problems.read(PATH, () -> root.getConfig(PATH), null);
    if (c == null) return new FaultSettings(false, 100, Duration.ofHours(1), 1000);
    problems.rejectUnknownKeys(PATH, c, KEYS);
    boolean enabled = problems.read(PATH + ".enabled", () -> c.getBoolean("enabled"), false);
    int maxRules = problems.read(PATH + ".max-rules", () -> c.getInt("max-rules"), 100);
    Duration maxTtl =
        problems.read(PATH + ".max-ttl", () -> c.getDuration("max-ttl"), Duration.ofHours(1));
    int buffer = problems.read(PATH + ".pause-buffer", () -> c.getInt("pause-buffer"), 1000);
    try {
      return new FaultSettings(enabled, maxRules, maxTtl, buffer);
    } catch (IllegalArgumentException e) {
      problems.add(PATH, e.getMessage());
      return new FaultSettings(false, 100, Duration.ofHours(1), 1000);
    }
  }
}
