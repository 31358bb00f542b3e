package io.junction.routing;

import io.junction.message.Envelope;
import io.junction.routing.expr.Filter;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One route: messages {@code from} a source that match {@code where} go through {@code flow} (every
 * destination, a choice or a balance group).
 *
 * @param condition the condition as written, for the API ({@code ""} when there is none)
 */
public record Route(
    String name, String from, Filter where, String condition, Flow flow, Options options) {

  /** A plain fan-out route, e.g. for tests. */
  public Route(String name, String from, Filter where, List<Destination> to) {
    this(
        name,
        from,
        where,
        where == Filter.ANY ? "" : where.toString(),
        new Flow.FanOut(to),
        Options.NONE);
  }

  /**
   * What a route does besides choosing destinations.
   *
   * @param transforms steps applied, in order, to each matched message before its destinations
   * @param onError where a message goes when a step fails or a destination is not up
   * @param throttle at most this rate passes; the rest is dropped and counted
   * @param trace log each hop of each message with its id
   */
  public record Options(
      List<Transform> transforms,
      Optional<Destination> onError,
      Optional<Throttle> throttle,
      boolean trace,
      Optional<Retry> retry,
      Optional<Split> split,
      Optional<Aggregate> aggregate) {
    public static final Options NONE =
        new Options(
            List.of(),
            Optional.empty(),
            Optional.empty(),
            false,
            Optional.empty(),
            Optional.empty(),
            Optional.empty());

    public Options {
      transforms = List.copyOf(transforms);
    }
  }

  /** Every destination the route may send to. */
  public List<Destination> to() {
    return flow.destinations();
  }

  /**
   * The structured form {@code where { type, headers { }, fields { } }}: equality on the message
   * type, on headers and on decoded fields (compared as text, so {@code age = 42} matches the int
   * field 42).
   */
  public record Where(
      Optional<String> type, Map<String, String> headers, Map<String, String> fields)
      implements Filter {
    public static final Where ANY = new Where(Optional.empty(), Map.of(), Map.of());

    public Where {
      headers = Map.copyOf(headers);
      fields = Map.copyOf(fields);
    }

    public boolean matches(Envelope e) {
      return test(e);
    }

    @Override
    public boolean test(Envelope e) {
      if (type.isPresent() && !type.get().equals(e.type())) return false;
      for (var h : headers.entrySet())
        if (!h.getValue().equals(e.headers().get(h.getKey()))) return false;
      for (var f : fields.entrySet()) {
        Object v = e.fields().get(f.getKey());
        if (v == null || !f.getValue().equals(Objects.toString(v))) return false;
      }
      return true;
    }

    @Override
    public String toString() {
      StringBuilder sb = new StringBuilder();
      type.ifPresent(t -> sb.append("type == \"").append(t).append('"'));
      headers.forEach((k, v) -> and(sb).append("header.").append(k).append(" == \"" + v + '"'));
      fields.forEach((k, v) -> and(sb).append("field.").append(k).append(" == \"" + v + '"'));
      return sb.toString();
    }

    private static StringBuilder and(StringBuilder sb) {
      return sb.isEmpty() ? sb : sb.append(" and ");
    }
  }
}
