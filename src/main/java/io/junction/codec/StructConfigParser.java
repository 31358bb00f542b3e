package io.junction.codec;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import io.junction.config.ConfigProblems;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the declarations under {@code junction.structs} without resolving them: syntax and local
 * checks here, names, nesting and cycles in {@link StructResolver}.
 */
final class StructConfigParser {

  static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final Pattern TYPE =
      Pattern.compile("\\s*([A-Za-z_][A-Za-z0-9_]*)\\s*(?:\\[\\s*([0-9]+)\\s*\\])?\\s*");
  private static final int MAX_COUNT = 1 << 20;
  private static final Set<String> STRUCT_KEYS = Set.of("fields", "byte-order", "packed");
  private static final Set<String> FIELD_KEYS =
      Set.of("name", "type", "encoding", "padding", "bits");
  private static final Set<String> TAGGED_KEYS =
      Set.of("header", "tag-field", "length-field", "length-includes-header", "bodies");

  /** A field as written: {@code base} is a scalar, {@code char}, {@code byte} or a struct name. */
  record FieldDecl(
      String path,
      String name,
      String base,
      int count,
      TextEncoding encoding,
      boolean spaces,
      int bits) {}

  /** A struct as written; {@code ok} is false when a local problem was already recorded. */
  record StructDecl(
      String name,
      String path,
      ByteOrder order,
      boolean orderDeclared,
      boolean packed,
      List<FieldDecl> fields,
      boolean ok) {}

  /** A tagged message as written. */
  record TaggedDecl(
      String name,
      String path,
      String header,
      String tagField,
      Optional<String> lengthField,
      boolean lengthIncludesHeader,
      Map<String, String> bodies,
      boolean ok) {}

  private final ConfigProblems problems;
  private int before;

  StructConfigParser(ConfigProblems problems) {
    this.problems = problems;
  }

  /** Parses one entry; returns a {@link StructDecl} or {@link TaggedDecl}, or empty. */
  Optional<Object> parse(String name, String path, ConfigValue value) {
    before = problems.all().size();
    if (!IDENTIFIER.matcher(name).matches()) {
      problems.add(path, "struct name must be a C identifier");
      return Optional.empty();
    }
    if (ScalarType.byConfigName(name).isPresent() || name.equals("char") || name.equals("byte")) {
      problems.add(path, "struct name " + name + " is a built-in type name");
      return Optional.empty();
    }
    if (value.valueType() != ConfigValueType.OBJECT) {
      problems.add(path, "must be an object with fields = [...] or tagged { ... }");
      return Optional.empty();
    }
    Config c = ((ConfigObject) value).toConfig();
    if (c.hasPath("tagged")) {
      problems.rejectUnknownKeys(path, c, Set.of("tagged"));
      return tagged(name, path, c);
    }
    problems.rejectUnknownKeys(path, c, STRUCT_KEYS);
    ByteOrder order = ByteOrder.LITTLE_ENDIAN;
    boolean orderDeclared = c.hasPath("byte-order");
    if (orderDeclared) {
      String o = problems.read(path + ".byte-order", () -> c.getString("byte-order"), "");
      if (o.equals("big-endian")) {
        order = ByteOrder.BIG_ENDIAN;
      } else if (!o.equals("little-endian")) {
        problems.add(path + ".byte-order", "must be little-endian or big-endian");
      }
    }
    boolean packed =
        c.hasPath("packed") && problems.read(path + ".packed", () -> c.getBoolean("packed"), false);
    List<FieldDecl> fields = fields(path, c);
    boolean ok = problems.all().size() == before;
    return Optional.of(new StructDecl(name, path, order, orderDeclared, packed, fields, ok));
  }

  private List<FieldDecl> fields(String path, Config c) {
    List<FieldDecl> out = new ArrayList<>();
    String listPath = path + ".fields";
    if (!c.hasPath("fields")) {
      problems.add(listPath, "is required (a list of { name, type })");
      return out;
    }
    List<? extends ConfigValue> list =
        problems.read(listPath, () -> c.getList("fields"), List.of());
    if (list.isEmpty() && c.getValue("fields").valueType() == ConfigValueType.LIST) {
      problems.add(listPath, "must declare at least one field");
    }
    Set<String> names = new HashSet<>();
    for (int i = 0; i < list.size(); i++) {
      String fp = listPath + "[" + i + "]";
      ConfigValue v = list.get(i);
      if (v.valueType() != ConfigValueType.OBJECT) {
        problems.add(fp, "must be an object { name = ..., type = ... }");
        continue;
      }
      field(fp, ((ConfigObject) v).toConfig(), names).ifPresent(out::add);
    }
    return out;
  }

