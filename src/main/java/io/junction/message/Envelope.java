package io.junction.message;

import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.pekko.util.ByteString;

/**
 * The one message type that crosses the router.
 *
 * <p>{@code payload} is the frame's bytes as received (or as they will be written); {@code fields}
 * holds what a codec decoded from them (empty when no codec ran). Field values are {@link Long},
 * {@link Double}, {@link Boolean}, {@link String}, {@code byte[]}, {@code List<Object>} (arrays) or
 * {@code Map<String,Object>} (nested structs), in declaration order. The constructor enforces those
 * types, so an envelope that crossed the cluster or the journal as CBOR (which reads small numbers
 * back as {@code Integer} and, with Pekko's Scala module, nested values as Scala collections)
 * equals the one that was sent.
 *
 * @param id unique message id
 * @param source endpoint name the message arrived on (or {@code http}, {@code queue:q}, ...)
 * @param connection connection id within the source endpoint, empty when there is none
 * @param type struct name or content type, e.g. {@code Person} or {@code text/plain}
 * @param headers free-form string headers
 * @param payload the raw bytes
 * @param fields decoded fields, possibly empty
 * @param timestamp epoch millis when the message entered the node
 */
public record Envelope(
    String id,
    String source,
    String connection,
    String type,
    Map<String, String> headers,
    @JsonSerialize(using = ByteStringModule.Writer.class)
        @JsonDeserialize(using = ByteStringModule.Reader.class)
        ByteString payload,
    Map<String, Object> fields,
    long timestamp)
    implements CborSerializable {

  public Envelope {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(source, "source");
    connection = connection == null ? "" : connection;
    type = type == null ? "application/octet-stream" : type;
    headers = headers == null ? Map.of() : Map.copyOf(headers);
    payload = payload == null ? ByteString.emptyByteString() : payload;
    fields = Fields.normalize(fields);
  }

  /** A new envelope with a fresh id and the current time. */
  public static Envelope of(
      String source,
      String connection,
      String type,
      ByteString payload,
      Map<String, Object> fields) {
    return new Envelope(
        newId(), source, connection, type, Map.of(), payload, fields, System.currentTimeMillis());
  }

  /**
   * A random id. Not from SecureRandom: ids need to be unique, not unguessable, and this runs for
   * every frame.
   */
  public static String newId() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    return new UUID(r.nextLong(), r.nextLong()).toString();
  }

  public Envelope withHeader(String name, String value) {
    var copy = new java.util.HashMap<>(headers);
    copy.put(name, value);
    return new Envelope(id, source, connection, type, copy, payload, fields, timestamp);
  }

  public Envelope withoutHeader(String name) {
    if (!headers.containsKey(name)) return this;
    var copy = new java.util.HashMap<>(headers);
    copy.remove(name);
    return new Envelope(id, source, connection, type, copy, payload, fields, timestamp);
  }
}
