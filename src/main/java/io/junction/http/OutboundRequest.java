package io.junction.http;

import io.junction.codec.StructJson;
import io.junction.message.Envelope;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;

/**
 * Builds the HTTP request for one message: the URL template filled in from the message, the body
 * (payload or fields as JSON), the configured headers. Pure; throws {@link
 * IllegalArgumentException} when the message lacks what the template needs.
 *
 * <p>Example: {@code http://api/devices/{header.device}/{field.name}} with header {@code device=d
 * 1} and field {@code name=Alice} becomes {@code http://api/devices/d%201/Alice}.
 */
final class OutboundRequest {
  private static final Pattern PLACEHOLDER = Pattern.compile("\\{(header|field)\\.([^}]+)}");

  private OutboundRequest() {}

  static HttpRequest build(HttpDestinationSettings s, Envelope m) {
    HttpRequest request =
        HttpRequest.create(url(s.url(), m))
            .withMethod(HttpMethods.lookup(s.method()).orElseThrow())
            .withEntity(
                s.body() == HttpDestinationSettings.Body.FIELDS_JSON
                    ? HttpEntities.create(
                        ContentTypes.APPLICATION_JSON, StructJson.toJsonBytes(m.fields()))
                    : HttpEntities.create(contentType(m.type()), m.payload()));
    for (var h : s.headers().entrySet())
      request = request.addHeader(RawHeader.create(h.getKey(), h.getValue()));
    return request;
  }

  static String url(String template, Envelope m) {
    Matcher matcher = PLACEHOLDER.matcher(template);
    StringBuilder out = new StringBuilder();
    while (matcher.find()) {
      String name = matcher.group(2);
      Object value =
          matcher.group(1).equals("header") ? m.headers().get(name) : m.fields().get(name);
      if (value == null)
        throw new IllegalArgumentException(
            "the URL needs "
                + matcher.group(1)
                + " '"
                + name
                + "', which message "
                + m.id()
                + " lacks");
      matcher.appendReplacement(
          out,
          Matcher.quoteReplacement(
              URLEncoder.encode(String.valueOf(value), StandardCharsets.UTF_8)
                  .replace("+", "%20")));
    }
    matcher.appendTail(out);
    return out.toString();
  }

  private static ContentType contentType(String type) {
    if (type.contains("/")) {
      try {
        return ContentTypes.parse(type);
      } catch (RuntimeException e) {
        // not a media type after all (a struct name with a slash): send it as bytes
      }
    }
    return ContentTypes.APPLICATION_OCTET_STREAM;
  }
}
