package io.junction.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import io.junction.codec.StructJson;
import io.junction.codec.StructLayout;
import io.junction.codec.StructRegistry;
import io.junction.config.ConfigProblems;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.util.ByteString;

/** Struct encoding for {@code junction send}, from the layouts in a configuration file. */
final class StructSupport {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final StructLayout layout;

  private StructSupport(StructLayout layout) {
    this.layout = layout;
  }

  static StructSupport load(Path configFile, String name) {
    Config config = ConfigLoader.load(configFile);
    ConfigProblems problems = new ConfigProblems();
    StructRegistry registry =
        StructRegistry.fromConfig(
            config.getConfig("junction.structs"), "junction.structs", problems);
    problems.throwIfAny();
    return new StructSupport(
        registry
            .layout(name)
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "no struct '"
                            + name
                            + "' in "
                            + configFile
                            + " (known: "
                            + registry.names()
                            + ")")));
  }

  int size() {
    return layout.size();
  }

  /** Encodes {@code name=value} pairs, or a JSON object, into the struct's bytes. */
  ByteString encode(List<String> pairs, String json) {
    Map<String, Object> fields = new LinkedHashMap<>();
    if (json != null) fields.putAll(StructJson.parse(json.getBytes(StandardCharsets.UTF_8)));
    for (String pair : pairs) {
      int eq = pair.indexOf('=');
      if (eq <= 0) throw new IllegalArgumentException("expected field=value, got '" + pair + "'");
      String field = pair.substring(0, eq);
      String value = pair.substring(eq + 1);
      fields.put(field, isText(field) ? value : literal(value));
    }
    return layout.encode(fields);
  }

  private boolean isText(String field) {
    return layout.field(field).map(f -> f.typeName().startsWith("char[")).orElse(false);
  }

  private static Object literal(String value) {
    try {
      JsonNode n = JSON.readTree(value);
      if (n.isNumber()) return n.numberValue();
      if (n.isBoolean()) return n.booleanValue();
      if (n.isArray()) return JSON.convertValue(n, List.class);
    } catch (java.io.IOException e) {
      // not a JSON literal: take it as text
    }
    return value;
  }

  /** {@code name=value} pairs (over an optional JSON object) as one JSON object, for the API. */
  static String fieldsAsJson(List<String> pairs, String json) {
    Map<String, Object> fields = new LinkedHashMap<>();
    if (json != null) fields.putAll(StructJson.parse(json.getBytes(StandardCharsets.UTF_8)));
    for (String pair : pairs) {
      int eq = pair.indexOf('=');
      if (eq <= 0) throw new IllegalArgumentException("expected field=value, got '" + pair + "'");
      String v = pair.substring(eq + 1);
      Object lit = literal(v);
      fields.put(pair.substring(0, eq), lit);
    }
    return new String(StructJson.toJsonBytes(fields), StandardCharsets.UTF_8);
  }

  /** The decoded reply as JSON. */
  String render(ByteString bytes) {
    return new String(StructJson.toJsonBytes(layout.decode(bytes)), StandardCharsets.UTF_8);
  }
}
