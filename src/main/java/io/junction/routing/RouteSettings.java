package io.junction.routing;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueType;
import io.junction.config.ConfigProblems;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Parses and validates {@code junction.routes}. */
public final class RouteSettings {
  private static final Set<String> ROUTE_KEYS = Set.of("from", "where", "to");
  private static final Set<String> WHERE_KEYS = Set.of("type", "headers", "fields");

  private RouteSettings() {}

  /**
   * Reads every route; each problem is recorded under its path.
   *
   * @param sources names a route may take messages from (endpoint names)
   * @param targets for each destination kind, the names that exist (e.g. tcp → {plc, people})
   */
  public static List<Route> fromConfig(
      Config routes,
      String path,
      Set<String> sources,
      Map<String, Set<String>> targets,
      ConfigProblems problems) {
    List<Route> result = new ArrayList<>();
    for (String name : routes.root().keySet()) {
      String p = ConfigProblems.join(path, name);
      Config r = problems.read(p, () -> routes.getConfig(quote(name)), null);
      if (r == null) continue;
      problems.rejectUnknownKeys(p, r, ROUTE_KEYS);
      String from = problems.read(p + ".from", () -> r.getString("from"), "");
      if (!from.isEmpty() && !sources.contains(from))
        problems.add(
            p + ".from", "no endpoint named '" + from + "' (endpoints: " + sorted(sources) + ")");
      Route.Where where = r.hasPath("where") ? where(r, p + ".where", problems) : Route.Where.ANY;
      List<Destination> to = destinations(r, p + ".to", targets, problems);
      result.add(new Route(name, from, where, to));
    }
    return List.copyOf(result);
  }

  private static Route.Where where(Config r, String p, ConfigProblems problems) {
    Config w = problems.read(p, () -> r.getConfig("where"), null);
    if (w == null) return Route.Where.ANY;
    problems.rejectUnknownKeys(p, w, WHERE_KEYS);
    Optional<String> type =
        w.hasPath("type")
            ? Optional.of(problems.read(p + ".type", () -> w.getString("type"), ""))
            : Optional.empty();
    return new Route.Where(
        type, stringMap(w, "headers", p, problems), stringMap(w, "fields", p, problems));
  }

  private static Map<String, String> stringMap(
      Config w, String key, String p, ConfigProblems problems) {
    Map<String, String> out = new LinkedHashMap<>();
    if (!w.hasPath(key)) return out;
    Config m = problems.read(p + "." + key, () -> w.getConfig(key), null);
    if (m == null) return out;
    for (var e : m.root().entrySet()) {
      if (e.getValue().valueType() == ConfigValueType.OBJECT
          || e.getValue().valueType() == ConfigValueType.LIST)
        problems.add(ConfigProblems.join(p + "." + key, e.getKey()), "must be a plain value");
      else out.put(e.getKey(), String.valueOf(e.getValue().unwrapped()));
    }
    return out;
  }

  private static List<Destination> destinations(
      Config r, String p, Map<String, Set<String>> targets, ConfigProblems problems) {
    if (!r.hasPath("to")) {
      problems.add(p, "is required (one destination or a list)");
      return List.of();
    }
    List<String> names =
        r.getValue("to").valueType() == ConfigValueType.LIST
            ? problems.read(p, () -> r.getStringList("to"), List.of())
            : List.of(problems.read(p, () -> r.getString("to"), ""));
    if (names.isEmpty()) problems.add(p, "must name at least one destination");
    List<Destination> out = new ArrayList<>();
    for (int i = 0; i < names.size(); i++) {
      String ip =
          names.size() == 1 && r.getValue("to").valueType() != ConfigValueType.LIST
              ? p
              : p + "[" + i + "]";
      try {
        Destination d = Destination.parse(names.get(i));
        if (d instanceof Destination.Named n) {
          Set<String> known = targets.getOrDefault(n.kind(), Set.of());
          if (!known.contains(n.target())) {
            problems.add(
                ip,
                "no "
                    + n.kind()
                    + " destination named '"
                    + n.target()
                    + "'"
                    + (known.isEmpty() ? "" : " (known: " + sorted(known) + ")"));
            continue;
          }
        }
        out.add(d);
      } catch (IllegalArgumentException e) {
        problems.add(ip, e.getMessage());
      }
    }
    return out;
  }

  private static String quote(String key) {
    return com.typesafe.config.ConfigUtil.quoteString(key);
  }

  private static List<String> sorted(Set<String> s) {
    return s.stream().sorted().toList();
  }
}
