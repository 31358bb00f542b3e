package io.junction.http;

import io.junction.codec.StructJson;
import io.junction.message.Envelope;
import io.junction.queue.QueueEntity;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
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
    m.put("message", of(d.envelope()));
    return m;
  }

  static Map<String, Object> of(QueueEntity.QueuedMessage q) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("seq", q.seq());
    m.put("deliveries", q.deliveries());
    m.put("message", of(q.envelope()));
    return m;
  }

  // Text when the bytes are printable UTF-8 (what a human wants to see), base64 otherwise.
  private static String utf8(byte[] b) {
    for (byte x : b) if (x == 0) return null;
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .decode(java.nio.ByteBuffer.wrap(b))
          .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }
}
