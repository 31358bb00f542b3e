package io.junction.http;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.util.ByteString;

/** What an HTTP destination needs from a response, read fully (bounded by the timeout). */
final class Responses {
  /** Largest response body kept (for {@code then}); more fails the call rather than buffering. */
  static final long MAX_BODY = 1 << 20;

  record Strict(int status, Optional<Duration> retryAfter, ByteString body, String contentType) {}

  private Responses() {}

  /** Connection errors are handled apart; of statuses, 5xx and 429 are worth another try. */
  static boolean retryable(int status) {
    return status >= 500 || status == 429;
  }

  static CompletionStage<Strict> strict(HttpResponse r, Duration timeout, ActorSystem<?> system) {
    // The entity must always be read or discarded, or the pooled connection stays blocked.
    return Stages.on(
            r.entity()
                .withSizeLimit(MAX_BODY)
                .toStrict(timeout.toMillis(), Materializer.matFromSystem(system)),
            system.executionContext())
        .thenApply(
            e ->
                new Strict(
                    r.status().intValue(),
                    retryAfter(r),
                    e.getData(),
                    e.getContentType().toString()));
  }

  /** Retry-After in seconds (the HTTP-date form is rare from APIs and is ignored). */
  static Optional<Duration> retryAfter(HttpResponse r) {
    return r.getHeader("Retry-After")
        .flatMap(
            h -> {
              try {
                long s = Long.parseLong(h.value().trim());
                return s >= 0 ? Optional.of(Duration.ofSeconds(s)) : Optional.empty();
              } catch (NumberFormatException e) {
                return Optional.empty();
              }
            });
  }
}
