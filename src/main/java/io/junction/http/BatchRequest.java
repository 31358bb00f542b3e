package io.junction.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.junction.message.Envelope;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.util.ByteString;

/**
 * The body of a batch publish ({@code POST /v1/queues/{q}/messages:batch}) as envelopes: a JSON
 * array of message objects, or the same objects one per line ({@code application/x-ndjson}).
 *
 * <p>A message object is {@code {"payload": "text"}} (UTF-8 bytes, type {@code text/plain}) or
 * {@code {"payload_base64": "..."}} (type {@code application/octet-stream}), with optional {@code
 * "type"} and {@code "headers": {"k": "v"}}. Example NDJSON body of two messages:
 *
 * <pre>
 * {"payload":"first"}
 * {"payload_base64":"AAEC","type":"application/x-raw","headers":{"k":"v"}}
 * </pre>
 */
final class BatchRequest {
  static final String NDJSON = "application/x-ndjson";

  private BatchRequest() {}

  /** Envelopes, in body order; throws {@link IllegalArgumentException} saying what is wrong. */
  static List<Envelope> parse(String mediaType, ByteString body, int max) {
    long now = System.currentTimeMillis();
    List<Envelope> out = new ArrayList<>();
    int total = mediaType.equals(NDJSON) ? lines(body, out, max, now) : array(body, out, max, now);
    checkCount(total, max);
    return out;
  }

  /**
   * The messages of the JSON array {@code p} is at (its start), read up to and including its end;
   * also a {@link QueueSocket} publish frame's. Throws {@link IllegalArgumentException} saying what
   * is wrong, as {@link #parse} does.
   */
  static List<Envelope> messages(JsonParser p, int max) throws IOException {
    if (p.currentToken() != JsonToken.START_ARRAY) {
      p.skipChildren();
      throw new IllegalArgumentException("expected a JSON array of messages");
    }
    List<Envelope> out = new ArrayList<>();
    checkCount(elements(p, out, max, System.currentTimeMillis()), max);
    return out;
  }

  private static void checkCount(int total, int max) {
    if (total == 0) throw new IllegalArgumentException("the batch has no message");
    if (total > max)
      throw new IllegalArgumentException(
          "the batch has " + total + " messages, at most " + max + " are allowed");
  }

  // Read with Jackson's streaming parser, not as a tree: a tree holds every payload as a String,
  // which then has to be encoded again; this is on the path of every published message.
  private static int array(ByteString body, List<Envelope> out, int max, long now) {
    // read through a stream: the body is usually a slice of a network buffer, which an array
    // would copy
    try (JsonParser p = Json.MAPPER.getFactory().createParser(body.asInputStream())) {
      if (p.nextToken() != JsonToken.START_ARRAY) {
        if (p.currentToken() != null) p.skipChildren(); // a complete value, or not JSON at all
        throw new IllegalArgumentException(
            "expected a JSON array of messages (or Content-Type: " + NDJSON + ")");
      }
      return elements(p, out, max, now);
    } catch (IOException e) {
      throw new IllegalArgumentException("body is not JSON: " + e.getMessage());
    }
  }

  // From the array's start to its end; returns how many messages it has, keeps at most max.
  private static int elements(JsonParser p, List<Envelope> out, int max, long now)
      throws IOException {
    int index = 0;
    while (p.nextToken() != JsonToken.END_ARRAY) {
      if (index < max) out.add(message(p, index, now));
      else p.skipChildren(); // counted, so the error can say how many there were
      index++;
    }
    return index;
  }

  private static int lines(ByteString body, List<Envelope> out, int max, long now) {
    byte[] text = body.toArrayUnsafe();
    int index = 0;
    int line = 0;
    for (int start = 0; start <= text.length; ) {
      int end = start;
      while (end < text.length && text[end] != '\n') end++;
      line++;
      if (!blank(text, start, end)) {
        if (index < max) out.add(line(text, start, end, line, index, now));
        index++;
      }
      start = end + 1;
    }
    return index;
  }

  private static Envelope line(byte[] text, int start, int end, int line, int index, long now) {
    try (JsonParser p = Json.MAPPER.getFactory().createParser(text, start, end - start)) {
      p.nextToken();
      return message(p, index, now);
    } catch (IOException e) {
      throw new IllegalArgumentException("line " + line + " is not JSON: " + e.getMessage());
    }
  }

  private static boolean blank(byte[] b, int from, int to) {
    for (int i = from; i < to; i++) if (!Character.isWhitespace(b[i])) return false;
    return true;
  }

  /** The message object the parser is at, up to and including its end. */
  private static Envelope message(JsonParser p, int index, long now) throws IOException {
    String where = "message " + index;
    if (p.currentToken() != JsonToken.START_OBJECT)
      throw new IllegalArgumentException(where + " is not a JSON object");
    ByteString text = null;
    ByteString binary = null;
    boolean textSeen = false;
    boolean binarySeen = false;
    String type = null;
    Map<String, String> headers = new LinkedHashMap<>();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken value = p.nextToken();
      switch (field) {
        case "payload" -> {
          textSeen = true;
          text = value == JsonToken.VALUE_STRING ? utf8(p) : null;
        }
        case "payload_base64" -> {
          binarySeen = true;
          binary = value.isScalarValue() ? base64(p.getText()) : null;
          if (!value.isScalarValue()) p.skipChildren();
        }
        case "type" -> type = value == JsonToken.VALUE_NULL ? null : scalarText(p);
        case "headers" -> {
          if (value != JsonToken.START_OBJECT)
            throw new IllegalArgumentException(where + ": headers is not an object");
          headers.clear();
          while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            p.nextToken();
            headers.put(name, scalarText(p));
          }
        }
        default -> p.skipChildren();
      }
    }
    if (textSeen == binarySeen)
      throw new IllegalArgumentException(where + " needs exactly one of payload, payload_base64");
    if (textSeen && text == null)
      throw new IllegalArgumentException(where + ": payload is not text");
    if (binarySeen && binary == null)
      throw new IllegalArgumentException(where + ": payload_base64 is not base64");
    if (type == null) type = textSeen ? "text/plain" : "application/octet-stream";
    return new Envelope(
        Envelope.newId(),
        PublishRequest.SOURCE,
        "",
        type,
        headers,
        textSeen ? text : binary,
        Map.of(),
        now);
  }

  // The string value's UTF-8 bytes, straight from the parser's characters (no String between).
  private static ByteString utf8(JsonParser p) throws IOException {
    char[] chars = p.getTextCharacters();
    int offset = p.getTextOffset();
    int length = p.getTextLength();
    for (int i = 0; i < length; i++)
      if (chars[offset + i] >= 0x80)
        return ByteString.fromArrayUnsafe(
            new String(chars, offset, length).getBytes(StandardCharsets.UTF_8));
    byte[] ascii = new byte[length];
    for (int i = 0; i < length; i++) ascii[i] = (byte) chars[offset + i];
    return ByteString.fromArrayUnsafe(ascii);
  }

  private static ByteString base64(String encoded) {
    try {
      return ByteString.fromArrayUnsafe(Base64.getDecoder().decode(encoded));
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  // As a JSON tree's asText(): scalars as their text (null as "null"), objects and arrays as "".
  private static String scalarText(JsonParser p) throws IOException {
    if (p.currentToken().isScalarValue()) return p.getText();
    p.skipChildren();
    return "";
  }
}
