package io.junction.http;

import io.junction.codec.CodecException;
import io.junction.codec.PayloadCodec;
import io.junction.endpoint.EndpointStatus;
import io.junction.message.Envelope;
import io.junction.metrics.EndpointMetrics;
import io.junction.metrics.Metrics;
import io.junction.routing.Deliver;
import io.junction.routing.Router;
import io.junction.routing.RoutingSnapshot;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.settings.ClientConnectionSettings;
import org.apache.pekko.http.javadsl.settings.ConnectionPoolSettings;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.util.ByteString;

/**
 * An {@code http-poll} endpoint: GETs its URL every {@code interval} (measured from the end of one
 * poll to the start of the next, so two polls never overlap) and routes each changed 2xx answer as
 * one message from the endpoint.
 *
 * <p>Change detection: the last answer's {@code ETag} and {@code Last-Modified} go back as {@code
 * If-None-Match} and {@code If-Modified-Since}; a 304 is "unchanged". A 2xx whose body is byte for
 * byte the last routed one (SHA-256) is also unchanged: many servers ignore conditional requests.
 *
 * <p>A change is remembered only once every destination acknowledged its message; if one refuses or
 * does not answer within {@code timeout}, the change is routed again on the next poll
 * (at-least-once). Other statuses and connection errors count as errors and push the next poll out
 * with exponential backoff from {@code interval} up to {@code max-backoff} (a {@code Retry-After}
 * is honoured within that). State lost on restart: the validators and the digest, so the first poll
 * after a restart routes the current body again.
 */
public final class HttpPoller extends AbstractBehavior<HttpPoller.Command> {

  /** Messages the poller accepts. */
  public sealed interface Command {}

  /** Ask for the poller's status. */
  public record GetStatus(ActorRef<EndpointStatus> replyTo) implements Command {}

  private record RoutingUpdated(RoutingSnapshot snapshot) implements Command {}

  private enum Tick implements Command {
    INSTANCE
  }

  /** One answer, read fully. */
  private record Answered(
      int status,
      Optional<String> etag,
      Optional<String> lastModified,
      Optional<Duration> retryAfter,
      String contentType,
      String mediaType,
      ByteString body)
      implements Command {}

  private record Failed(Throwable cause) implements Command {}

  private record Acked(Deliver.DeliveryResult result) implements Command {}

  private record AckTimeout(String messageId) implements Command {}

  /** A routed change waiting for its acknowledgements before it counts as seen. */
  private record Pending(
      String messageId, int waiting, boolean failed, Answered answer, byte[] digest) {}

  private static final String ACK_TIMER = "ack";
  private final HttpPollSettings settings;
  private final TimerScheduler<Command> timers;
  private final EndpointMetrics metrics;
  private final ConnectionPoolSettings pool;
  private final HttpsConnectionContext https;
  private final ActorRef<Deliver.DeliveryResult> ackTo;
  private RoutingSnapshot routing; // null until the router's first table: no poll before it
  private boolean polling;
  private Pending pending;
  private Optional<String> etag = Optional.empty();
  private Optional<String> lastModified = Optional.empty();
  private byte[] lastDigest;
  private int failuresInARow;
  private String state = "starting";
  private String detail = "";
  private long unchanged, notModified, errors;

  public static Behavior<Command> create(
      HttpPollSettings settings, ActorRef<Router.Command> router) {
    return Behaviors.setup(
        ctx -> Behaviors.withTimers(timers -> new HttpPoller(ctx, timers, settings, router)));
  }

  private HttpPoller(
      ActorContext<Command> context,
      TimerScheduler<Command> timers,
      HttpPollSettings settings,
      ActorRef<Router.Command> router) {
    super(context);
    this.settings = settings;
    this.timers = timers;
    this.metrics = Metrics.get(context.getSystem()).endpoint(settings.name(), "http-poll");
    var system = Adapter.toClassic(context.getSystem());
    // One poll at a time needs one connection; the second one covers a poll abandoned on timeout
    // whose connection the idle timeout has not closed yet.
    this.pool =
        ConnectionPoolSettings.create(system)
            .withMaxConnections(2)
            .withMaxOpenRequests(4)
            .withMaxRetries(0) // a failed poll is counted and backed off, not retried at once
            .withConnectionSettings(
                ClientConnectionSettings.create(system)
                    .withConnectingTimeout(settings.timeout())
                    .withIdleTimeout(settings.timeout().multipliedBy(2)));
    this.https = ClientTls.context(settings.tls(), Http.get(context.getSystem()));
    this.ackTo = context.messageAdapter(Deliver.DeliveryResult.class, Acked::new);
    router.tell(
        new Router.Subscribe(context.messageAdapter(RoutingSnapshot.class, RoutingUpdated::new)));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(RoutingUpdated.class, this::onRoutingUpdated)
        .onMessageEquals(Tick.INSTANCE, this::onTick)
        .onMessage(Answered.class, this::onAnswered)
        .onMessage(Failed.class, this::onFailed)
        .onMessage(Acked.class, this::onAcked)
        .onMessage(AckTimeout.class, this::onAckTimeout)
        .onMessage(GetStatus.class, this::onGetStatus)
        .build();
  }

