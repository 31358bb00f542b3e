package io.junction.routing;

import io.junction.codec.StructCodecException;
import io.junction.codec.StructJson;
import io.junction.codec.StructLayout;
import io.junction.message.Envelope;
import io.junction.routing.expr.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.util.ByteString;

/**
 * One step a route applies to a message before its destinations. Steps are immutable and
 * thread-safe; a step that cannot apply throws {@link Failed}, and the route then sends the
 * original message to its {@code on-error} destination with the reason in header {@code error}.
 */
public sealed interface Transform {

  Envelope apply(Envelope m);

  /** Why a step could not apply to a message. */
  final class Failed extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public Failed(String reason) {
      super(reason, null, false, false);
    }
  }

  /** Decoded fields as a JSON object payload, type {@code application/json}. */
  record ToJson() implements Transform {
    @Override
    public Envelope apply(Envelope m) {
      if (m.fields().isEmpty()) throw new Failed("to-json: the message has no decoded fields");
      return with(
          m,
          "application/json",
          ByteString.fromArray(StructJson.toJsonBytes(m.fields())),
          m.fields());
    }
  }

  /** Fields (or a JSON object payload) encoded as struct {@code layout}. */
  record ToStruct(StructLayout layout) implements Transform {
    @Override
    public Envelope apply(Envelope m) {
      try {
        Map<String, ?> values =
            m.fields().isEmpty() ? StructJson.parse(m.payload().toArray()) : m.fields();
        ByteString bytes = layout.encode(values);
        return with(m, layout.name(), bytes, layout.decode(bytes));
      } catch (StructCodecException e) {
        throw new Failed("to-struct " + layout.name() + ": " + e.getMessage());
      }
    }
  }

  /** Fields of struct {@code into} filled from paths of the message. */
  record MapInto(Map<String, Path> fields, StructLayout into) implements Transform {
    public MapInto {
      fields = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(fields));
    }

    @Override
    public Envelope apply(Envelope m) {
      Map<String, Object> out = new LinkedHashMap<>();
      for (var f : fields.entrySet()) {
        Object v = f.getValue().get(m);
        if (v == null) throw new Failed("map: the message has no " + f.getValue());
        out.put(f.getKey(), v);
      }
      try {
        ByteString bytes = into.encode(out);
        return with(m, into.name(), bytes, into.decode(bytes));
      } catch (StructCodecException e) {
        throw new Failed("map into " + into.name() + ": " + e.getMessage());
      }
    }
  }

  record SetHeaders(Map<String, String> headers) implements Transform {
    public SetHeaders {
      headers = Map.copyOf(headers);
    }

    @Override
    public Envelope apply(Envelope m) {
      Map<String, String> h = new HashMap<>(m.headers());
      h.putAll(headers);
      return new Envelope(
          m.id(), m.source(), m.connection(), m.type(), h, m.payload(), m.fields(), m.timestamp());
    }
  }

  record RemoveHeaders(List<String> names) implements Transform {
    public RemoveHeaders {
      names = List.copyOf(names);
    }

    @Override
    public Envelope apply(Envelope m) {
      Map<String, String> h = new HashMap<>(m.headers());
      names.forEach(h::remove);
      return new Envelope(
          m.id(), m.source(), m.connection(), m.type(), h, m.payload(), m.fields(), m.timestamp());
    }
  }

  private static Envelope with(
      Envelope m, String type, ByteString payload, Map<String, Object> fields) {
    return new Envelope(
        m.id(), m.source(), m.connection(), type, m.headers(), payload, fields, m.timestamp());
  }
}
