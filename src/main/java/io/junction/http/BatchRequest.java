package io.junction.http;

import com.fasterxml.jackson.databind.JsonNode;
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
    List<JsonNode> items = mediaType.equals(NDJSON) ? lines(body) : array(body);
    if (items.isEmpty()) throw new IllegalArgumentException("the batch has no message");
    if (items.size() > max)
      throw new IllegalArgumentException(
          "the batch has " + items.size() + " messages, at most " + max + " are allowed");
    List<Envelope> out = new ArrayList<>(items.size());
    long now = System.currentTimeMillis();
    for (int i = 0; i < items.size(); i++) out.add(envelope(items.get(i), i, now));
    return out;
  }

  private static List<JsonNode> array(ByteString body) {
    JsonNode n = read(body.toArray(), "body");
    if (!n.isArray())
      throw new IllegalArgumentException(
          "expected a JSON array of messages (or Content-Type: " + NDJSON + ")");
    List<JsonNode> out = new ArrayList<>(n.size());
    n.forEach(out::add);
    return out;
  }

  private static List<JsonNode> lines(ByteString body) {
    List<JsonNode> out = new ArrayList<>();
    String text = body.decodeString(StandardCharsets.UTF_8);
    int line = 0;
    for (String l : text.split("\n", -1)) {
      line++;
      if (!l.isBlank()) out.add(read(l.getBytes(StandardCharsets.UTF_8), "line " + line));
    }
    return out;
  }

  private static JsonNode read(byte[] json, String where) {
    try {
      return Json.MAPPER.readTree(json);
    } catch (IOException e) {
      throw new IllegalArgumentException(where + " is not JSON: " + e.getMessage());
    }
  }

  private static Envelope envelope(JsonNode n, int index, long now) {
    String where = "message " + index;
    if (!n.isObject()) throw new IllegalArgumentException(where + " is not a JSON object");
    JsonNode text = n.get("payload");
    JsonNode b64 = n.get("payload_base64");
    if ((text == null) == (b64 == null))
      throw new IllegalArgumentException(where + " needs exactly one of payload, payload_base64");
    ByteString payload;
    String type;
    if (text != null) {
      if (!text.isTextual()) throw new IllegalArgumentException(where + ": payload is not text");
      payload = ByteString.fromString(text.asText(), StandardCharsets.UTF_8);
      type = "text/plain";
    } else {
      try {
        payload = ByteString.fromArrayUnsafe(Base64.getDecoder().decode(b64.asText()));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(where + ": payload_base64 is not base64");
      }
      type = "application/octet-stream";
    }
    if (n.hasNonNull("type")) type = n.get("type").asText();
    Map<String, String> headers = new LinkedHashMap<>();
    JsonNode h = n.get("headers");
    if (h != null && !h.isObject())
      throw new IllegalArgumentException(where + ": headers is not an object");
    if (h != null) h.properties().forEach(e -> headers.put(e.getKey(), e.getValue().asText()));
    return new Envelope(
        Envelope.newId(), PublishRequest.SOURCE, "", type, headers, payload, Map.of(), now);
  }
}
