package io.junction.http;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.ResponseEntity;
import org.apache.pekko.http.javadsl.model.StatusCode;

/**
 * JSON response bodies from plain maps and lists (ordered as built), or written field by field
 * where an answer goes out per request of a busy path.
 */
final class Json {
  // Thread-safe once configured; writes maps, lists and scalars, and its factory makes the
  // streaming parsers and generators of the hot paths.
  static final ObjectMapper MAPPER = new ObjectMapper();

  private Json() {}

  static byte[] bytes(Object value) {
    try {
      return MAPPER.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot render JSON", e);
    }
  }

  /** Writes the fields of one JSON object. */
  interface Fields {
    void write(JsonGenerator g) throws IOException;
  }

  /** One object, written straight from its fields: none of a tree's maps, lists and lookups. */
  static byte[] object(Fields fields) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(128);
    try (JsonGenerator g = MAPPER.getFactory().createGenerator(out)) {
      g.writeStartObject();
      fields.write(g);
      g.writeEndObject();
    } catch (IOException e) {
      throw new IllegalStateException("cannot render JSON", e);
    }
    return out.toByteArray();
  }

  static String text(Object value) {
    return new String(bytes(value), java.nio.charset.StandardCharsets.UTF_8);
  }

  static ResponseEntity entity(Object value) {
    return HttpEntities.create(ContentTypes.APPLICATION_JSON, bytes(value));
  }

  static HttpResponse response(StatusCode status, Object value) {
    return HttpResponse.create().withStatus(status).withEntity(entity(value));
  }

  /** A counter's value as JSON shows it best: integral counts without ".0". */
  static Object number(Double d) {
    if (d == null) return 0;
    return d == Math.rint(d) && Math.abs(d) < 9e15 ? (Object) d.longValue() : d;
  }
}
