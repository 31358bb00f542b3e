package io.junction.routing;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import io.junction.codec.StructLayout;
import io.junction.config.ConfigProblems;
import io.junction.routing.expr.Condition;
import io.junction.routing.expr.ExpressionException;
import io.junction.routing.expr.Path;
import io.junction.routing.expr.Schema;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Parses a route's {@code transform}, {@code on-error}, {@code throttle}, {@code trace} and {@code
 * retry}.
 */
final class RouteOptionsSettings {
  private RouteOptionsSettings() {}

  /** The options, and the schema messages have after the transforms (what choices check). */
  record Parsed(Route.Options options, Schema after) {}

  static Parsed parse(
      Config r, String p, Schema schema, RouteSettings.Context context, ConfigProblems problems) {
    List<Transform> steps = new ArrayList<>();
    Optional<Split> split = Split.fromConfig(r, p + ".split", context.structs(), problems);
    // after a split, messages are the records the split's codec decodes
    Schema after =
        split
            .flatMap(Split::layout)
            .map(l -> Schema.of(l, context.structs()::layout))
            .orElse(schema);
    if (r.hasPath("transform")) {
      List<? extends ConfigValue> list =
          problems.read(p + ".transform", () -> r.getList("transform"), List.of());
      for (int i = 0; i < list.size(); i++) {
        String sp = p + ".transform[" + i + "]";
        Optional<Transform> t = step(list.get(i), sp, after, context, problems);
        if (t.isEmpty()) continue;
        steps.add(t.get());
        if (t.get() instanceof Transform.ToStruct ts)
          after = Schema.of(ts.layout(), context.structs()::layout);
        if (t.get() instanceof Transform.MapInto m)
          after = Schema.of(m.into(), context.structs()::layout);
      }
    }
    Optional<Destination> onError =
        r.hasPath("on-error")
            ? RouteSettings.destination(
                problems.read(p + ".on-error", () -> r.getString("on-error"), "log"),
                p + ".on-error",
                context.targets(),
                problems)
            : Optional.empty();
    Optional<Throttle> throttle = Optional.empty();
    if (r.hasPath("throttle")) {
      String text = problems.read(p + ".throttle", () -> r.getString("throttle"), "");
      try {
        throttle = Optional.of(Throttle.parse(text));
      } catch (IllegalArgumentException e) {
        problems.add(p + ".throttle", e.getMessage());
      }
    }
    boolean trace =
        r.hasPath("trace") && problems.read(p + ".trace", () -> r.getBoolean("trace"), false);
    Optional<Retry> retry = Retry.fromConfig(r, p + ".retry", problems);
    Optional<Aggregate> aggregate = Aggregate.fromConfig(r, p + ".aggregate", problems);
    return new Parsed(
        new Route.Options(steps, onError, throttle, trace, retry, split, aggregate), after);
  }

  private static Optional<Transform> step(
      ConfigValue v,
      String p,
      Schema schema,
      RouteSettings.Context context,
      ConfigProblems problems) {
    if (v.valueType() == ConfigValueType.STRING && "to-json".equals(v.unwrapped()))
      return Optional.of(new Transform.ToJson());
    if (v.valueType() != ConfigValueType.OBJECT) {
      problems.add(
          p,
          "expected \"to-json\" or an object with one of to-struct, set-header, remove-header,"
              + " map (with into)");
      return Optional.empty();
    }
    Config c = ((com.typesafe.config.ConfigObject) v).toConfig();
    var keys = c.root().keySet();
    if (keys.contains("to-struct") && keys.size() == 1)
      return struct(c.getString("to-struct"), p + ".to-struct", context, problems)
          .map(Transform.ToStruct::new);
    if (keys.contains("set-header") && keys.size() == 1) {
      Map<String, String> h = new LinkedHashMap<>();
      Config m = problems.read(p + ".set-header", () -> c.getConfig("set-header"), null);
      if (m != null)
        for (var e : m.root().entrySet())
          h.put(e.getKey(), String.valueOf(e.getValue().unwrapped()));
      return Optional.of(new Transform.SetHeaders(h));
    }
    if (keys.contains("remove-header") && keys.size() == 1)
      return Optional.of(
          new Transform.RemoveHeaders(
              problems.read(
                  p + ".remove-header", () -> c.getStringList("remove-header"), List.of())));
    if (keys.contains("map") && keys.contains("into") && keys.size() == 2)
      return mapInto(c, p, schema, context, problems);
    problems.add(
        p,
        "unknown transform "
            + keys
            + " (expected to-json, to-struct = NAME, set-header { }, remove-header = [ ], map { }"
            + " with into = NAME)");
    return Optional.empty();
  }

  private static Optional<Transform> mapInto(
      Config c, String p, Schema schema, RouteSettings.Context context, ConfigProblems problems) {
    Optional<StructLayout> into =
        struct(
            problems.read(p + ".into", () -> c.getString("into"), ""),
            p + ".into",
            context,
            problems);
    Config m = problems.read(p + ".map", () -> c.getConfig("map"), null);
    if (into.isEmpty() || m == null) return Optional.empty();
    Map<String, Path> fields = new LinkedHashMap<>();
    for (var e : m.root().entrySet()) {
      String ep = ConfigProblems.join(p + ".map", e.getKey());
      String target = e.getKey().startsWith("field.") ? e.getKey().substring(6) : e.getKey();
      if (into.get().field(target).isEmpty()) {
        problems.add(ep, "struct " + into.get().name() + " has no field '" + target + "'");
        continue;
      }
      String source = String.valueOf(e.getValue().unwrapped());
      try {
        Path path = Path.parse(source, 1);
        Condition.compile(source + " exists", schema); // the source path must exist
        fields.put(target, path);
      } catch (ExpressionException x) {
        problems.add(ep, x.getMessage());
      }
    }
    return Optional.of(new Transform.MapInto(fields, into.get()));
  }

  private static Optional<StructLayout> struct(
      String name, String p, RouteSettings.Context context, ConfigProblems problems) {
    Optional<StructLayout> l = context.structs().layout(name);
    if (l.isEmpty())
      problems.add(p, "no struct named '" + name + "' (known: " + context.structs().names() + ")");
    return l;
  }
}