  private Optional<FieldDecl> field(String fp, Config f, Set<String> names) {
    problems.rejectUnknownKeys(fp, f, FIELD_KEYS);
    int bits = f.hasPath("bits") ? problems.read(fp + ".bits", () -> f.getInt("bits"), -1) : -1;
    String name =
        f.hasPath("name") ? problems.read(fp + ".name", () -> f.getString("name"), "") : "";
    if (name.isEmpty() && bits < 0) {
      problems.add(fp + ".name", "is required (only a bit-field may be unnamed)");
    } else if (!name.isEmpty() && !IDENTIFIER.matcher(name).matches()) {
      problems.add(fp + ".name", "must be a C identifier, got '" + name + "'");
    } else if (!name.isEmpty() && !names.add(name)) {
      problems.add(fp + ".name", "duplicate field name " + name);
    }
    String type = problems.read(fp + ".type", () -> f.getString("type"), "");
    if (type.isEmpty()) return Optional.empty();
    Matcher m = TYPE.matcher(type);
    if (!m.matches()) {
      problems.add(
          fp + ".type", "bad type '" + type + "' (expected NAME or NAME[N], e.g. int16[8])");
      return Optional.empty();
    }
    String base = m.group(1);
    int count = -1;
    if (m.group(2) != null) {
      long n = m.group(2).length() > 9 ? Long.MAX_VALUE : Long.parseLong(m.group(2));
      if (n < 1 || n > MAX_COUNT) {
        problems.add(fp + ".type", "array length must be 1.." + MAX_COUNT + ", got " + m.group(2));
        return Optional.empty();
      }
      count = (int) n;
    }
    boolean isChar = base.equals("char");
    if ((isChar || base.equals("byte")) && count < 0) {
      problems.add(fp + ".type", base + " needs a length, e.g. " + base + "[16]");
    }
    TextEncoding enc = TextEncoding.UTF_8;
    boolean spaces = false;
    if (f.hasPath("encoding") || f.hasPath("padding")) {
      if (!isChar) problems.add(fp, "encoding and padding apply only to char[N]");
      enc = encoding(fp, f);
      spaces = spacePadding(fp, f);
    }
    if (bits >= 0) checkBits(fp, name, base, count, bits);
    return Optional.of(new FieldDecl(fp, name, base, count, enc, spaces, bits));
  }

  private TextEncoding encoding(String fp, Config f) {
    if (!f.hasPath("encoding")) return TextEncoding.UTF_8;
    String e = problems.read(fp + ".encoding", () -> f.getString("encoding"), "utf-8");
    Optional<TextEncoding> enc = TextEncoding.byConfigName(e);
    if (enc.isEmpty())
      problems.add(fp + ".encoding", "unknown encoding '" + e + "' (ascii, latin1, utf-8)");
    return enc.orElse(TextEncoding.UTF_8);
  }

  private boolean spacePadding(String fp, Config f) {
    if (!f.hasPath("padding")) return false;
    String p = problems.read(fp + ".padding", () -> f.getString("padding"), "nul");
    if (!p.equals("nul") && !p.equals("space"))
      problems.add(fp + ".padding", "must be nul or space");
    return p.equals("space");
  }

  private void checkBits(String fp, String name, String base, int count, int bits) {
    Optional<ScalarType> t = ScalarType.byConfigName(base);
    if (t.isEmpty() || !t.get().bitFieldCapable() || count >= 0) {
      problems.add(fp + ".bits", "bit-fields need an integer or bool type, not " + base);
    } else if (bits > t.get().maxBits()) {
      problems.add(
          fp + ".bits",
          "width " + bits + " exceeds its type " + base + " (" + t.get().maxBits() + " bits)");
    } else if (bits == 0 && !name.isEmpty()) {
      problems.add(fp + ".bits", "a zero-width bit-field must be unnamed");
    }
  }

  private Optional<Object> tagged(String name, String path, Config c) {
    String tp = path + ".tagged";
    Config t = problems.read(tp, () -> c.getConfig("tagged"), null);
    if (t == null) return Optional.empty();
    problems.rejectUnknownKeys(tp, t, TAGGED_KEYS);
    String header = problems.read(tp + ".header", () -> t.getString("header"), "");
    String tag = problems.read(tp + ".tag-field", () -> t.getString("tag-field"), "");
    Optional<String> length =
        t.hasPath("length-field")
            ? Optional.of(
                problems.read(tp + ".length-field", () -> t.getString("length-field"), ""))
            : Optional.empty();
    boolean includes =
        t.hasPath("length-includes-header")
            && problems.read(
                tp + ".length-includes-header",
                () -> t.getBoolean("length-includes-header"),
                false);
    // Sorted by tag value so that "already the body of tag N" names the smaller tag.
    Map<String, String> bodies = new TreeMap<>(StructConfigParser::byTag);
    ConfigObject b = problems.read(tp + ".bodies", () -> t.getObject("bodies"), null);
    if (b != null) {
      if (b.isEmpty()) problems.add(tp + ".bodies", "must map at least one tag to a struct");
      for (Map.Entry<String, ConfigValue> e : b.entrySet()) {
        String bp = ConfigProblems.join(tp + ".bodies", e.getKey());
        if (e.getValue().valueType() != ConfigValueType.STRING) {
          problems.add(bp, "must name a struct");
        } else {
          bodies.put(e.getKey(), (String) e.getValue().unwrapped());
        }
      }
    }
    boolean ok = problems.all().size() == before;
    return Optional.of(new TaggedDecl(name, path, header, tag, length, includes, bodies, ok));
  }

  /** Orders tag keys numerically, keys that are not numbers after them; never equal if distinct. */
  private static int byTag(String a, String b) {
    Long x = parseTag(a);
    Long y = parseTag(b);
    if (x != null && y != null && !x.equals(y)) return Long.compare(x, y);
    if (x != null && y == null) return -1;
    if (x == null && y != null) return 1;
    return a.compareTo(b);
  }

  /** A tag key as a number (decimal or 0x hex), or null when it is not one. */
  static Long parseTag(String key) {
    try {
      return key.startsWith("0x") || key.startsWith("0X")
          ? Long.parseLong(key.substring(2), 16)
          : Long.parseLong(key);
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
