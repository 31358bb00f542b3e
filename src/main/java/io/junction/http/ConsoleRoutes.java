package io.junction.http;

import java.util.List;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The web console (docs/CONSOLE.md): static files from the jar's {@code console/} resource
 * directory, {@code /} being its {@code index.html} and every other file under {@code /console/}.
 * The files are public (they hold no data); the console reads the node through the same {@code /v1}
 * API, with the same tokens, as every other client.
 */
final class ConsoleRoutes extends AllDirectives {
  private static final String DIR = "console";

  // Revalidate on every load (a new node version must not run old cached scripts); scripts and
  // styles only from this origin, so an injected string can never run as code.
  private static final List<HttpHeader> HEADERS =
      List.of(
          RawHeader.create("Cache-Control", "no-cache"),
          RawHeader.create("X-Content-Type-Options", "nosniff"),
          RawHeader.create(
              "Content-Security-Policy",
              "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'"));

  Route routes() {
    return concat(
        pathSingleSlash(() -> get(() -> respondWithHeaders(HEADERS, this::index))),
        pathPrefix(
            DIR,
            () -> get(() -> respondWithHeaders(HEADERS, () -> getFromResourceDirectory(DIR)))));
  }

  private Route index() {
    return getFromResource(DIR + "/index.html");
  }
}
