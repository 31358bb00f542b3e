package io.junction.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigValue;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Collects every configuration problem, each with its full config path, so that a bad config is
 * reported all at once instead of one error per restart (as NATS' {@code validateOptions} does).
 */
public final class ConfigProblems {

  /** One problem: the full HOCON path and what is wrong there. */
  public record Problem(String path, String message) {
    @Override
    public String toString() {
      return path + ": " + message;
    }
  }

  /** Thrown when settings were asked for while problems exist. */
  public static final class InvalidConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final List<Problem> problems;

    public InvalidConfigException(List<Problem> problems) {
      super(render(problems));
      this.problems = List.copyOf(problems);
    }

    public List<Problem> problems() {
      return problems;
    }
  }

  private final List<Problem> problems = new ArrayList<>();

  public void add(String path, String message) {
    problems.add(new Problem(path, message));
  }

  public boolean isEmpty() {
    return problems.isEmpty();
  }

  public List<Problem> all() {
    return List.copyOf(problems);
  }

  /** Throws {@link InvalidConfigException} listing all problems, if there are any. */
  public void throwIfAny() {
    if (!problems.isEmpty()) throw new InvalidConfigException(problems);
  }

  /**
   * Reads a value with {@code reader}; a missing key or wrong type is recorded under {@code path}
   * and {@code fallback} is returned so validation can go on and find the next problem.
   */
  public <T> T read(String path, Supplier<T> reader, T fallback) {
    try {
      return reader.get();
    } catch (ConfigException.Missing e) {
      add(path, "is required");
    } catch (ConfigException e) {
      add(path, describe(e));
    } catch (IllegalArgumentException e) {
      add(path, e.getMessage());
    }
    return fallback;
  }

  /**
   * A timeout, interval or backoff: {@code key} of {@code section} (at {@code path}) as a positive
   * duration, {@code fallback} when missing. A zero, negative or unreadable value is recorded and
   * {@code fallback} returned.
   */
  public Duration positiveDuration(Config section, String path, String key, Duration fallback) {
    return positive(section, path, key, fallback, "must be positive");
  }

  /**
   * As {@link #positiveDuration}, for one that may be switched off: empty when it says {@code off}.
   */
  public Optional<Duration> durationOrOff(
      Config section, String path, String key, Duration fallback) {
    if (section.hasPath(key) && section.getValue(key).unwrapped().equals("off"))
      return Optional.empty();
    return Optional.of(positive(section, path, key, fallback, "must be positive or off"));
  }

  private Duration positive(
      Config section, String path, String key, Duration fallback, String problem) {
    if (!section.hasPath(key)) return fallback;
    Duration d = read(path + "." + key, () -> section.getDuration(key), fallback);
    if (d.isNegative() || d.isZero()) {
      add(path + "." + key, problem + ", was " + d);
      return fallback;
    }
    return d;
  }

  /** Records each key of {@code section} that is not in {@code allowed} (typos are errors). */
  public void rejectUnknownKeys(String sectionPath, Config section, Set<String> allowed) {
    for (Map.Entry<String, ConfigValue> e : section.root().entrySet()) {
      if (!allowed.contains(e.getKey())) {
        add(join(sectionPath, e.getKey()), "unknown key (expected one of " + sorted(allowed) + ")");
      }
    }
  }

  public static String join(String prefix, String key) {
    return prefix == null || prefix.isEmpty() ? key : prefix + "." + quoteIfNeeded(key);
  }

  private static String quoteIfNeeded(String key) {
    return key.matches("[A-Za-z0-9_-]+") ? key : "\"" + key + "\"";
  }

  private static List<String> sorted(Set<String> s) {
    return s.stream().sorted().toList();
  }

  private static String describe(ConfigException e) {
    String m = e.getMessage();
    // Typesafe prefixes messages with "origin: path has type X rather than Y"; keep the why.
    int i = m.indexOf(": ");
    return i >= 0 && m.contains(" has type ") ? m.substring(m.indexOf(" has type ") + 1) : m;
  }

  public static String render(List<Problem> problems) {
    StringBuilder sb = new StringBuilder();
    sb.append(problems.size()).append(problems.size() == 1 ? " problem" : " problems");
    sb.append(" in the configuration:");
    for (Problem p : problems) sb.append(System.lineSeparator()).append("  ").append(p);
    return sb.toString();
  }
}
