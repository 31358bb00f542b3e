package io.junction.queue;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.junction.message.CborSerializable;
import io.junction.message.Envelope;
import java.util.HashMap;
import java.util.Map;
import org.apache.pekko.util.ByteString;

/**
 * One message as the queue keeps it in events and snapshots: the envelope flattened and written as
 * a CBOR array (no field names), so a deep queue's snapshot costs little more than its payloads.
 *
 * @param seq position in the queue, assigned at publish; FIFO order is seq order
 * @param publishedAt epoch millis when the publish was persisted
 * @param notBefore epoch millis before which the message is not delivered (0 = now)
 * @param expiresAt epoch millis after which an undelivered message is dead-lettered (0 = never)
 * @param deliveries failed deliveries so far (lease expired, nacked, subscriber gone)
 */
@JsonFormat(shape = JsonFormat.Shape.ARRAY)
@JsonPropertyOrder({
  "seq",
  "publishedAt",
  "notBefore",
  "expiresAt",
  "deliveries",
  "id",
  "source",
  "connection",
  "type",
  "headers",
  "payload",
  "fields",
  "timestamp"
})
public record StoredMessage(
    long seq,
    long publishedAt,
    long notBefore,
    long expiresAt,
    int deliveries,
    String id,
    String source,
    String connection,
    String type,
    Map<String, String> headers,
    byte[] payload,
    Map<String, Object> fields,
    long timestamp)
    implements CborSerializable {

  static StoredMessage of(long seq, long now, long notBefore, long expiresAt, Envelope e) {
    return new StoredMessage(
        seq,
        now,
        notBefore,
        expiresAt,
        0,
        e.id(),
        e.source(),
        e.connection(),
        e.type(),
        e.headers(),
        e.payload().toArrayUnsafe(), // no copy when compact; neither side ever writes to it
        e.fields(),
        e.timestamp());
  }

  /** The envelope as published ({@link Envelope} normalizes the fields CBOR read back). */
  public Envelope envelope() {
    return new Envelope(
        id,
        source,
        connection,
        type,
        headers,
        ByteString.fromArrayUnsafe(payload),
        fields,
        timestamp);
  }

  StoredMessage withDeliveries(int newDeliveries, long newNotBefore) {
    return new StoredMessage(
        seq,
        publishedAt,
        newNotBefore,
        expiresAt,
        newDeliveries,
        id,
        source,
        connection,
        type,
        headers,
        payload,
        fields,
        timestamp);
  }

  /**
   * A dead letter back in the queue: a new seq, fresh counts, no expiry, and without its {@code
   * expiration} header, as RabbitMQ drops it on dead-lettering, so that a route onward into another
   * queue does not expire it again.
   */
  StoredMessage requeuedAs(long newSeq, long now) {
    Map<String, String> kept = headers;
    if (headers.containsKey(MessageTiming.TTL)) {
      kept = new HashMap<>(headers);
      kept.remove(MessageTiming.TTL);
    }
    return new StoredMessage(
        newSeq, now, 0, 0, 0, id, source, connection, type, kept, payload, fields, timestamp);
  }

  /**
   * About what this message costs in a snapshot or event: its payload plus the CBOR of its other
   * fields (typically about 100 bytes). Used to decide when to snapshot, not for limits.
   */
  long approxBytes() {
    return payload.length + 100L;
  }

  boolean expired(long now) {
    return expiresAt > 0 && now >= expiresAt;
  }
}
