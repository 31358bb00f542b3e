package io.junction.http;

import io.junction.endpoint.EndpointStatus;
import io.junction.message.Envelope;
import io.junction.metrics.EndpointMetrics;
import io.junction.metrics.Metrics;
import io.junction.routing.Deliver;
import io.junction.routing.Router;
import io.junction.routing.RoutingSnapshot;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.HttpsConnectionContext;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.settings.ClientConnectionSettings;
import org.apache.pekko.http.javadsl.settings.ConnectionPoolSettings;
import org.apache.pekko.pattern.CircuitBreaker;
import org.apache.pekko.pattern.CircuitBreakerOpenException;
import org.apache.pekko.util.ByteString;

/**
 * An outbound HTTP destination {@code http:<name>}: each delivered message becomes one request.
 * Acknowledges (Deliver.replyTo) only on a 2xx answer. Connection errors, timeouts, 5xx and 429 are
 * retried with exponential backoff (a 429's or 503's Retry-After is honoured up to {@code
 * max-backoff}); other statuses fail at once. Pekko's {@link CircuitBreaker} guards the endpoint:
 * while open, messages fail fast instead of piling up on a dead service.
 *
 * <p>Bounded: at most {@code max-concurrent} messages are in flight (a message waiting for its
 * retry keeps its slot, so retries cannot become a storm) and {@code max-queue} wait; more fail
 * with DeliveryFailed. State lost on restart: queued and in-flight messages (they fail by timeout
 * at their senders) and the breaker's state.
 */
public final class HttpDestination extends AbstractBehavior<HttpDestination.Command> {

  /** Messages an HTTP destination accepts. */
  public sealed interface Command {}

  /** Ask for the destination's status (state = the breaker's: closed, open or half-open). */
  public record GetStatus(ActorRef<EndpointStatus> replyTo) implements Command {}

  private record Delivery(Deliver deliver) implements Command {}

  private record RoutingUpdated(RoutingSnapshot snapshot) implements Command {}

  private record Attempt(Job job) implements Command {}

  private record Answered(
      Job job, int status, Optional<Duration> retryAfter, ByteString body, String contentType)
      implements Command {}

  private record Failed(Job job, Throwable cause) implements Command {}

  /** One message on its way; {@code attempt} counts requests already made. */
  private static final class Job {
    final Deliver deliver;
    int attempt;

    Job(Deliver deliver) {
      this.deliver = deliver;
    }
  }

  private final HttpDestinationSettings settings;
  private final TimerScheduler<Command> timers;
  private final EndpointMetrics metrics;
  private final CircuitBreaker breaker;
  private final ConnectionPoolSettings pool;
  private final HttpsConnectionContext https;
  private final ArrayDeque<Deliver> queue = new ArrayDeque<>();
  private final String dest;
  private RoutingSnapshot routing = RoutingSnapshot.empty();
  private int inFlight;

  public static Behavior<Command> create(
      HttpDestinationSettings settings, ActorRef<Router.Command> router) {
    return Behaviors.setup(
        ctx -> Behaviors.withTimers(timers -> new HttpDestination(ctx, timers, settings, router)));
  }

