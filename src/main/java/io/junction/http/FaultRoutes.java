package io.junction.http;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.databind.JsonNode;
import io.junction.faults.FaultRule;
import io.junction.faults.FaultSpec;
import io.junction.faults.Faults;
import java.io.IOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;

/**
 * Fault injection under {@code /v1/faults} (docs/FAULTS.md): list the rules with their hits (read),
 * add a rule (admin), remove one (admin). When {@code junction.faults.enabled} is off, adding is
 * refused with 409 and the list says so.
 */
final class FaultRoutes extends AllDirectives {
  private static final long MAX_RULE_BYTES = 16 * 1024;
  private final Faults faults;
  private final BiFunction<Scope, Supplier<Route>, Route> requires;

  FaultRoutes(Faults faults, BiFunction<Scope, Supplier<Route>, Route> requires) {
    this.faults = faults;
    this.requires = requires;
  }

  Route routes() {
    return pathPrefix(
        "faults",
        () ->
            concat(
                pathEnd(
                    () ->
                        concat(
                            get(() -> requires.apply(Scope.READ, () -> complete(list()))),
                            post(() -> requires.apply(Scope.ADMIN, this::add)))),
                path(
                    segment(),
                    id -> delete(() -> requires.apply(Scope.ADMIN, () -> complete(remove(id)))))));
  }

  private HttpResponse list() {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("enabled", faults.enabled());
    body.put("rules", faults.list().stream().map(FaultRule::view).toList());
    return Json.response(StatusCodes.OK, body);
  }

  private Route add() {
    return withSizeLimit(
        MAX_RULE_BYTES,
        () -> entity(Unmarshaller.entityToByteString(), body -> complete(add(body.toArray()))));
  }

  private HttpResponse add(byte[] body) {
    if (!faults.enabled())
      return Problem.of(
          StatusCodes.CONFLICT,
          "faults-disabled",
          "Fault injection is off",
          "set junction.faults.enabled = on (or JUNCTION_FAULTS_ENABLED=on) to inject faults");
    Map<String, String> fields = new LinkedHashMap<>();
    try {
      JsonNode n = Json.MAPPER.readTree(body);
      if (n == null || !n.isObject()) throw new IOException("expected a JSON object");
      for (var e : n.properties()) {
        if (!e.getValue().isValueNode())
          throw new IOException("'" + e.getKey() + "' must be a string or number");
        fields.put(e.getKey(), e.getValue().asText());
      }
    } catch (IOException e) {
      return Problem.badRequest("bad-fault-rule", "Not a fault rule", e.getMessage());
    }
    try {
      FaultRule rule = faults.add(FaultSpec.parse(fields, Instant.now(), faults.settings()));
      return Json.response(StatusCodes.CREATED, rule.view());
    } catch (FaultSpec.Invalid e) {
      return Problem.badRequest("bad-fault-rule", "Not a valid fault rule", e.getMessage());
    } catch (IllegalStateException e) {
      return Problem.of(
          StatusCodes.CONFLICT, "faults-full", "Too many fault rules", e.getMessage());
    }
  }

  private HttpResponse remove(String id) {
    return faults
        .remove(id)
        .map(r -> Json.response(StatusCodes.OK, r.view()))
        .orElseGet(
            () ->
                Problem.notFound(
                    "unknown-fault", "No such fault rule", "no active fault rule '" + id + "'"));
  }
}