  private Behavior<Command> onRoutingUpdated(RoutingUpdated u) {
    boolean first = routing == null;
    routing = u.snapshot();
    if (first) getContext().getSelf().tell(Tick.INSTANCE);
    return this;
  }

  private Behavior<Command> onTick() {
    if (polling || pending != null) return this; // never two polls at once
    polling = true;
    HttpRequest request = HttpRequest.GET(settings.url());
    for (var h : settings.headers().entrySet())
      request = request.addHeader(RawHeader.create(h.getKey(), h.getValue()));
    if (etag.isPresent())
      request = request.addHeader(RawHeader.create("If-None-Match", etag.get()));
    if (lastModified.isPresent())
      request = request.addHeader(RawHeader.create("If-Modified-Since", lastModified.get()));
    metrics.framesOut.increment();
    getContext()
        .pipeToSelf(
            fetch(request), (answer, failure) -> failure == null ? answer : new Failed(failure));
    return this;
  }

  /** The answer read fully, or a failure; bounded by {@code timeout} as a whole. */
  private CompletableFuture<Answered> fetch(HttpRequest request) {
    var system = getContext().getSystem();
    var http = Http.get(system);
    var executor = system.executionContext();
    return Stages.on(
            http.singleRequest(request, https, pool, Adapter.toClassic(system).log()), executor)
        .thenCompose(
            r ->
                // Always read (or fail) the entity, or the pooled connection stays blocked.
                Stages.on(
                        r.entity()
                            .withSizeLimit(settings.maxBodyBytes())
                            .toStrict(
                                settings.timeout().toMillis(), Materializer.matFromSystem(system)),
                        executor)
                    .thenApply(e -> answered(r, e)))
        .orTimeout(settings.timeout().toMillis(), TimeUnit.MILLISECONDS);
  }

  private static Answered answered(HttpResponse r, HttpEntity.Strict e) {
    return new Answered(
        r.status().intValue(),
        r.getHeader("ETag").map(h -> h.value()),
        r.getHeader("Last-Modified").map(h -> h.value()),
        Responses.retryAfter(r),
        e.getContentType().toString(),
        e.getContentType().mediaType().toString(),
        e.getData());
  }

  private Behavior<Command> onAnswered(Answered a) {
    polling = false;
    if (a.status() == 304) {
      notModified++;
      unchanged++;
      return succeeded();
    }
    if (a.status() < 200 || a.status() >= 300)
      return failed("HTTP " + a.status() + " from GET " + settings.url(), a.retryAfter());
    byte[] digest = sha256(a.body());
    if (lastDigest != null && MessageDigest.isEqual(digest, lastDigest)) {
      unchanged++;
      remember(a, digest); // new validators for the same body: send those next time
      return succeeded();
    }
    return route(a, digest);
  }

  private Behavior<Command> route(Answered a, byte[] digest) {
    PayloadCodec.Decoded decoded;
    try {
      decoded = settings.codec().decode(a.body());
    } catch (CodecException e) {
      // The content is wrong, not the service: remember it, so it is reported once, not per poll.
      metrics.decodeErrors.increment();
      getContext()
          .getLog()
          .warn(
              "{}: body of {} bytes from {} does not decode as {}: {}",
              settings.name(),
              a.body().size(),
              settings.url(),
              settings.codec().name(),
              e.getMessage());
      remember(a, digest);
      Behavior<Command> next = succeeded(); // the service answered; only its content is wrong
      detail = "last body did not decode: " + e.getMessage();
      return next;
    }
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("http-status", Integer.toString(a.status()));
    headers.put("content-type", a.contentType());
    headers.put("url", settings.url());
    a.etag().ifPresent(v -> headers.put("etag", v));
    a.lastModified().ifPresent(v -> headers.put("last-modified", v));
    // A raw body's type is what the server says it is; a codec names its own.
    String type = settings.codec() == PayloadCodec.RAW ? a.mediaType() : decoded.type();
    Envelope message =
        new Envelope(
            Envelope.newId(),
            settings.name(),
            "",
            type,
            headers,
            a.body(),
            decoded.fields(),
            System.currentTimeMillis());
    metrics.framesIn.increment();
    metrics.bytesIn.increment(a.body().size());
    RoutingSnapshot.Outcome outcome = routing.route(message, this::noReply, ackTo);
    if (outcome.failed() > 0) {
      metrics.routeErrors.increment(outcome.failed());
      return failed(
          outcome.failed() + " destination(s) not up; the change is routed again",
          Optional.empty());
    }
    if (outcome.delivered() == 0) {
      remember(a, digest);
      return succeeded();
    }
    pending = new Pending(message.id(), outcome.delivered(), false, a, digest);
    timers.startSingleTimer(ACK_TIMER, new AckTimeout(message.id()), settings.timeout());
    return this;
  }

