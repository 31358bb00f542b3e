package io.junction.http;

import com.fasterxml.jackson.core.Base64Variants;
import com.fasterxml.jackson.core.JsonGenerator;
import io.junction.codec.StructJson;
import io.junction.message.Envelope;
import io.junction.queue.DeadLetter;
import io.junction.queue.QueueEntity;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/** How the API shows a message: its envelope, decoded fields as JSON, payload as text or base64. */
final class MessageView {
  private MessageView() {}

  static Map<String, Object> of(Envelope e) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", e.id());
    m.put("type", e.type());
    m.put("source", e.source());
    if (!e.connection().isEmpty()) m.put("connection", e.connection());
    m.put("timestamp", e.timestamp());
    if (!e.headers().isEmpty()) m.put("headers", e.headers());
    if (!e.fields().isEmpty()) m.put("fields", StructJson.toJson(e.fields()));
    String text = utf8(e.payload().toArray());
    if (text != null) m.put("payload", text);
    else m.put("payload_base64", Base64.getEncoder().encodeToString(e.payload().toArray()));
    return m;
  }

  static Map<String, Object> of(QueueEntity.Delivery d) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("receipt", d.receiptId());
    m.put("seq", d.seq());
    m.put("delivery_count", d.deliveryCount());
    m.put("redelivered", d.redelivered());
    m.put("message", of(d.envelope()));
    return m;
  }

  /**
   * {@link #of(QueueEntity.Delivery)} written straight to {@code out} as UTF-8 JSON, without the
   * intermediate maps, strings or payload copies: one per pushed delivery on a stream, so its
   * garbage matters.
   */
  static void writeJson(QueueEntity.Delivery d, OutputStream out) {
    try (JsonGenerator g = Json.MAPPER.getFactory().createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("receipt", d.receiptId());
      g.writeNumberField("seq", d.seq());
      g.writeNumberField("delivery_count", d.deliveryCount());
      g.writeBooleanField("redelivered", d.redelivered());
      g.writeFieldName("message");
      Envelope e = d.envelope();
      g.writeStartObject();
      g.writeStringField("id", e.id());
      g.writeStringField("type", e.type());
      g.writeStringField("source", e.source());
      if (!e.connection().isEmpty()) g.writeStringField("connection", e.connection());
      g.writeNumberField("timestamp", e.timestamp());
      if (!e.headers().isEmpty()) g.writeObjectField("headers", e.headers());
      if (!e.fields().isEmpty()) g.writeObjectField("fields", StructJson.toJson(e.fields()));
      byte[] payload = e.payload().toArrayUnsafe(); // read only; a queue's payloads are compact
      if (Utf8.isTextWithoutNul(payload)) {
        g.writeFieldName("payload");
        g.writeUTF8String(payload, 0, payload.length); // escaped as needed, never decoded
      } else {
        g.writeFieldName("payload_base64");
        g.writeBinary(Base64Variants.MIME_NO_LINEFEEDS, payload, 0, payload.length);
      }
      g.writeEndObject();
      g.writeEndObject();
    } catch (IOException ex) {
      throw new IllegalStateException("cannot render a delivery as JSON", ex);
    }
  }

  static Map<String, Object> of(QueueEntity.QueuedMessage q) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("seq", q.seq());
    m.put("deliveries", q.deliveries());
    m.put("message", of(q.envelope()));
    return m;
  }

  static Map<String, Object> of(DeadLetter d) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("seq", d.message().seq());
    m.put("reason", d.reason());
    m.put("dead_lettered_at", d.at());
    m.put("message", of(d.message().envelope()));
    return m;
  }

  // Text when the bytes are valid UTF-8 without NUL (what a human wants to see), base64 otherwise.
  // Checked by a scan rather than a CharsetDecoder: that allocated a char buffer per message,
  // a large share of the garbage of a busy delivery stream.
  static String utf8(byte[] b) {
    return Utf8.isTextWithoutNul(b) ? new String(b, StandardCharsets.UTF_8) : null;
  }
}
