package io.junction.codec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON for decoded struct values and back: integers as JSON integers, floats as numbers (NaN and
 * infinities as the strings {@code "NaN"}, {@code "Infinity"}, {@code "-Infinity"}), {@code
 * byte[N]} as base64 text, arrays as JSON arrays and nested structs as objects.
 */
public final class StructJson {

  // Thread-safe once configured; only used for plain tree reads and writes.
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private StructJson() {}

  /** The JSON object of decoded field values, in declaration order. */
  public static ObjectNode toJson(Map<String, ?> fields) {
    ObjectNode out = NODES.objectNode();
    fields.forEach((k, v) -> out.set(k, node(v)));
    return out;
  }

  /** The JSON text (UTF-8) of decoded field values. */
  public static byte[] toJsonBytes(Map<String, ?> fields) {
    try {
      return MAPPER.writeValueAsBytes(toJson(fields));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot render a JSON tree", e);
    }
  }

  /**
   * Parses a JSON object into the map an encoder takes.
   *
   * @throws StructCodecException (struct name {@code json}) when the text is not a JSON object
   */
  public static Map<String, Object> parse(byte[] json) {
    JsonNode node;
    try {
      node = MAPPER.readTree(json);
    } catch (IOException e) {
      throw new StructCodecException(
          "json",
          "",
          0,
          "not valid JSON: "
              + (e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()));
    }
    if (node == null || !node.isObject()) {
      throw new StructCodecException("json", "", 0, "expected a JSON object");
    }
    return fromJson((ObjectNode) node);
  }

  /** A JSON object as the map an encoder takes: Long/BigInteger, Double, String, List, Map. */
  public static Map<String, Object> fromJson(ObjectNode object) {
    Map<String, Object> out = new LinkedHashMap<>();
    object.properties().forEach(e -> out.put(e.getKey(), value(e.getValue())));
    return Collections.unmodifiableMap(out);
  }

  private static Object value(JsonNode n) {
    if (n.isNull() || n.isMissingNode()) return null;
    if (n.isIntegralNumber())
      return n.canConvertToLong() ? (Object) n.longValue() : n.bigIntegerValue();
    if (n.isNumber()) return n.doubleValue();
    if (n.isBoolean()) return n.booleanValue();
    if (n.isTextual()) return n.textValue();
    if (n.isArray()) {
      List<Object> list = new ArrayList<>(n.size());
      n.forEach(e -> list.add(value(e)));
      return Collections.unmodifiableList(list);
    }
    if (n.isObject()) return fromJson((ObjectNode) n);
    if (n.isBinary()) return Base64.getEncoder().encodeToString(binary(n));
    return n.asText();
  }

  private static byte[] binary(JsonNode n) {
    try {
      return n.binaryValue();
    } catch (IOException e) {
      throw new IllegalStateException("binary node without bytes", e);
    }
  }

  private static JsonNode node(Object v) {
    if (v == null) return NODES.nullNode();
    if (v instanceof Long l) return NODES.numberNode(l);
    if (v instanceof Integer i) return NODES.numberNode(i);
    if (v instanceof BigInteger b) return NODES.numberNode(b);
    if (v instanceof BigDecimal d) return NODES.numberNode(d);
    if (v instanceof Double d)
      return Double.isFinite(d) ? NODES.numberNode(d) : NODES.textNode(d.toString());
    if (v instanceof Float f) return node(f.doubleValue());
    if (v instanceof Number n) return NODES.numberNode(n.longValue());
    if (v instanceof Boolean b) return NODES.booleanNode(b);
    if (v instanceof String s) return NODES.textNode(s);
    if (v instanceof byte[] bytes) return NODES.textNode(Base64.getEncoder().encodeToString(bytes));
    if (v instanceof List<?> list) {
      ArrayNode a = NODES.arrayNode(list.size());
      list.forEach(e -> a.add(node(e)));
      return a;
    }
    if (v instanceof Map<?, ?> m) {
      ObjectNode o = NODES.objectNode();
      m.forEach((k, e) -> o.set(String.valueOf(k), node(e)));
      return o;
    }
    return NODES.textNode(v.toString());
  }
}
