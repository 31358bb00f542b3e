package io.junction.ftp;

import io.junction.message.Envelope;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A remote file name built from a template such as {@code {endpoint}-{date}-{seq}.jsonl}.
 *
 * <p>Placeholders: {@code {endpoint}}, {@code {seq}} (6+ digits, never reused by this endpoint),
 * {@code {date}} ({@code yyyy-MM-dd}, UTC, of the first message), {@code {time}} ({@code
 * HHmmssSSS}, UTC, of the first message), {@code {id}} (first message's id), {@code {type}}, {@code
 * {field.X}} and {@code {header.X}}. Values that come from a message ({@code type}, fields,
 * headers) must each be one plain file-name segment; anything else (separators, {@code ..}, a
 * leading dot, control characters) is refused with {@link UnsafePathException}, so a peer cannot
 * steer a file outside the configured directory or over a temporary upload.
 *
 * <p>Messages whose message-level values ({@code type}, fields, headers, date) render equally share
 * a {@linkplain #key key}; a batch only ever holds messages of one key.
 */
public final class FileNameTemplate {
  private static final DateTimeFormatter DATE =
      DateTimeFormatter.ofPattern("yyyy-MM-dd").withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("HHmmssSSS").withZone(ZoneOffset.UTC);
  private static final int MAX_SEGMENT = 255;

  private sealed interface Part {}

  private record Literal(String text) implements Part {}

  private record Placeholder(String name) implements Part {}

  private final String text;
  private final List<Part> parts;

  private FileNameTemplate(String text, List<Part> parts) {
    this.text = text;
    this.parts = List.copyOf(parts);
  }

  /** Parses {@code template}; throws {@link IllegalArgumentException} naming what is wrong. */
  public static FileNameTemplate parse(String template) {
    List<Part> parts = new ArrayList<>();
    int i = 0;
    while (i < template.length()) {
      int open = template.indexOf('{', i);
      if (open < 0) {
        parts.add(new Literal(template.substring(i)));
        break;
      }
      if (open > i) parts.add(new Literal(template.substring(i, open)));
      int close = template.indexOf('}', open);
      if (close < 0) throw new IllegalArgumentException("unclosed '{' at index " + open);
      String name = template.substring(open + 1, close);
      if (!isKnown(name))
        throw new IllegalArgumentException(
            "unknown placeholder {"
                + name
                + "} (expected endpoint, seq, date, time, id, type, field.X, header.X)");
      parts.add(new Placeholder(name));
      i = close + 1;
    }
    FileNameTemplate t = new FileNameTemplate(template, parts);
    // The literal parts are trusted config, but must still make a relative, clean path.
    StringBuilder shape = new StringBuilder();
    for (Part p : parts) shape.append(p instanceof Literal l ? l.text() : "x");
    RemotePaths.requireRelative(shape.toString());
    if (shape.toString().endsWith("/")) throw new IllegalArgumentException("ends with '/'");
    return t;
  }

  private static boolean isKnown(String name) {
    return switch (name) {
      case "endpoint", "seq", "date", "time", "id", "type" -> true;
      default ->
          (name.startsWith("field.") && name.length() > 6)
              || (name.startsWith("header.") && name.length() > 7);
    };
  }

  /**
   * The message-level values of {@code message}, each checked; messages with equal keys may share a
   * file.
   *
   * @throws UnsafePathException when a value is missing or is not one plain segment
   */
  public List<String> key(Envelope message) {
    List<String> key = new ArrayList<>();
    for (Part p : parts) {
      if (p instanceof Placeholder ph && isMessageLevel(ph.name()))
        key.add(value(ph.name(), "", 0, message));
    }
    return List.copyOf(key);
  }

  private static boolean isMessageLevel(String name) {
    return name.equals("type")
        || name.equals("date")
        || name.startsWith("field.")
        || name.startsWith("header.");
  }

  /** The relative file name for a file whose first message is {@code first}. */
  public String render(String endpoint, long seq, Envelope first) {
    StringBuilder sb = new StringBuilder();
    for (Part p : parts) {
      if (p instanceof Literal l) sb.append(l.text());
      else if (p instanceof Placeholder ph) sb.append(value(ph.name(), endpoint, seq, first));
    }
    return RemotePaths.requireRelative(sb.toString());
  }

  private static String value(String name, String endpoint, long seq, Envelope m) {
    return switch (name) {
      case "endpoint" -> endpoint;
      case "seq" -> String.format("%06d", seq);
      case "date" -> DATE.format(Instant.ofEpochMilli(m.timestamp()));
      case "time" -> TIME.format(Instant.ofEpochMilli(m.timestamp()));
      case "id" -> segment("id", m.id());
      case "type" -> segment("type", m.type());
      default -> {
        if (name.startsWith("field.")) {
          Object v = m.fields().get(name.substring(6));
          yield segment(name, v == null ? null : Objects.toString(v));
        }
        yield segment(name, m.headers().get(name.substring(7)));
      }
    };
  }

  /** Returns {@code value} if it is a plain, visible file-name segment. */
  static String segment(String what, String value) {
    if (value == null || value.isEmpty())
      throw new UnsafePathException("{" + what + "} is missing or empty in the message");
    if (value.length() > MAX_SEGMENT)
      throw new UnsafePathException("{" + what + "} is longer than " + MAX_SEGMENT + " chars");
    for (int i = 0; i < value.length(); i++) {
      char ch = value.charAt(i);
      if (ch < 0x20 || ch == 0x7f || ch == '/' || ch == '\\' || ch == ':')
        throw new UnsafePathException(
            "{" + what + "} contains '" + visible(ch) + "', not allowed in a file name");
    }
    if (value.startsWith("."))
      throw new UnsafePathException("{" + what + "} starts with '.', not allowed in a file name");
    return value;
  }

  private static String visible(char ch) {
    return ch < 0x20 || ch == 0x7f ? String.format("\\x%02x", (int) ch) : String.valueOf(ch);
  }

  @Override
  public String toString() {
    return text;
  }
}
