package io.junction.codec;

import io.junction.codec.StructConfigParser.FieldDecl;
import io.junction.codec.StructConfigParser.StructDecl;
import io.junction.codec.StructConfigParser.TaggedDecl;
import io.junction.config.ConfigProblems;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Turns parsed declarations into layouts: resolves nested struct names in any declaration order,
 * detects cycles, and records every problem at the path of the field that causes it.
 */
final class StructResolver {

  private final String prefix;
  private final Map<String, StructDecl> structs;
  private final Map<String, TaggedDecl> tagged;
  private final ConfigProblems problems;
  private final Map<String, StructLayout> done = new HashMap<>();
  private final Set<String> failed = new HashSet<>();
  private final List<String> stack = new ArrayList<>();

  StructResolver(
      String prefix,
      Map<String, StructDecl> structs,
      Map<String, TaggedDecl> tagged,
      ConfigProblems problems) {
    this.prefix = prefix;
    this.structs = structs;
    this.tagged = tagged;
    this.problems = problems;
  }

  /** The layout of a declared struct, or empty when it (or a struct it nests) has problems. */
  Optional<StructLayout> resolve(String name) {
    if (done.containsKey(name)) return Optional.of(done.get(name));
    if (failed.contains(name)) return Optional.empty();
    StructDecl d = structs.get(name);
    stack.add(name);
    boolean ok = d.ok();
    List<LayoutBuilder.Member> members = new ArrayList<>();
    for (FieldDecl f : d.fields()) {
      Optional<FieldType> t = type(f);
      if (t.isEmpty()) {
        ok = false;
      } else {
        members.add(new LayoutBuilder.Member(f.name(), t.get(), f.bits()));
      }
    }
    stack.remove(stack.size() - 1);
    if (ok) {
      try {
        StructLayout l =
            LayoutBuilder.build(name, d.order(), d.orderDeclared(), d.packed(), members);
        done.put(name, l);
        return Optional.of(l);
      } catch (IllegalArgumentException e) {
        problems.add(d.path(), e.getMessage());
      }
    }
    failed.add(name);
    return Optional.empty();
  }

  private Optional<FieldType> type(FieldDecl f) {
    String base = f.base();
    String at = f.path() + ".type";
    if (base.equals("char")) {
      return f.count() < 0
          ? Optional.empty()
          : Optional.of(new FieldType.Chars(f.count(), f.encoding(), f.spaces()));
    }
    if (base.equals("byte")) {
      return f.count() < 0 ? Optional.empty() : Optional.of(new FieldType.Bytes(f.count()));
    }
    Optional<ScalarType> scalar = ScalarType.byConfigName(base);
    FieldType element;
    if (scalar.isPresent()) {
      element = new FieldType.Scalar(scalar.get());
    } else if (tagged.containsKey(base)) {
      problems.add(at, base + " is a tagged message; only plain structs can be nested");
      return Optional.empty();
    } else if (!structs.containsKey(base)) {
      problems.add(
          at,
          "unknown type '" + base + "' (neither a built-in type nor a struct in " + prefix + ")");
      return Optional.empty();
    } else if (stack.contains(base)) {
      List<String> cycle = new ArrayList<>(stack.subList(stack.indexOf(base), stack.size()));
      cycle.add(base);
      problems.add(at, "nesting cycle " + String.join(" -> ", cycle));
      return Optional.empty();
    } else {
      Optional<StructLayout> nested = resolve(base);
      if (nested.isEmpty()) return Optional.empty();
      element = new FieldType.Nested(nested.get());
    }
    return Optional.of(f.count() < 0 ? element : new FieldType.Array(element, f.count()));
  }

  /** The tagged layout, or empty when it has problems (all of them recorded). */
  Optional<TaggedLayout> resolveTagged(TaggedDecl d) {
    String tp = d.path() + ".tagged";
    int before = problems.all().size();
    Optional<StructLayout> header = struct(d.header(), tp + ".header");
    Optional<StructLayout.Field> tag =
        header.flatMap(h -> integerField(h, d.tagField(), tp + ".tag-field"));
    header.ifPresent(h -> d.lengthField().ifPresent(f -> integerField(h, f, tp + ".length-field")));
    if (d.lengthField().filter(f -> f.equals(d.tagField())).isPresent()) {
      problems.add(tp + ".length-field", "must differ from tag-field");
    }
    Map<Long, StructLayout> bodies = new LinkedHashMap<>();
    Map<String, Long> seen = new HashMap<>();
    for (Map.Entry<String, String> e : d.bodies().entrySet()) {
      String bp = ConfigProblems.join(tp + ".bodies", e.getKey());
      Optional<Long> value = tagValue(e.getKey(), tag, bp);
      Optional<StructLayout> body = struct(e.getValue(), bp);
      if (value.isEmpty() || body.isEmpty()) continue;
      Long other = seen.putIfAbsent(e.getValue(), value.get());
      if (other != null) {
        problems.add(bp, e.getValue() + " is already the body of tag " + other);
      } else if (bodies.putIfAbsent(value.get(), body.get()) != null) {
        problems.add(bp, "tag " + value.get() + " is mapped twice");
      }
    }
    if (!d.ok() || problems.all().size() != before || header.isEmpty()) return Optional.empty();
    return Optional.of(
        new TaggedLayout(
            d.name(),
            header.get(),
            d.tagField(),
            d.lengthField(),
            d.lengthIncludesHeader(),
            bodies));
  }

  private Optional<StructLayout> struct(String name, String path) {
    if (tagged.containsKey(name)) {
      problems.add(path, name + " is a tagged message; a plain struct is needed here");
      return Optional.empty();
    }
    if (!structs.containsKey(name)) {
      problems.add(path, "unknown struct '" + name + "'");
      return Optional.empty();
    }
    return resolve(name);
  }

  private Optional<StructLayout.Field> integerField(StructLayout h, String name, String path) {
    Optional<StructLayout.Field> f = h.field(name);
    if (f.isEmpty()) {
      problems.add(path, h.name() + " has no field '" + name + "'");
    } else if (!(f.get().type() instanceof FieldType.Scalar s) || !s.type().integer) {
      problems.add(path, h.name() + "." + name + " must be an integer, not " + f.get().typeName());
      return Optional.empty();
    }
    return f;
  }

  private Optional<Long> tagValue(String key, Optional<StructLayout.Field> tag, String path) {
    Long v = StructConfigParser.parseTag(key);
    if (v == null) {
      problems.add(path, "tag must be an integer (decimal or 0x hex), got '" + key + "'");
      return Optional.empty();
    }
    if (tag.isPresent()) {
      StructLayout.Field f = tag.get();
      ScalarType t = ((FieldType.Scalar) f.type()).type();
      BigInteger min =
          f.isBitField() && t.signed
              ? BigInteger.ONE.shiftLeft(f.bitWidth() - 1).negate()
              : t.min();
      BigInteger max =
          f.isBitField()
              ? BigInteger.ONE.shiftLeft(f.bitWidth() - (t.signed ? 1 : 0)).subtract(BigInteger.ONE)
              : t.max();
      BigInteger b = BigInteger.valueOf(v);
      if (b.compareTo(min) < 0 || b.compareTo(max) > 0) {
        problems.add(path, "tag " + v + " does not fit the tag field (" + min + ".." + max + ")");
        return Optional.empty();
      }
    }
    return Optional.of(v);
  }
}
