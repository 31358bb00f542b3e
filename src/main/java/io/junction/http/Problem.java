package io.junction.http;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpCharsets;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;

/**
 * RFC 9457 problem documents: {@code type} (a {@code urn:junction:problem:*} name, listed in
 * docs/HTTP.md), {@code title} (the same for every occurrence of the type), {@code status}, and a
 * specific {@code detail}.
 */
final class Problem {
  static final ContentType PROBLEM_JSON =
      ContentTypes.create(
          MediaTypes.applicationWithFixedCharset("problem+json", HttpCharsets.UTF_8));

  private Problem() {}

  static HttpResponse of(StatusCode status, String type, String title, String detail) {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("type", "urn:junction:problem:" + type);
    doc.put("title", title);
    doc.put("status", status.intValue());
    doc.put("detail", detail);
    return HttpResponse.create()
        .withStatus(status)
        .withEntity(HttpEntities.create(PROBLEM_JSON, Json.bytes(doc)));
  }

  /** 422: a configuration was rejected; {@code problems} lists each by config path. */
  static HttpResponse invalidConfig(String detail, java.util.List<Map<String, String>> problems) {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("type", "urn:junction:problem:invalid-config");
    doc.put("title", "Configuration rejected");
    doc.put("status", 422);
    doc.put("detail", detail);
    doc.put("problems", problems);
    return HttpResponse.create()
        .withStatus(StatusCodes.UNPROCESSABLE_CONTENT)
        .withEntity(HttpEntities.create(PROBLEM_JSON, Json.bytes(doc)));
  }

  static HttpResponse badRequest(String type, String title, String detail) {
    return of(StatusCodes.BAD_REQUEST, type, title, detail);
  }

  static HttpResponse notFound(String type, String title, String detail) {
    return of(StatusCodes.NOT_FOUND, type, title, detail);
  }

  static HttpResponse unavailable(String type, String title, String detail) {
    return of(StatusCodes.SERVICE_UNAVAILABLE, type, title, detail);
  }
}
