package io.junction.routing;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValueType;
import io.junction.codec.StructLayout;
import io.junction.codec.StructRegistry;
import io.junction.config.ConfigProblems;
import io.junction.routing.expr.Condition;
import io.junction.routing.expr.ExpressionException;
import io.junction.routing.expr.Filter;
import io.junction.routing.expr.Path;
import io.junction.routing.expr.Schema;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Parses and validates {@code junction.routes}: conditions, flows and destinations. */
public final class RouteSettings {
  private static final Set<String> ROUTE_KEYS =
      Set.of(
          "from",
          "where",
          "to",
          "choice",
          "balance",
          "transform",
          "on-error",
          "throttle",
          "trace",
          "retry",
          "split",
          "aggregate");
  private static final Set<String> WHERE_KEYS = Set.of("type", "headers", "fields");
  private static final Set<String> BRANCH_KEYS = Set.of("when", "otherwise", "to");
  private static final Set<String> BALANCE_KEYS = Set.of("strategy", "key", "to");

  /**
   * What routes are checked against.
   *
   * @param sources names a route may take messages from (endpoint names)
   * @param layouts the struct each source decodes to, for sources with a plain struct codec
   * @param structs every declared struct
   * @param targets for each destination kind, the names that exist (e.g. tcp → {plc, people})
   */
  public record Context(
      Set<String> sources,
      Map<String, StructLayout> layouts,
      StructRegistry structs,
      Map<String, Set<String>> targets) {
    public Context {
      sources = Set.copyOf(sources);
      layouts = Map.copyOf(layouts);
      targets = Map.copyOf(targets);
    }

    Schema schema(String source) {
      StructLayout l = layouts.get(source);
      return l == null ? Schema.NONE : Schema.of(l, structs::layout);
    }
  }

  private RouteSettings() {}

  /** Reads every route without struct information (conditions on fields are not type-checked). */
  public static List<Route> fromConfig(
      Config routes,
      String path,
      Set<String> sources,
      Map<String, Set<String>> targets,
      ConfigProblems problems) {
    return fromConfig(
        routes, path, new Context(sources, Map.of(), StructRegistry.empty(), targets), problems);
  }

  /** Reads every route; each problem is recorded under its path. */
  public static List<Route> fromConfig(
      Config routes, String path, Context context, ConfigProblems problems) {
    List<Route> result = new ArrayList<>();
    for (String name : routes.root().keySet()) {
      String p = ConfigProblems.join(path, name);
      Config r = problems.read(p, () -> routes.getConfig(ConfigUtil.quoteString(name)), null);
      if (r == null) continue;
      problems.rejectUnknownKeys(p, r, ROUTE_KEYS);
      String from = problems.read(p + ".from", () -> r.getString("from"), "");
      if (!from.isEmpty() && !context.sources().contains(from))
        problems.add(
            p + ".from",
            "no endpoint named '" + from + "' (endpoints: " + sorted(context.sources()) + ")");
      Schema schema = context.schema(from);
      Filter where = Filter.ANY;
      String condition = "";
      if (r.hasPath("where")) {
        if (r.getValue("where").valueType() == ConfigValueType.STRING) {
          condition = r.getString("where");
          where = condition(condition, schema, p + ".where", problems);
        } else {
          Route.Where w = structuredWhere(r, p + ".where", problems);
          where = w;
          condition = w.toString();
        }
      }
      RouteOptionsSettings.Parsed options =
          RouteOptionsSettings.parse(r, p, schema, context, problems);
      Flow flow = flow(r, p, options.after(), context, problems);
      result.add(new Route(name, from, where, condition, flow, options.options()));
    }
    RouteGraph.checkCycles(result, path, problems);
    return List.copyOf(result);
  }

  private static Filter condition(String text, Schema schema, String p, ConfigProblems problems) {
    try {
      return Condition.compile(text, schema);
    } catch (ExpressionException e) {
      problems.add(p, e.getMessage());
      return Filter.ANY;
    }
  }

  private static Flow flow(
      Config r, String p, Schema schema, Context context, ConfigProblems problems) {
    List<String> kinds = new ArrayList<>();
    for (String k : List.of("to", "choice", "balance")) if (r.hasPath(k)) kinds.add(k);
    if (kinds.isEmpty()) {
      problems.add(p + ".to", "is required (one destination or a list), or use choice or balance");
      return new Flow.FanOut(List.of());
    }
    if (kinds.size() > 1) {
      problems.add(p, "has " + kinds + "; a route takes exactly one of to, choice or balance");
      return new Flow.FanOut(List.of());
    }
    return switch (kinds.get(0)) {
      case "choice" -> choice(r, p + ".choice", schema, context, problems);
      case "balance" -> balance(r, p + ".balance", schema, context, problems);
      default -> new Flow.FanOut(destinations(r, p + ".to", context.targets(), problems));
    };
  }

