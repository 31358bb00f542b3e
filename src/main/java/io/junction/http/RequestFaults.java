package io.junction.http;

import io.junction.faults.FaultKind;
import io.junction.faults.FaultRule;
import io.junction.faults.Faults;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.pattern.Patterns;

/**
 * The endpoint rules that apply to the HTTP API, whose endpoint name in a rule is {@value
 * #ENDPOINT} (docs/FAULTS.md): {@code fail-requests} answers a request with the rule's 5xx status
 * instead of handling it, {@code delay} handles it after {@code delay ± jitter} (a scheduler timer,
 * no thread held). {@code /v1/faults} and {@code /metrics} are exempt, so a rule can always be read
 * and removed. Not in the route tree at all when fault injection is off.
 */
final class RequestFaults extends AllDirectives {
  /** The HTTP API's name in a rule's {@code endpoint}. */
  static final String ENDPOINT = "http";

  private final Faults faults;
  private final ActorSystem<?> system;

  private RequestFaults(Faults faults, ActorSystem<?> system) {
    this.faults = faults;
    this.system = system;
  }

  /** {@code inner} with the API's rules applied in front of it (itself when faults are off). */
  static Route wrap(Faults faults, ActorSystem<?> system, Route inner) {
    if (!faults.enabled()) return inner;
    RequestFaults f = new RequestFaults(faults, system);
    return f.extractRequest(request -> f.apply(request, inner));
  }

  private Route apply(HttpRequest request, Route inner) {
    List<FaultRule> rules = faults.current().endpoint(ENDPOINT);
    if (rules.isEmpty() || exempt(request.getUri().path())) return inner;
    long now = System.currentTimeMillis();
    Duration delay = Duration.ZERO;
    String where = ENDPOINT + " " + request.method().value() + " " + request.getUri().path();
    for (FaultRule r : rules) {
      if (!r.active(now)) {
        faults.expire();
        continue;
      }
      if (r.kind() == FaultKind.FAIL_REQUESTS && r.rolls()) {
        faults.injected(r, where);
        return complete(
            Problem.of(
                StatusCodes.get(r.spec().status()),
                "injected-fault",
                "Injected fault",
                "injected fault " + r.id() + " (fail-requests)"));
      }
      if (r.kind() == FaultKind.DELAY && r.rolls()) {
        faults.injected(r, where);
        delay = delay.plus(r.jitteredDelay());
      }
    }
    if (delay.isZero()) return inner;
    return onSuccess(
        Patterns.after(delay, system, () -> CompletableFuture.completedStage(Done.getInstance())),
        done -> inner);
  }

  private static boolean exempt(String path) {
    return path.equals("/metrics") || path.startsWith("/v1/faults");
  }
}
