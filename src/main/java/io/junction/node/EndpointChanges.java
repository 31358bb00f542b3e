package io.junction.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;

/**
 * Which endpoints a new configuration adds, removes or changes: an endpoint changes when its own
 * section differs, or when it decodes a struct whose layouts changed.
 */
final class EndpointChanges {
  private EndpointChanges() {}

  static Set<String> changed(Config before, Config after) {
    Config a = section(before, "junction.endpoints");
    Config b = section(after, "junction.endpoints");
    boolean structsChanged =
        !Objects.equals(
            section(before, "junction.structs").root(), section(after, "junction.structs").root());
    Set<String> names = new HashSet<>(a.root().keySet());
    names.addAll(b.root().keySet());
    Set<String> changed = new HashSet<>();
    for (String name : names) {
      Object x = a.root().get(name), y = b.root().get(name);
      if (x == null || y == null || !x.equals(y)) changed.add(name);
      else if (structsChanged
          && String.valueOf(((com.typesafe.config.ConfigObject) y).get("codec"))
              .contains("struct:")) changed.add(name);
    }
    return changed;
  }

  private static Config section(Config c, String path) {
    return c.hasPath(path) ? c.getConfig(path) : ConfigFactory.empty();
  }
}