  private static Flow choice(
      Config r, String p, Schema schema, Context context, ConfigProblems problems) {
    List<? extends Config> list = problems.read(p, () -> r.getConfigList("choice"), List.of());
    if (list.isEmpty()) problems.add(p, "must list at least one branch");
    List<Flow.Branch> branches = new ArrayList<>();
    int otherwiseAt = -1;
    for (int i = 0; i < list.size(); i++) {
      Config b = list.get(i);
      String bp = p + "[" + i + "]";
      problems.rejectUnknownKeys(bp, b, BRANCH_KEYS);
      if (otherwiseAt >= 0)
        problems.add(
            bp,
            "unreachable branch: it follows the otherwise branch at "
                + p
                + "["
                + otherwiseAt
                + "]");
      boolean otherwise =
          b.hasPath("otherwise")
              && problems.read(bp + ".otherwise", () -> b.getBoolean("otherwise"), false);
      if (b.hasPath("otherwise") && !otherwise)
        problems.add(bp + ".otherwise", "must be true (leave it out for a conditional branch)");
      Filter when = Filter.ANY;
      String text = "";
      if (otherwise) {
        otherwiseAt = i;
        if (b.hasPath("when")) problems.add(bp + ".when", "an otherwise branch has no condition");
      } else if (!b.hasPath("when")) {
        problems.add(bp + ".when", "is required (or otherwise = true for the last branch)");
      } else {
        text = problems.read(bp + ".when", () -> b.getString("when"), "");
        if (!text.isEmpty()) when = condition(text, schema, bp + ".when", problems);
      }
      branches.add(
          new Flow.Branch(text, when, destinations(b, bp + ".to", context.targets(), problems)));
    }
    return new Flow.Choice(branches);
  }

  private static Flow balance(
      Config r, String p, Schema schema, Context context, ConfigProblems problems) {
    Config b = problems.read(p, () -> r.getConfig("balance"), null);
    if (b == null) return new Flow.FanOut(List.of());
    problems.rejectUnknownKeys(p, b, BALANCE_KEYS);
    String s =
        b.hasPath("strategy")
            ? problems.read(p + ".strategy", () -> b.getString("strategy"), "round-robin")
            : "round-robin";
    Flow.Strategy strategy =
        switch (s) {
          case "round-robin" -> Flow.Strategy.ROUND_ROBIN;
          case "hash" -> Flow.Strategy.HASH;
          default -> {
            problems.add(
                p + ".strategy", "unknown strategy '" + s + "' (expected round-robin or hash)");
            yield Flow.Strategy.ROUND_ROBIN;
          }
        };
    Path key = null;
    if (b.hasPath("key")) {
      String k = problems.read(p + ".key", () -> b.getString("key"), "");
      try {
        key = Path.parse(k, 1);
        // Checks that the key names a real field of the source's struct.
        Condition.compile(k + " exists", schema);
      } catch (ExpressionException e) {
        problems.add(p + ".key", e.getMessage());
      }
      if (strategy != Flow.Strategy.HASH)
        problems.add(p + ".key", "is only used with strategy = hash");
    } else if (strategy == Flow.Strategy.HASH)
      problems.add(p + ".key", "is required with strategy = hash, e.g. \"field.device_id\"");
    List<Destination> to = destinations(b, p + ".to", context.targets(), problems);
    if (key == null) key = Path.parse("type", 1);
    return new Flow.Balance(strategy, key, to);
  }

  private static Route.Where structuredWhere(Config r, String p, ConfigProblems problems) {
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

  /** The destinations under key {@code to} of {@code r}, each checked to exist. */
  static List<Destination> destinations(
      Config r, String p, Map<String, Set<String>> targets, ConfigProblems problems) {
    if (!r.hasPath("to")) {
      problems.add(p, "is required (one destination or a list)");
      return List.of();
    }
    boolean list = r.getValue("to").valueType() == ConfigValueType.LIST;
    List<String> names =
        list
            ? problems.read(p, () -> r.getStringList("to"), List.of())
            : List.of(problems.read(p, () -> r.getString("to"), ""));
    if (names.isEmpty()) problems.add(p, "must name at least one destination");
    List<Destination> out = new ArrayList<>();
    for (int i = 0; i < names.size(); i++) {
      String ip = list ? p + "[" + i + "]" : p;
      destination(names.get(i), ip, targets, problems).ifPresent(out::add);
    }
    return out;
  }

  /** One destination name, checked to exist. */
  static Optional<Destination> destination(
      String text, String p, Map<String, Set<String>> targets, ConfigProblems problems) {
    try {
      Destination d = Destination.parse(text);
      if (d instanceof Destination.Named n) {
        Set<String> known = targets.getOrDefault(n.kind(), Set.of());
        if (!known.contains(n.target())) {
          problems.add(
              p,
              "no "
                  + n.kind()
                  + " destination named '"
                  + n.target()
                  + "'"
                  + (known.isEmpty() ? "" : " (known: " + sorted(known) + ")"));
          return Optional.empty();
        }
      }
      return Optional.of(d);
    } catch (IllegalArgumentException e) {
      problems.add(p, e.getMessage());
      return Optional.empty();
    }
  }

  private static List<String> sorted(Set<String> s) {
    return s.stream().sorted().toList();
  }
}
