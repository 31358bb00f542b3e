package io.junction.http;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import io.junction.cluster.ClusterManagement;
import io.junction.codec.StructRegistry;
import io.junction.metrics.Metrics;
import io.junction.node.RouteReloader;
import io.junction.routing.Deliver;
import io.junction.routing.RoutingSnapshot;
import io.junction.tcp.TcpConnection;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.http.javadsl.marshalling.sse.EventStreamMarshalling;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.server.RejectionHandler;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP API, version 1, as pekko-http routes: JSON in and out, RFC 9457 problem documents for
 * every error, bearer tokens with scopes. The only place in the node that asks actors.
 */
public final class ApiRoutes extends AllDirectives {
  private static final Logger log = LoggerFactory.getLogger(ApiRoutes.class);
  private static final Set<String> LISTENER_KINDS = Set.of("tcp-server", "udp");

  private final HttpSettings settings;
  private final StructRegistry structs;
  private final List<String> tcpServers;
  private final List<String> destinations;
  private final ActorRef<Publisher.Command> publisher;
  private final AtomicReference<RoutingSnapshot> routing;
  private final ActorSystem<?> system;
  private final NodeViews views;
  private final Auth auth;
  private final HttpMetrics metrics;
  private final Duration timeout;
  private final QueueRoutes queueRoutes;
  private final TopicRoutes topicRoutes;
  private final EventStream events;
  private final ConsoleRoutes console = new ConsoleRoutes();
  private final String nodeName;
  private final ActorRef<RouteReloader.Command> reloader;
  private final ClusterManagement management;

  public ApiRoutes(
      String nodeName,
      HttpSettings settings,
      StructRegistry structs,
      List<String> tcpServers,
      List<String> destinations,
      io.junction.queue.Queues.Settings queueSettings,
      io.junction.node.Guardian.Refs refs,
      ActorRef<Publisher.Command> publisher,
      AtomicReference<RoutingSnapshot> routing,
      ClusterManagement management,
      ActorSystem<?> system) {
    this.nodeName = nodeName;
    this.management = management;
    this.settings = settings;
    this.structs = structs;
    this.tcpServers = List.copyOf(tcpServers);
    this.destinations = List.copyOf(destinations);
    this.publisher = publisher;
    this.routing = routing;
    this.system = system;
    this.timeout = settings.requestTimeout();
    this.reloader = refs.reloader();
    this.views = new NodeViews(refs, timeout, system.scheduler(), Metrics.get(system).registry());
    this.auth = new Auth(settings.authRequired(), settings.tokens());
    this.metrics = new HttpMetrics(Metrics.get(system).registry());
    this.queueRoutes =
        new QueueRoutes(
            refs.queues(),
            queueSettings,
            structs,
            system,
            timeout,
            settings.maxBodyBytes(),
            this::requires);
    this.topicRoutes = new TopicRoutes(refs.topics(), this::requires);
    this.events =
        new EventStream(views, queueRoutes, this.tcpServers, this::node, settings.eventsInterval());
  }

  public Route routes() {
    // Built once: the Java DSL calls a directive's inner Supplier on every request, so a tree
    // built inside one is rebuilt per request (it was a fifth of the publish path's CPU).
    Route api = api();
    Route rejecting = handleRejections(rejections(), () -> api);
    Route handled =
        RequestFaults.wrap(
            io.junction.faults.Faults.get(system),
            system,
            handleExceptions(exceptions(), () -> rejecting));
    return extractRequest(
        request -> mapResponse(response -> metrics.count(request, response), () -> handled));
  }

  private Route api() {
    Route v1 = v1();
    // The API first: every alternative a request tries before its own costs it a rejection and a
    // few futures (routing was 30% of the node's garbage per queued message at 5,000 msg/s).
    return concat(
        pathPrefix("v1", () -> v1),
        path("metrics", () -> get(() -> complete(prometheus()))),
        console.routes());
  }

  private Route v1() {
    return concat(
        // The hot paths first (publish, then the queues' publishes, deliveries and acks), so that
        // they do not try every other route before their own.
        path(
            segment("publish").slash(segment()),
            dest -> post(() -> requires(Scope.PUBLISH, () -> publish(dest)))),
        queueRoutes.routes(),
        path(
            "health",
            () -> get(() -> complete(Json.response(StatusCodes.OK, Map.of("status", "UP"))))),
        path("ready", () -> get(() -> completeWithFuture(ready()))),
        path(
            "node",
            () ->
                get(
                    () ->
                        requires(
                            Scope.READ, () -> complete(Json.response(StatusCodes.OK, node()))))),
        path(
            "events",
            () ->
                get(
                    () ->
                        requiresReadAllowingQueryToken(
                            () ->
                                completeOK(
                                    events.source(), EventStreamMarshalling.toEventStream())))),
        path(
            "endpoints",
            () -> get(() -> requires(Scope.READ, () -> completeWithFuture(endpoints())))),
        path(
            "routes",
            () -> get(() -> requires(Scope.READ, () -> completeWithFuture(ok(views.routes()))))),
        path(
            segment("routes").slash("reload"),
            () -> post(() -> requires(Scope.ADMIN, () -> completeWithFuture(reload())))),
        path(
            "connections",
            () ->
                get(
                    () ->
                        requires(
                            Scope.READ,
                            () ->
                                parameterOptional(
                                    "endpoint", e -> completeWithFuture(connections(e)))))),
        path(
            segment("connections").slash(segment()),
            id -> delete(() -> requires(Scope.ADMIN, () -> completeWithFuture(close(id))))),
        topicRoutes.routes(),
        new FaultRoutes(io.junction.faults.Faults.get(system), this::requires).routes(),
        new ClusterRoutes(system, timeout, this::requires).routes());
  }

