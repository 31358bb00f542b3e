package io.junction.topic;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigUtil;
import io.junction.config.ConfigProblems;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A declared topic ({@code junction.topics.<name>}): publish/subscribe, at most once, fan-out to
 * every subscriber. {@code subscriber-buffer} bounds what each subscriber of the HTTP event stream
 * or a STOMP {@code /topic/} subscription may fall behind before the newest messages are dropped
 * (and counted).
 */
public record TopicSettings(String name, int subscriberBuffer) {
  static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,199}");

  /** Every declared topic; problems recorded under {@code junction.topics}. */
  public static List<TopicSettings> fromConfig(Config junction, ConfigProblems problems) {
    List<TopicSettings> out = new ArrayList<>();
    if (!junction.hasPath("topics")) return out;
    Config topics =
        problems.read("junction.topics", () -> junction.getConfig("topics"), ConfigFactory.empty());
    for (String name : topics.root().keySet()) {
      String path = ConfigProblems.join("junction.topics", name);
      if (!NAME.matcher(name).matches())
        problems.add(path, "topic name must match " + NAME.pattern());
      Config t =
          problems.read(
              path, () -> topics.getConfig(ConfigUtil.quoteString(name)), ConfigFactory.empty());
      problems.rejectUnknownKeys(path, t, Set.of("subscriber-buffer"));
      int buffer =
          problems.read(
              path + ".subscriber-buffer",
              () -> t.hasPath("subscriber-buffer") ? t.getInt("subscriber-buffer") : 1000,
              1000);
      if (buffer < 1) problems.add(path + ".subscriber-buffer", "must be at least 1");
      out.add(new TopicSettings(name, Math.max(1, buffer)));
    }
    return List.copyOf(out);
  }
}
