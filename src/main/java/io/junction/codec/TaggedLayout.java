package io.junction.codec;

import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.apache.pekko.util.ByteString;

/**
 * A tagged message: a header struct whose tag field selects the body struct that follows it, and
 * optionally a length field that frames it.
 *
 * <p>With {@code Header { type: uint16, length: uint16 }}, bodies {@code 1 = Ping, 2 = Reading} and
 * {@code length-includes-header = false}, a Ping (say 4 bytes, {@code seq = 7}) is framed as
 *
 * <pre>
 * 01 00  04 00  07 00 00 00
 * type=1 len=4  Ping.seq=7
 * </pre>
 *
 * Without a length field the frame length is the header size plus the size of the body the tag
 * names, so an unknown tag cannot be framed and is an error; with one, the frame length comes from
 * the header and a frame whose length does not match its body fails to decode on its own.
 */
public final class TaggedLayout implements MessageLayout {

  private final String name;
  private final StructLayout header;
  private final String tagField;
  private final Optional<String> lengthField;
  private final boolean lengthIncludesHeader;
  private final Map<Long, StructLayout> bodies;
  private final Map<String, Long> tagsByBody;

  TaggedLayout(
      String name,
      StructLayout header,
      String tagField,
      Optional<String> lengthField,
      boolean lengthIncludesHeader,
      Map<Long, StructLayout> bodies) {
    this.name = name;
    this.header = header;
    this.tagField = tagField;
    this.lengthField = lengthField;
    this.lengthIncludesHeader = lengthIncludesHeader;
    this.bodies = Collections.unmodifiableMap(new TreeMap<>(bodies));
    Map<String, Long> tags = new HashMap<>();
    this.bodies.forEach((tag, body) -> tags.putIfAbsent(body.name(), tag));
    this.tagsByBody = Collections.unmodifiableMap(tags);
  }

  @Override
  public String name() {
    return name;
  }

  public StructLayout header() {
    return header;
  }

  public String tagField() {
    return tagField;
  }

  public Optional<String> lengthField() {
    return lengthField;
  }

  public boolean lengthIncludesHeader() {
    return lengthIncludesHeader;
  }

  /** Body layouts by tag value, in tag order. */
  public Map<Long, StructLayout> bodies() {
    return bodies;
  }

  @Override
  public Set<String> messageTypes() {
    Set<String> names = new LinkedHashSet<>();
    bodies.values().forEach(b -> names.add(b.name()));
    return Collections.unmodifiableSet(names);
  }

  @Override
  public int headerSize() {
    return header.size();
  }

  @Override
  public int maxFrameLength() {
    return header.size() + bodies.values().stream().mapToInt(StructLayout::size).max().orElse(0);
  }

  @Override
  public int frameLength(ByteString headerBytes) {
    if (headerBytes.length() < header.size()) {
      throw new StructCodecException(
          name,
          "",
          headerBytes.length(),
          "need " + header.size() + " header bytes, got " + headerBytes.length());
    }
    Map<String, Object> h = header.decode(headerBytes.take(header.size()));
    if (lengthField.isPresent()) return declaredLength(h);
    return header.size() + body(h).size();
  }

  @Override
  public Decoded decodeMessage(ByteString frame) {
    int frameLen = frameLength(frame);
    if (frameLen != frame.length()) {
      throw new StructCodecException(
          name, "", 0, "frame is " + frame.length() + " bytes but its header says " + frameLen);
    }
    Map<String, Object> h = header.decode(frame.take(header.size()));
    StructLayout body = body(h);
    if (frame.length() != header.size() + body.size()) {
      throw new StructCodecException(
          name,
          body.name(),
          header.size(),
          "body is "
              + (frame.length() - header.size())
              + " bytes, "
              + body.name()
              + " is "
              + body.size());
    }
    try {
      return new Decoded(body.name(), h, body.decode(frame.drop(header.size())));
    } catch (StructCodecException e) {
      throw new StructCodecException(
          name, join(body.name(), e.fieldPath()), header.size() + e.offset(), e.reason());
    }
  }

  @Override
  public ByteString encodeMessage(String type, Map<String, ?> fields) {
    return encode(type, Map.of(), fields);
  }

  /**
   * Encodes a body of struct {@code type} behind a header whose tag (and length) are filled in;
   * other header fields come from {@code headerFields} (missing ones are zero).
   *
   * @throws StructCodecException for an unknown body type, a header value contradicting the tag or
   *     length, or a value that does not fit
   */
  public ByteString encode(String type, Map<String, ?> headerFields, Map<String, ?> fields) {
    Long tag = tagsByBody.get(type);
    if (tag == null) {
      throw new StructCodecException(
          name, "", 0, type + " is not one of its bodies " + messageTypes());
    }
    StructLayout body = bodies.get(tag);
    long length = lengthIncludesHeader ? header.size() + body.size() : body.size();
    Map<String, Object> h = new LinkedHashMap<>(headerFields);
    put(h, tagField, tag);
    lengthField.ifPresent(f -> put(h, f, length));
    ByteString encodedBody;
    try {
      encodedBody = body.encode(fields);
    } catch (StructCodecException e) {
      throw new StructCodecException(
          name, join(body.name(), e.fieldPath()), header.size() + e.offset(), e.reason());
    }
    return header.encode(h).concat(encodedBody);
  }

  private void put(Map<String, Object> h, String field, long value) {
    Object given = h.get(field);
    if (given instanceof Number n && n.longValue() != value) {
      throw new StructCodecException(
          name, field, 0, "header says " + given + " but the message needs " + value);
    }
    h.put(field, value);
  }

  private StructLayout body(Map<String, Object> h) {
    long tag = ((Number) h.get(tagField)).longValue();
    StructLayout body = bodies.get(tag);
    if (body == null) {
      int at = header.field(tagField).map(StructLayout.Field::offset).orElse(0);
      throw new StructCodecException(
          name, tagField, at, "unknown tag " + tag + " (known: " + bodies.keySet() + ")");
    }
    return body;
  }

  private int declaredLength(Map<String, Object> h) {
    String f = lengthField.orElseThrow();
    long declared = ((Number) h.get(f)).longValue();
    long total = lengthIncludesHeader ? declared : header.size() + declared;
    if (declared < 0 || total < header.size() || total > Integer.MAX_VALUE) {
      int at = header.field(f).map(StructLayout.Field::offset).orElse(0);
      throw new StructCodecException(name, f, at, "bad length " + declared);
    }
    return (int) total;
  }

  private static String join(String a, String b) {
    return b.isEmpty() ? a : a + "." + b;
  }

  @Override
  public String describe() {
    StringBuilder sb = new StringBuilder();
    sb.append("tagged message ").append(name).append(": header ").append(header.name());
    sb.append(", tag field ").append(tagField);
    lengthField.ifPresent(
        f ->
            sb.append(", length field ")
                .append(f)
                .append(lengthIncludesHeader ? " (includes header)" : " (body only)"));
    sb.append(System.lineSeparator());
    bodies.forEach(
        (tag, body) ->
            sb.append("  tag ")
                .append(tag)
                .append(" -> ")
                .append(body.name())
                .append(" (")
                .append(body.size())
                .append(" bytes)")
                .append(System.lineSeparator()));
    sb.append(header.describe());
    return sb.toString();
  }

  @Override
  public String toString() {
    return "TaggedLayout(" + name + ", bodies " + bodies.keySet() + ")";
  }
}
