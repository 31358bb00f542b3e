package io.junction.routing.expr;

import io.junction.codec.StructLayout;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a route's source is known to produce, so conditions can be type-checked when the table is
 * loaded: with a struct codec every {@code field.*} path must name a real field and be compared
 * with a literal of its type. Without one ({@link #NONE}) fields are checked when messages arrive.
 */
public final class Schema {
  /** The shape of a value a path reads. */
  enum Kind {
    NUMBER("a number"),
    TEXT("text"),
    BOOL("a boolean"),
    BYTES("bytes"),
    ARRAY("an array"),
    STRUCT("a struct"),
    ANY("any value");

    final String article;

    Kind(String article) {
      this.article = article;
    }
  }

  /** A checked path: its kind and how to describe it, e.g. {@code int32 in struct Person}. */
  record Typed(Kind kind, String describe) {}

  public static final Schema NONE = new Schema(null, n -> Optional.empty());
  private static final Pattern ARRAY = Pattern.compile("(.+)\\[(\\d+)\\]");
  private static final Pattern CHARS = Pattern.compile("char\\[\\d+\\]");
  private static final Pattern BYTES = Pattern.compile("byte\\[\\d+\\]");

  private final StructLayout root;
  private final Function<String, Optional<StructLayout>> structs;

  private Schema(StructLayout root, Function<String, Optional<StructLayout>> structs) {
    this.root = root;
    this.structs = structs;
  }

  /** Messages decoded with struct {@code root}; {@code structs} resolves element struct names. */
  public static Schema of(StructLayout root, Function<String, Optional<StructLayout>> structs) {
    return new Schema(root, structs);
  }

  /** The layout messages are known to have, if any. */
  public Optional<StructLayout> layout() {
    return Optional.ofNullable(root);
  }

  Typed check(Path path, int column) {
    switch (path.root()) {
      case TYPE, SOURCE, CONNECTION:
        return new Typed(Kind.TEXT, path.toString());
      case HEADER:
        return new Typed(Kind.ANY, path.toString());
      default:
        if (root == null) return new Typed(Kind.ANY, path.toString());
    }
    StructLayout layout = root;
    String typeName = null;
    String where = "struct " + root.name();
    for (Path.Step step : path.steps()) {
      if (step instanceof Path.Name n) {
        if (layout == null)
          throw new ExpressionException(
              column,
              path + ": cannot read '" + n.name() + "' from " + typeName + " (not a struct)");
        StructLayout l = layout;
        StructLayout.Field f =
            l.field(n.name())
                .orElseThrow(
                    () ->
                        new ExpressionException(
                            column,
                            path
                                + ": struct "
                                + l.name()
                                + " has no field '"
                                + n.name()
                                + "' (fields: "
                                + l.fields().stream()
                                    .map(StructLayout.Field::name)
                                    .filter(x -> !x.isEmpty())
                                    .toList()
                                + ")"));
        where = "struct " + l.name();
        typeName = f.typeName();
        layout = f.nested().orElse(null);
      } else {
        int index = ((Path.Index) step).index();
        Matcher m = typeName == null ? null : ARRAY.matcher(typeName);
        if (m == null || !m.matches() || CHARS.matcher(typeName).matches())
          throw new ExpressionException(
              column, path + ": cannot index " + (typeName == null ? "a struct" : typeName));
        int count = Integer.parseInt(m.group(2));
        if (index >= count)
          throw new ExpressionException(
              column,
              path + ": index " + index + " is out of range (" + typeName + " has " + count + ")");
        typeName = BYTES.matcher(typeName).matches() ? "uint8" : m.group(1);
        layout = structs.apply(typeName).orElse(null);
      }
    }
    return new Typed(kindOf(typeName, layout), typeName + " in " + where);
  }

  private static Kind kindOf(String typeName, StructLayout layout) {
    if (layout != null) return Kind.STRUCT;
    if (CHARS.matcher(typeName).matches()) return Kind.TEXT;
    if (BYTES.matcher(typeName).matches()) return Kind.BYTES;
    if (ARRAY.matcher(typeName).matches()) return Kind.ARRAY;
    if (typeName.equals("bool")) return Kind.BOOL;
    return Kind.NUMBER;
  }
}
