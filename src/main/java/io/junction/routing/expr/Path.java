package io.junction.routing.expr;

import io.junction.message.Envelope;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What a condition reads from a message: {@code type}, {@code source}, {@code connection}, {@code
 * header.NAME} or {@code field.a.b[2]} (nested struct fields and array elements). {@link #get}
 * answers null when the message has no such value.
 */
public final class Path {

  /** Where a path starts. */
  enum Root {
    TYPE,
    SOURCE,
    CONNECTION,
    HEADER,
    FIELD
  }

  /** One step into a decoded value: a field name or an array index. */
  sealed interface Step {}

  record Name(String name) implements Step {}

  record Index(int index) implements Step {}

  private final String text;
  private final Root root;
  private final String header;
  private final Step[] steps;
  // The common case, field.NAME, reads one map entry without walking steps.
  private final String single;

  private Path(String text, Root root, String header, List<Step> steps) {
    this.text = text;
    this.root = root;
    this.header = header;
    this.steps = steps.toArray(Step[]::new);
    this.single = steps.size() == 1 && steps.get(0) instanceof Name n ? n.name() : null;
  }

  /** Parses a path as written; {@code column} is where it starts, for errors. */
  public static Path parse(String text, int column) {
    int dot = text.indexOf('.');
    String head = dot < 0 ? stripIndex(text) : text.substring(0, dot);
    switch (head) {
      case "type", "source", "connection" -> {
        if (!text.equals(head))
          throw new ExpressionException(column, "'" + head + "' has no parts; write just " + head);
        return new Path(
            text, Root.valueOf(head.toUpperCase(java.util.Locale.ROOT)), null, List.of());
      }
      case "header" -> {
        if (dot < 0 || dot == text.length() - 1)
          throw new ExpressionException(column, "name the header, e.g. header.priority");
        return new Path(text, Root.HEADER, text.substring(dot + 1), List.of());
      }
      case "field" -> {
        if (dot < 0 || dot == text.length() - 1)
          throw new ExpressionException(column, "name the field, e.g. field.age");
        return new Path(text, Root.FIELD, null, steps(text.substring(dot + 1), column + dot + 1));
      }
      default ->
          throw new ExpressionException(
              column,
              "unknown name '"
                  + text
                  + "' (expected type, source, connection, header.NAME or field.NAME)");
    }
  }

  private static String stripIndex(String s) {
    int b = s.indexOf('[');
    return b < 0 ? s : s.substring(0, b);
  }

  private static List<Step> steps(String s, int column) {
    List<Step> out = new ArrayList<>();
    int i = 0;
    while (i < s.length()) {
      char c = s.charAt(i);
      if (c == '.') {
        if (i + 1 >= s.length() || s.charAt(i + 1) == '.' || s.charAt(i + 1) == '[')
          throw new ExpressionException(column + i, "expected a field name after '.'");
        i++;
      } else if (c == '[') {
        int close = s.indexOf(']', i);
        String n = s.substring(i + 1, close);
        if (!n.matches("[0-9]{1,9}"))
          throw new ExpressionException(
              column + i, "an index must be a non-negative whole number, not '" + n + "'");
        out.add(new Index(Integer.parseInt(n)));
        i = close + 1;
      } else {
        int j = i;
        while (j < s.length() && s.charAt(j) != '.' && s.charAt(j) != '[') j++;
        out.add(new Name(s.substring(i, j)));
        i = j;
      }
    }
    return out;
  }

  /** The value at this path, or null when the message has none. */
  public Object get(Envelope e) {
    switch (root) {
      case TYPE:
        return e.type();
      case SOURCE:
        return e.source();
      case CONNECTION:
        return e.connection();
      case HEADER:
        return e.headers().get(header);
      default:
        if (single != null) return e.fields().get(single);
        Object v = e.fields();
        for (Step s : steps) {
          if (s instanceof Name n) {
            if (!(v instanceof Map<?, ?> m)) return null;
            v = m.get(n.name());
          } else {
            int i = ((Index) s).index();
            if (v instanceof List<?> l) v = i < l.size() ? l.get(i) : null;
            else if (v instanceof byte[] b) v = i < b.length ? (Object) (long) (b[i] & 0xff) : null;
            else return null;
          }
          if (v == null) return null;
        }
        return v;
    }
  }

  Root root() {
    return root;
  }

  List<Step> steps() {
    return List.of(steps);
  }

  @Override
  public String toString() {
    return text;
  }
}