  private Route requires(Scope scope, Supplier<Route> inner) {
    return optionalHeaderValueByName(
        "Authorization", header -> auth.check(header, scope).map(this::complete).orElseGet(inner));
  }

  /**
   * Read scope from the Authorization header or, because a browser's EventSource cannot set
   * headers, from {@code ?access_token=} (RFC 6750 section 2.3). Only {@code /v1/events} uses this.
   */
  private Route requiresReadAllowingQueryToken(Supplier<Route> inner) {
    return parameterOptional(
        "access_token",
        query ->
            optionalHeaderValueByName(
                "Authorization",
                header ->
                    auth.check(
                            header.isPresent() ? header : query.map(t -> "Bearer " + t), Scope.READ)
                        .map(this::complete)
                        .orElseGet(inner)));
  }

  /** This node: name, version, start time and uptime. */
  private Map<String, Object> node() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", nodeName);
    m.put("version", version());
    m.put("started", java.time.Instant.ofEpochMilli(system.startTime()).toString());
    m.put("uptime_seconds", system.uptime());
    return m;
  }

  private static String version() {
    return Optional.ofNullable(ApiRoutes.class.getPackage().getImplementationVersion())
        .orElse("dev");
  }

  private HttpResponse prometheus() {
    return HttpResponse.create()
        .withEntity(
            HttpEntities.create(ContentTypes.TEXT_PLAIN_UTF8, Metrics.get(system).scrape()));
  }

  /**
   * Ready: every listener bound, every configured destination registered with the router and, with
   * the cluster on, Pekko Management's readiness checks passing (this node is an Up member).
   */
  private CompletionStage<HttpResponse> ready() {
    CompletionStage<List<String>> unregistered =
        AskPattern.ask(
            publisher, r -> new Publisher.GetMissing(destinations, r), timeout, system.scheduler());
    CompletionStage<Optional<String>> cluster = management.notReady();
    return guarded(
        views
            .statuses()
            .thenCombine(unregistered, (statuses, missing) -> notReady(statuses, missing))
            .thenCombine(
                cluster,
                (local, member) -> {
                  if (local.isEmpty() && member.isEmpty())
                    return Json.response(StatusCodes.OK, Map.of("status", "READY"));
                  String detail =
                      String.join(
                          "; ",
                          java.util.stream.Stream.concat(
                                  local.stream(), member.map(m -> "cluster: " + m).stream())
                              .toList());
                  return Problem.unavailable("not-ready", "Not ready", detail);
                }));
  }

  /** What of this node's own endpoints and destinations is not up yet; empty when all are. */
  private static List<String> notReady(
      List<io.junction.endpoint.EndpointStatus> statuses, List<String> missing) {
    List<String> waiting =
        statuses.stream()
            .filter(s -> LISTENER_KINDS.contains(s.kind()))
            .filter(s -> !s.state().equals("bound"))
            .map(s -> s.name() + " (" + s.state() + ")")
            .toList();
    if (waiting.isEmpty() && missing.isEmpty()) return List.of();
    return List.of("endpoints not bound yet: " + waiting + "; destinations not up yet: " + missing);
  }

  /** 200 with the version now in force, or 422 listing every problem (the old table stays). */
  private CompletionStage<HttpResponse> reload() {
    // Reading and validating a whole config file may take longer than a plain query.
    Duration t = timeout.plusSeconds(10);
    return guarded(
        AskPattern.<RouteReloader.Command, RouteReloader.Result>ask(
                reloader, RouteReloader.Reload::new, t, system.scheduler())
            .thenApply(
                result -> {
                  if (result instanceof RouteReloader.Reloaded r) {
                    Map<String, Object> body = new LinkedHashMap<>();
                    body.put("status", "reloaded");
                    body.put("version", r.version());
                    body.put("routes", r.routes());
                    return Json.response(StatusCodes.OK, body);
                  }
                  var problems = ((RouteReloader.Rejected) result).problems();
                  return Problem.invalidConfig(
                      problems.size()
                          + (problems.size() == 1 ? " problem" : " problems")
                          + "; the routes in force are unchanged",
                      problems.stream()
                          .map(p -> Map.of("path", p.path(), "message", p.message()))
                          .toList());
                }));
  }

  private CompletionStage<HttpResponse> endpoints() {
    return ok(views.statuses().thenApply(list -> list.stream().map(NodeViews::endpoint).toList()));
  }

  private CompletionStage<HttpResponse> connections(Optional<String> endpoint) {
    if (endpoint.isPresent() && !tcpServers.contains(endpoint.get()))
      return CompletableFuture.completedFuture(
          Problem.notFound(
              "unknown-endpoint",
              "No such TCP server endpoint",
              "no tcp-server endpoint named '"
                  + endpoint.get()
                  + "' (tcp servers: "
                  + tcpServers
                  + ")"));
    return ok(views.connections(endpoint.map(List::of).orElse(tcpServers)));
  }

  private CompletionStage<HttpResponse> close(String id) {
    int dash = id.lastIndexOf('-');
    String endpoint = dash > 0 ? id.substring(0, dash) : "";
    HttpResponse unknown =
        Problem.notFound(
            "unknown-connection", "No such connection", "no live connection '" + id + "'");
    if (!tcpServers.contains(endpoint)) return CompletableFuture.completedFuture(unknown);
    return guarded(
        views
            .tcpServer(endpoint)
            .thenCompose(
                s ->
                    s.isEmpty()
                        ? CompletableFuture.completedFuture(
                            Map.<String, ActorRef<TcpConnection.Command>>of())
                        : views.connectionRefs(s.get()))
            .thenApply(
                conns -> {
                  ActorRef<TcpConnection.Command> c = conns.get(id);
                  if (c == null) return unknown;
                  c.tell(TcpConnection.Close.INSTANCE);
                  return Json.response(StatusCodes.ACCEPTED, Map.of("id", id, "state", "closing"));
                }));
  }

  private Route publish(String destination) {
    return parameterMap(
        params ->
            extractRequestEntity(
                entity ->
                    withSizeLimit(
                        settings.maxBodyBytes(),
                        () ->
                            entity(
                                Unmarshaller.entityToByteString(),
                                body -> {
                                  String media = entity.getContentType().mediaType().toString();
                                  PublishRequest.Result r =
                                      PublishRequest.parse(
                                          destination, media, body, params, structs);
                                  if (r instanceof PublishRequest.Bad bad)
                                    return complete(bad.problem());
                                  return completeWithFuture(deliver((PublishRequest.Ok) r));
                                }))));
  }

  private CompletionStage<HttpResponse> deliver(PublishRequest.Ok ok) {
    String dest = ok.destination().text();
    return Publisher.deliver(routing.get(), ok.destination(), ok.envelope(), timeout, system)
        .handle(
            (reply, failure) -> {
              if (failure != null)
                return Problem.of(
                    StatusCodes.GATEWAY_TIMEOUT,
                    "delivery-timeout",
                    "Destination did not answer",
                    dest
                        + " did not acknowledge message "
                        + ok.envelope().id()
                        + " within "
                        + timeout);
              if (reply instanceof Deliver.Delivered d) {
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("id", d.messageId());
                body.put("destination", dest);
                return Json.response(StatusCodes.ACCEPTED, body);
              }
              if (reply instanceof Deliver.DeliveryFailed f)
                return Problem.unavailable(
                    "delivery-failed", "Destination refused the message", dest + ": " + f.reason());
              return Problem.notFound(
                  "unknown-destination",
                  "No such destination",
                  "no destination " + dest + " is up on this node");
            });
  }

  private CompletionStage<HttpResponse> ok(CompletionStage<?> body) {
    return guarded(body.thenApply(b -> Json.response(StatusCodes.OK, b)));
  }

  /** A node that does not answer in time is a 503, not a 500. */
  private CompletionStage<HttpResponse> guarded(CompletionStage<HttpResponse> response) {
    return response.exceptionally(
        e -> {
          Throwable cause = e.getCause() != null ? e.getCause() : e;
          if (!(cause instanceof TimeoutException)) log.warn("API request failed", cause);
          return Problem.unavailable(
              "node-busy",
              "Node did not answer",
              "no answer within " + timeout + ": " + cause.getMessage());
        });
  }

  private RejectionHandler rejections() {
    // Pekko's own choice of status and its specific message, as a problem document.
    return RejectionHandler.defaultHandler().mapRejectionResponse(ApiRoutes::asProblem);
  }

  private static HttpResponse asProblem(HttpResponse response) {
    if (response.entity().getContentType().equals(Problem.PROBLEM_JSON)) return response;
    String detail =
        response.entity() instanceof HttpEntity.Strict s ? s.getData().utf8String() : "";
    var status = response.status();
    String type = status.reason().toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9]+", "-");
    HttpResponse problem = Problem.of(status, type, status.reason(), detail);
    return problem.addHeaders(response.getHeaders());
  }

  private ExceptionHandler exceptions() {
    return ExceptionHandler.newBuilder()
        .matchAny(
            e -> {
              log.error("API request failed", e);
              return complete(
                  Problem.of(
                      StatusCodes.INTERNAL_SERVER_ERROR,
                      "internal-error",
                      "Internal error",
                      e.getClass().getSimpleName() + ": " + e.getMessage()));
            })
        .build();
  }
}
