package io.junction.message;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Normalizes {@link Envelope#fields()} to the documented value types: integral numbers as {@link
 * Long}, other numbers as {@link Double}, lists as {@code List<Object>}, maps as {@code
 * Map<String,Object>} (Java collections, order kept). Jackson (CBOR) reads small integers back as
 * {@code Integer} and, with Pekko's Scala module, untyped nested values as Scala collections.
 */
final class Fields {
  private Fields() {}

  /** {@code fields} itself when already normal (the common case: no copy), else a normal copy. */
  static Map<String, Object> normalize(Map<String, Object> fields) {
    if (fields == null || fields.isEmpty()) return Map.of();
    for (Object v : fields.values()) if (!isNormal(v)) return normalizeMap(fields);
    return fields;
  }

  private static boolean isNormal(Object v) {
    return v instanceof Long
        || v instanceof Double
        || v instanceof String
        || v instanceof Boolean
        || v instanceof byte[];
  }

  private static Map<String, Object> normalizeMap(Map<?, ?> m) {
    Map<String, Object> out = new LinkedHashMap<>();
    m.forEach((k, v) -> out.put(String.valueOf(k), value(v)));
    return Collections.unmodifiableMap(out);
  }

  private static Object value(Object v) {
    if (v instanceof scala.collection.Map<?, ?> sm)
      return normalizeMap(CollectionConverters.asJava(sm));
    if (v instanceof scala.collection.Iterable<?> si)
      return normalizeList(CollectionConverters.asJava(si));
    if (v instanceof Map<?, ?> m) return normalizeMap(m);
    if (v instanceof Iterable<?> l) return normalizeList(l);
    if (v instanceof BigDecimal d) return d.doubleValue();
    if (v instanceof Float f) return f.doubleValue();
    if (v instanceof BigInteger b)
      return b.bitLength() < 64 ? (Object) b.longValue() : b.doubleValue();
    if (v instanceof Number n && !(v instanceof Double)) return n.longValue();
    return v;
  }

  private static List<Object> normalizeList(Iterable<?> l) {
    List<Object> out = new ArrayList<>();
    for (Object o : l) out.add(value(o));
    return Collections.unmodifiableList(out);
  }
}
