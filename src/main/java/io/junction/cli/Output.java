package io.junction.cli;

import com.fasterxml.jackson.core.JsonProcessingException;

/** {@code --output text|json}: text for people, JSON (pretty, one document) for scripts. */
final class Output {
  /** The formats; picocli matches them case-insensitively (see {@code Main.commandLine}). */
  enum Format {
    TEXT,
    JSON
  }

  private Output() {}

  /** {@code value} (maps, lists, records, JsonNode) as one pretty JSON document. */
  static String json(Object value) {
    try {
      return ApiClient.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot render as JSON: " + e.getMessage(), e);
    }
  }
}
