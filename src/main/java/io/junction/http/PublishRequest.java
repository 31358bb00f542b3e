package io.junction.http;

import io.junction.codec.CodecException;
import io.junction.codec.MessageLayout;
import io.junction.codec.StructJson;
import io.junction.codec.StructRegistry;
import io.junction.message.Envelope;
import io.junction.routing.Destination;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.util.ByteString;

/**
 * Turns {@code POST /v1/publish/{destination}} into the destination and the {@link Envelope} to
 * deliver, or into the problem document that says what is wrong with the request.
 *
 * <p>The body is the payload. With {@code Content-Type: application/json} it is also decoded into
 * fields, and with {@code ?struct=NAME} those fields are encoded into that struct, which becomes
 * the payload (so a TCP peer gets the exact C struct bytes). Query parameters {@code header.X=V}
 * become message headers.
 */
final class PublishRequest {
  /** The source name of everything published over HTTP. */
  static final String SOURCE = "http";

  /** The request as a delivery, or why it cannot be one. */
  sealed interface Result {}

  record Ok(Destination destination, Envelope envelope) implements Result {}

  record Bad(HttpResponse problem) implements Result {}

  private PublishRequest() {}

  static Result parse(
      String destinationText,
      String mediaType,
      ByteString body,
      Map<String, String> params,
      StructRegistry structs) {
    Destination destination;
    try {
      destination = Destination.parse(destinationText);
    } catch (IllegalArgumentException e) {
      return bad("bad-destination", "Not a destination", e.getMessage());
    }
    if (destination == Destination.Reply.INSTANCE)
      return bad(
          "bad-destination",
          "Not a destination",
          "'reply' answers the peer a message came from; an HTTP request has none to answer");
    Map<String, String> headers = new LinkedHashMap<>();
    params.forEach(
        (k, v) -> {
          if (k.startsWith("header.") && k.length() > 7) headers.put(k.substring(7), v);
        });
    boolean json = mediaType.equals("application/json");
    Optional<String> struct = Optional.ofNullable(params.get("struct"));
    if (struct.isPresent() && !json)
      return new Bad(
          Problem.of(
              StatusCodes.UNSUPPORTED_MEDIA_TYPE,
              "unsupported-media-type",
              "Unsupported media type",
              "?struct="
                  + struct.get()
                  + " takes a JSON body (Content-Type: application/json),"
                  + " got "
                  + mediaType));
    Map<String, Object> fields = Map.of();
    if (json) {
      try {
        fields = StructJson.parse(body.toArray());
      } catch (CodecException e) {
        return bad("bad-json", "Body is not a JSON object", e.getMessage());
      }
    }
    if (struct.isEmpty()) return new Ok(destination, envelope(mediaType, headers, body, fields));
    return encodeStruct(destination, struct.get(), fields, headers, structs);
  }

  private static Result encodeStruct(
      Destination destination,
      String name,
      Map<String, Object> json,
      Map<String, String> headers,
      StructRegistry structs) {
    Optional<MessageLayout> layout = structs.message(name);
    if (layout.isEmpty())
      return bad(
          "unknown-struct",
          "No such struct",
          "no struct named '" + name + "' in junction.structs (known: " + structs.names() + ")");
    MessageLayout l = layout.get();
    String type = l.messageTypes().contains(name) ? name : l.messageTypes().iterator().next();
    try {
      ByteString bytes = l.encodeMessage(type, json);
      MessageLayout.Decoded decoded = l.decodeMessage(bytes);
      return new Ok(destination, envelope(decoded.type(), headers, bytes, decoded.fields()));
    } catch (CodecException e) {
      return new Bad(
          Problem.of(
              StatusCodes.UNPROCESSABLE_CONTENT,
              "struct-mismatch",
              "JSON does not fit the struct",
              e.getMessage()));
    }
  }

  private static Envelope envelope(
      String type, Map<String, String> headers, ByteString payload, Map<String, Object> fields) {
    return new Envelope(
        Envelope.newId(), SOURCE, "", type, headers, payload, fields, System.currentTimeMillis());
  }

  private static Bad bad(String type, String title, String detail) {
    return new Bad(Problem.badRequest(type, title, detail));
  }
}