  private void noReply(Envelope m) {
    // A polled answer has no peer to answer; a route to `reply` is a configuration slip.
    metrics.routeErrors.increment();
    getContext()
        .getLog()
        .warn("{}: `reply` from an http-poll endpoint goes nowhere", settings.name());
  }

  private Behavior<Command> onAcked(Acked a) {
    Pending p = pending;
    if (p == null || !p.messageId().equals(a.result().messageId())) return this; // a late answer
    boolean failed = p.failed() || a.result() instanceof Deliver.DeliveryFailed;
    if (a.result() instanceof Deliver.DeliveryFailed f)
      detail = f.destination() + ": " + f.reason();
    if (p.waiting() > 1) {
      pending = new Pending(p.messageId(), p.waiting() - 1, failed, p.answer(), p.digest());
      return this;
    }
    pending = null;
    timers.cancel(ACK_TIMER);
    if (failed) {
      metrics.routeErrors.increment();
      return failed(
          "a destination refused the change (" + detail + "); routed again next poll",
          Optional.empty());
    }
    remember(p.answer(), p.digest());
    return succeeded();
  }

  private Behavior<Command> onAckTimeout(AckTimeout t) {
    if (pending == null || !pending.messageId().equals(t.messageId())) return this;
    pending = null;
    metrics.routeErrors.increment();
    return failed(
        "no acknowledgement within " + settings.timeout() + "; the change is routed again",
        Optional.empty());
  }

  private Behavior<Command> onFailed(Failed f) {
    polling = false;
    Throwable cause =
        f.cause() instanceof CompletionException c && c.getCause() != null
            ? c.getCause()
            : f.cause();
    String why =
        cause instanceof TimeoutException
            ? "no answer within " + settings.timeout() + " from GET " + settings.url()
            : cause.getClass().getSimpleName() + ": " + cause.getMessage();
    return failed(why, Optional.empty());
  }

  private void remember(Answered a, byte[] digest) {
    lastDigest = digest;
    etag = a.etag();
    lastModified = a.lastModified();
  }

  private Behavior<Command> succeeded() {
    if (failuresInARow > 0)
      getContext()
          .getLog()
          .info(
              "{}: {} answers again after {} failures",
              settings.name(),
              settings.url(),
              failuresInARow);
    failuresInARow = 0;
    state = "connected";
    detail = "";
    return scheduleNext(settings.interval());
  }

  private Behavior<Command> failed(String why, Optional<Duration> retryAfter) {
    errors++;
    metrics.handlerFailures.increment();
    Duration delay =
        Backoff.delay(failuresInARow, settings.interval(), settings.maxBackoff(), retryAfter);
    failuresInARow++;
    state = "failed";
    detail = why + "; next poll in " + delay.toMillis() + "ms";
    // Once per outage at warn; repeats at debug, so a dead service does not flood the log.
    if (failuresInARow == 1) getContext().getLog().warn("{}: {}", settings.name(), detail);
    else getContext().getLog().debug("{}: {}", settings.name(), detail);
    return scheduleNext(delay);
  }

  private Behavior<Command> scheduleNext(Duration delay) {
    timers.startSingleTimer(Tick.INSTANCE, Tick.INSTANCE, delay);
    return this;
  }

  private Behavior<Command> onGetStatus(GetStatus g) {
    Map<String, Double> counters = new LinkedHashMap<>();
    counters.put("requests", metrics.framesOut.count());
    counters.put("changed", metrics.framesIn.count());
    counters.put("unchanged", (double) unchanged);
    counters.put("not_modified", (double) notModified);
    counters.put("errors", (double) errors);
    counters.put("failures_in_a_row", (double) failuresInARow);
    counters.put("decode_errors", metrics.decodeErrors.count());
    counters.put("route_errors", metrics.routeErrors.count());
    counters.put("bytes_in", metrics.bytesIn.count());
    g.replyTo()
        .tell(
            new EndpointStatus(
                settings.name(),
                "http-poll",
                settings.url(),
                state,
                polling ? 1 : 0,
                detail,
                counters));
    return this;
  }

  private static byte[] sha256(ByteString body) {
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      d.update(body.asByteBuffer());
      return d.digest();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
