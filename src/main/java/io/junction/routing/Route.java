package io.junction.routing;

import io.junction.message.Envelope;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One route: messages {@code from} a source that match {@code where} go to every destination in
 * {@code to}.
 */
public record Route(String name, String from, Where where, List<Destination> to) {

  public Route {
    to = List.copyOf(to);
  }

  /**
   * The first slice of the filter language: equality on the message type, on headers and on decoded
   * fields (compared as text, so {@code age = 42} matches the int field 42).
   */
  public record Where(
      Optional<String> type, Map<String, String> headers, Map<String, String> fields) {
    public static final Where ANY = new Where(Optional.empty(), Map.of(), Map.of());

    public Where {
      headers = Map.copyOf(headers);
      fields = Map.copyOf(fields);
    }

    public boolean matches(Envelope e) {
      if (type.isPresent() && !type.get().equals(e.type())) return false;
      for (var h : headers.entrySet())
        if (!h.getValue().equals(e.headers().get(h.getKey()))) return false;
      for (var f : fields.entrySet()) {
        Object v = e.fields().get(f.getKey());
        if (v == null || !f.getValue().equals(Objects.toString(v))) return false;
      }
      return true;
    }
  }
}