  private HttpDestination(
      ActorContext<Command> context,
      TimerScheduler<Command> timers,
      HttpDestinationSettings settings,
      ActorRef<Router.Command> router) {
    super(context);
    this.settings = settings;
    this.timers = timers;
    this.dest = "http:" + settings.name();
    this.metrics = Metrics.get(context.getSystem()).endpoint(dest, "http-destination");
    this.breaker =
        CircuitBreaker.create(
            Adapter.toClassic(context.getSystem()).scheduler(),
            settings.breaker().maxFailures(),
            settings.timeout(),
            settings.breaker().resetTimeout());
    // Metrics only: these run on the breaker's threads, never touch actor state.
    breaker.addOnOpenListener(metrics.connectionsRejected::increment);
    var system = Adapter.toClassic(context.getSystem());
    this.pool =
        ConnectionPoolSettings.create(system)
            .withMaxConnections(settings.maxConcurrent())
            .withMaxOpenRequests(Integer.highestOneBit(settings.maxConcurrent() * 2 - 1) << 1)
            .withMaxRetries(0) // retries are ours: counted, backed off, bounded
            .withConnectionSettings(
                ClientConnectionSettings.create(system)
                    .withConnectingTimeout(settings.timeout())
                    .withIdleTimeout(settings.timeout().multipliedBy(2)));
    this.https = ClientTls.context(settings.tls(), Http.get(context.getSystem()));
    router.tell(
        new Router.Subscribe(context.messageAdapter(RoutingSnapshot.class, RoutingUpdated::new)));
    router.tell(
        new Router.RegisterDestination(dest, context.messageAdapter(Deliver.class, Delivery::new)));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Delivery.class, this::onDelivery)
        .onMessage(Attempt.class, a -> onAttempt(a.job()))
        .onMessage(Answered.class, this::onAnswered)
        .onMessage(Failed.class, this::onFailed)
        .onMessage(RoutingUpdated.class, u -> onRoutingUpdated(u.snapshot()))
        .onMessage(GetStatus.class, this::onGetStatus)
        .build();
  }

  private Behavior<Command> onRoutingUpdated(RoutingSnapshot snapshot) {
    routing = snapshot;
    return this;
  }

  private Behavior<Command> onDelivery(Delivery d) {
    if (inFlight < settings.maxConcurrent()) {
      inFlight++;
      onAttempt(new Job(d.deliver()));
    } else if (queue.size() < settings.maxQueue()) {
      queue.add(d.deliver());
    } else {
      metrics.dropped.increment();
      d.deliver()
          .fail(dest, "queue full: " + inFlight + " in flight, " + queue.size() + " waiting");
    }
    return this;
  }

  private Behavior<Command> onAttempt(Job job) {
    HttpRequest request;
    try {
      request = OutboundRequest.build(settings, job.deliver.envelope());
    } catch (RuntimeException e) {
      return finish(job, false, "cannot build the request: " + e.getMessage());
    }
    job.attempt++;
    metrics.framesOut.increment();
    var http = Http.get(getContext().getSystem());
    var system = getContext().getSystem();
    // Reading the body inside the breaker's call: a body that stalls counts as a timeout.
    var call =
        breaker.<Responses.Strict>callWithCircuitBreakerCS(
            () ->
                Stages.on(
                        http.singleRequest(request, https, pool, Adapter.toClassic(system).log()),
                        system.executionContext())
                    .thenCompose(r -> Responses.strict(r, settings.timeout(), system)),
            (response, failure) ->
                failure.isPresent() || Responses.retryable(response.get().status()));
    getContext()
        .pipeToSelf(
            call,
            (r, failure) ->
                failure == null
                    ? new Answered(job, r.status(), r.retryAfter(), r.body(), r.contentType())
                    : new Failed(job, failure));
    return this;
  }

  private Behavior<Command> onAnswered(Answered a) {
    if (a.status() >= 200 && a.status() < 300) {
      metrics.framesIn.increment();
      metrics.bytesIn.increment(a.body().size());
      settings.then().ifPresent(t -> routeResponse(t, a));
      return finish(a.job(), true, "");
    }
    String why = "HTTP " + a.status() + " from " + settings.method() + " " + settings.url();
    if (!Responses.retryable(a.status())) return finish(a.job(), false, why);
    return retryOrGiveUp(a.job(), why, a.retryAfter());
  }

  private Behavior<Command> onFailed(Failed f) {
    Throwable cause =
        f.cause() instanceof java.util.concurrent.CompletionException c && c.getCause() != null
            ? c.getCause()
            : f.cause();
    if (cause instanceof CircuitBreakerOpenException)
      return finish(
          f.job(),
          false,
          "circuit breaker open after repeated failures; not calling " + settings.url());
    String why =
        cause instanceof java.util.concurrent.TimeoutException
            ? "no answer within " + settings.timeout()
            : cause.getClass().getName() + ": " + cause.getMessage();
    return retryOrGiveUp(f.job(), why, Optional.empty());
  }

  private Behavior<Command> retryOrGiveUp(Job job, String why, Optional<Duration> retryAfter) {
    if (job.attempt > settings.retries().max())
      return finish(job, false, "gave up after " + job.attempt + " attempts; last: " + why);
    Duration delay =
        Backoff.delay(
            job.attempt - 1,
            settings.retries().minBackoff(),
            settings.retries().maxBackoff(),
            retryAfter);
    metrics.handlerFailures.increment(); // counted as "retries"
    getContext().getLog().debug("{}: {}; retry {} in {}", dest, why, job.attempt, delay);
    timers.startSingleTimer(job, new Attempt(job), delay);
    return this;
  }

  /** The message is done (acknowledged or failed): its slot goes to the next waiting one. */
  private Behavior<Command> finish(Job job, boolean ok, String reason) {
    if (ok) job.deliver.succeed(dest);
    else {
      metrics.routeErrors.increment();
      getContext()
          .getLog()
          .warn("{}: message {} failed: {}", dest, job.deliver.envelope().id(), reason);
      job.deliver.fail(dest, reason);
    }
    Deliver next = queue.poll();
    if (next != null) onAttempt(new Job(next));
    else inFlight--;
    return this;
  }

  private void routeResponse(String then, Answered a) {
    Envelope in = a.job().deliver.envelope();
    Map<String, String> headers = new HashMap<>(in.headers());
    headers.put("http-status", Integer.toString(a.status()));
    Envelope response =
        new Envelope(
            Envelope.newId(),
            dest,
            "",
            a.contentType(),
            headers,
            a.body(),
            Map.of(),
            System.currentTimeMillis());
    routing
        .destination(then)
        .ifPresentOrElse(
            ref -> ref.tell(new Deliver(response, null)),
            () ->
                getContext()
                    .getLog()
                    .warn("{}: then-destination {} is not up; response dropped", dest, then));
  }

  private Behavior<Command> onGetStatus(GetStatus g) {
    String state = breaker.isOpen() ? "open" : breaker.isHalfOpen() ? "half-open" : "closed";
    g.replyTo()
        .tell(
            new EndpointStatus(
                dest,
                "http-destination",
                settings.url(),
                state,
                inFlight,
                queue.isEmpty() ? "" : queue.size() + " waiting",
                Map.of(
                    "requests", metrics.framesOut.count(),
                    "responses_2xx", metrics.framesIn.count(),
                    "retries", metrics.handlerFailures.count(),
                    "failed", metrics.routeErrors.count(),
                    "refused", metrics.dropped.count(),
                    "breaker_opened", metrics.connectionsRejected.count())));
    return this;
  }
}
