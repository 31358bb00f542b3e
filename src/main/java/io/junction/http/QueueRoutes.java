package io.junction.http;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import io.junction.codec.StructRegistry;
import io.junction.message.Envelope;
import io.junction.metrics.Metrics;
import io.junction.queue.MessageTiming;
import io.junction.queue.QueueCatalog;
import io.junction.queue.QueueEntity;
import io.junction.queue.Queues;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.IntFunction;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;
import org.apache.pekko.pattern.StatusReply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The queue API under {@code /v1/queues}: list, create, delete, publish (answered once durable),
 * lease with a visibility timeout, ack and nack by receipt, peek, dead letters, purge.
 */
final class QueueRoutes extends AllDirectives {
  private static final int MAX_LEASE = 1000;
  private static final int MAX_BATCH = 1000;
  private static final int MAX_CACHED_ROUTES = 1024;
  // Well under pekko-http's idle-timeout (60 s), which would close a connection silent that long.
  private static final Duration MAX_WAIT = Duration.ofSeconds(30);
  private final ActorRef<ShardingEnvelope<QueueEntity.Command>> queues;
  private final Queues.Settings settings;
  private final List<String> declared;
  private final StructRegistry structs;
  private final ActorSystem<?> system;
  private final Duration timeout;
  private final long maxBodyBytes;
  private final BiFunction<Scope, Supplier<Route>, Route> requires;
  private final QueueStream stream;
  private final QueueSocket socket;
  private final Map<String, Route> byName = new ConcurrentHashMap<>();
  private final QueueCatalog catalog;
  private static final Logger log = LoggerFactory.getLogger(QueueRoutes.class);

  QueueRoutes(
      ActorRef<ShardingEnvelope<QueueEntity.Command>> queues,
      Queues.Settings settings,
      StructRegistry structs,
      ActorSystem<?> system,
      Duration timeout,
      long maxBodyBytes,
      BiFunction<Scope, Supplier<Route>, Route> requires) {
    this.queues = queues;
    this.settings = settings;
    this.declared = settings.declared().keySet().stream().sorted().toList();
    this.structs = structs;
    this.system = system;
    this.timeout = timeout;
    this.maxBodyBytes = maxBodyBytes;
    this.requires = requires;
    this.stream = new QueueStream(queues, system);
    this.catalog = new QueueCatalog(system);
    this.socket =
        new QueueSocket(
            this::ask,
            stream,
            system,
            timeout,
            maxBodyBytes,
            MAX_BATCH,
            Metrics.get(system).registry());
  }

  Route routes() {
    return pathPrefix(
        "queues",
        () ->
            concat(
                pathEnd(
                    () -> get(() -> requires.apply(Scope.READ, () -> completeWithFuture(list())))),
                pathPrefix(segment(), this::queue)));
  }

  // The Java DSL calls this on every request under /v1/queues/{q}: the tree of a queue name seen
  // before is reused (its routes capture only the name), up to a bound, since names come from
  // clients.
  private Route queue(String q) {
    Route known = byName.get(q);
    if (known != null) return known;
    if (!Queues.NAME.matcher(q).matches())
      return complete(
          Problem.badRequest(
              "bad-queue-name",
              "Not a queue name",
              "'" + q + "' must match " + Queues.NAME.pattern()));
    Route built = build(q);
    if (byName.size() < MAX_CACHED_ROUTES) byName.putIfAbsent(q, built);
    return built;
  }

  private Route build(String q) {
    // the calls of a busy queue first: publish, ack, then the rest
    return concat(
        path(
            "messages:batch",
            () -> post(() -> requires.apply(Scope.PUBLISH, () -> publishBatch(q)))),
        path("ack", () -> post(() -> requires.apply(Scope.PUBLISH, () -> settle(q, true)))),
        pathEnd(() -> queueItself(q)),
        path("stream", () -> get(() -> requires.apply(Scope.PUBLISH, () -> stream(q)))),
        path("socket", () -> get(() -> requires.apply(Scope.PUBLISH, () -> socket(q)))),
        path(
            "messages",
            () ->
                concat(
                    post(() -> requires.apply(Scope.PUBLISH, () -> publish(q))),
                    get(() -> requires.apply(Scope.PUBLISH, () -> lease(q))),
                    delete(() -> requires.apply(Scope.ADMIN, () -> completeWithFuture(purge(q)))))),
        path("nack", () -> post(() -> requires.apply(Scope.PUBLISH, () -> settle(q, false)))),
        path("peek", () -> get(() -> requires.apply(Scope.READ, () -> peek(q)))),
        pathPrefix(
            "dead-letters",
            () ->
                concat(
                    pathEnd(
                        () ->
                            concat(
                                get(() -> requires.apply(Scope.READ, () -> deadLetters(q))),
                                delete(
                                    () ->
                                        requires.apply(
                                            Scope.ADMIN,
                                            () -> completeWithFuture(purgeDeadLetters(q)))))),
                    path(
                        "redrive",
                        () -> post(() -> requires.apply(Scope.ADMIN, () -> redrive(q)))))));
  }

  private <R> CompletionStage<R> ask(String q, Function<ActorRef<R>, QueueEntity.Command> cmd) {
    return ask(q, cmd, timeout);
  }

  private <R> CompletionStage<R> ask(
      String q, Function<ActorRef<R>, QueueEntity.Command> cmd, Duration within) {
    return Stages.on( // not a thread per callback (see Stages)
        AskPattern.ask(
            queues,
            replyTo -> new ShardingEnvelope<>(q, cmd.apply(replyTo)),
            within,
            system.scheduler()),
        system.executionContext());
  }

  private CompletionStage<HttpResponse> list() {
    return guarded(allStats().thenApply(all -> Json.response(StatusCodes.OK, all)));
  }

  /**
   * Stats of every queue, as {@code GET /v1/queues} shows them, by name: the declared ones and the
   * others the journal holds ({@link QueueCatalog}).
   */
  CompletionStage<List<Map<String, Object>>> allStats() {
    return names()
        .thenCompose(
            names -> {
              List<CompletableFuture<QueueEntity.QueueStats>> all = new ArrayList<>();
              for (String q : names)
                all.add(
                    this.<QueueEntity.QueueStats>ask(q, QueueEntity.GetStats::new)
                        .toCompletableFuture());
              return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
                  .thenApply(v -> all.stream().map(f -> stats(f.join())).toList());
            });
  }

  // Without the journal's list (the database is down) the declared queues are still shown (and
  // answer "queue-busy" if they cannot recover).
  private CompletionStage<List<String>> names() {
    return catalog
        .stored()
        .handle(
            (stored, failure) -> {
              if (failure != null) {
                log.warn("cannot list the journal's queues; showing the declared ones", failure);
                return declared;
              }
              Set<String> names = new TreeSet<>(declared);
              names.addAll(stored);
              return List.copyOf(names);
            });
  }

  private Route queueItself(String q) {
    return concat(
        get(() -> requires.apply(Scope.READ, () -> completeWithFuture(stats(q)))),
        put(() -> requires.apply(Scope.PUBLISH, () -> create(q))),
        delete(
            () ->
                requires.apply(
                    Scope.ADMIN,
                    () ->
                        parameterOptional(
                            "if-empty",
                            ifEmpty -> completeWithFuture(delete(q, ifEmpty.orElse("false")))))));
  }

  // Settings of a queue come from the config (junction.queues, a policy, junction.queue-defaults):
  // a body that looks like settings is refused rather than ignored.
  private Route create(String q) {
    return extractStrictEntity(
        timeout,
        entity -> {
          if (!entity.getData().isEmpty())
            return complete(
                Problem.badRequest(
                    "bad-request",
                    "Queue settings are not taken here",
                    "PUT /v1/queues/"
                        + q
                        + " takes no body: a queue's settings come from the config:"
                        + " junction.queues."
                        + q
                        + ", else a junction.queue-policies entry whose pattern matches the name,"
                        + " else junction.queue-defaults"));
          if (settings.declared().containsKey(q))
            return complete(Json.response(StatusCodes.OK, Map.of("name", q, "created", false)));
          return completeWithFuture(
              guarded(
                  this.<QueueEntity.Created>ask(q, QueueEntity.Create::new)
                      .thenApply(
                          c ->
                              Json.response(
                                  c.created() ? StatusCodes.CREATED : StatusCodes.OK,
                                  Map.of("name", q, "created", c.created())))));
        });
  }

  private CompletionStage<HttpResponse> delete(String q, String ifEmpty) {
    if (!ifEmpty.equals("true") && !ifEmpty.equals("false"))
      return CompletableFuture.completedFuture(
          Problem.badRequest(
              "bad-parameter",
              "Bad parameter",
              "if-empty must be true or false, was '" + ifEmpty + "'"));
    if (settings.declared().containsKey(q))
      return CompletableFuture.completedFuture(
          Problem.of(
              StatusCodes.CONFLICT,
              "queue-declared",
              "Queue is declared in the config",
              "queue '"
                  + q
                  + "' is declared in junction.queues: remove it there (and restart the node)"
                  + " to delete it, or purge it (DELETE /v1/queues/"
                  + q
                  + "/messages)"));
    return guarded(
        this.<StatusReply<QueueEntity.Deleted>>ask(
                q, r -> new QueueEntity.Delete(ifEmpty.equals("true"), r))
            .thenApply(
                reply -> {
                  if (reply.isError())
                    return Problem.of(
                        StatusCodes.CONFLICT,
                        "queue-not-empty",
                        "Queue is not empty",
                        reply.getError().getMessage());
                  QueueEntity.Deleted d = reply.getValue();
                  Map<String, Object> m = new LinkedHashMap<>();
                  m.put("name", q);
                  m.put("messages", d.messages());
                  m.put("dead_letters", d.deadLetters());
                  return Json.response(StatusCodes.OK, m);
                }));
  }

  private CompletionStage<HttpResponse> stats(String q) {
    return guarded(
        this.<QueueEntity.QueueStats>ask(q, QueueEntity.GetStats::new)
            .thenApply(s -> Json.response(StatusCodes.OK, stats(s))));
  }

  private Map<String, Object> stats(QueueEntity.QueueStats s) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", s.queue());
    // where its settings come from: junction.queues, a policy, or junction.queue-defaults
    m.put("declared", settings.declared().containsKey(s.queue()));
    Queues.Policy policy = settings.policyFor(s.queue());
    if (policy != null) m.put("policy", policy.name());
    m.put("depth", s.depth());
    m.put("ready", s.ready());
    m.put("delayed", s.delayed());
    m.put("in_flight", s.inFlight());
    m.put("dead_letters", s.deadLetters());
    m.put("subscribers", s.subscribers());
    m.put("published", s.published());
    m.put("delivered", s.delivered());
    m.put("acked", s.acked());
    m.put("dead_lettered", s.deadLettered());
    m.put("publish_rate", rate(s.publishRate()));
    m.put("deliver_rate", rate(s.deliverRate()));
    m.put("ack_rate", rate(s.ackRate()));
    return m;
  }

  // Messages per second, to a tenth: what a dashboard shows.
  private static double rate(double perSecond) {
    return Math.round(perSecond * 10) / 10.0;
  }

  private Route publish(String q) {
    return parameterMap(
        params ->
            extractRequestEntity(
                entity ->
                    withSizeLimit(
                        maxBodyBytes,
                        () ->
                            entity(
                                Unmarshaller.entityToByteString(),
                                body -> {
                                  String media = entity.getContentType().mediaType().toString();
                                  if (media.equals(BatchRequest.NDJSON))
                                    return batch(q, media, body);
                                  PublishRequest.Result r =
                                      PublishRequest.parse(
                                          "queue:" + q, media, body, params, structs);
                                  if (r instanceof PublishRequest.Bad bad)
                                    return complete(bad.problem());
                                  var env = ((PublishRequest.Ok) r).envelope();
                                  String badTiming = MessageTiming.problem(List.of(env));
                                  if (badTiming != null)
                                    return complete(
                                        Problem.badRequest(
                                            "bad-header", "Bad message header", badTiming));
                                  return completeWithFuture(
                                      guarded(
                                          this.<StatusReply<QueueEntity.Enqueued>>ask(
                                                  q,
                                                  replyTo -> QueueEntity.Publish.of(env, replyTo))
                                              .thenApply(QueueRoutes::published)));
                                }))));
  }

  private static HttpResponse published(StatusReply<QueueEntity.Enqueued> reply) {
    if (reply.isError())
      return Problem.unavailable(
          "publish-refused", "Queue refused the message", reply.getError().getMessage());
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("id", reply.getValue().messageId());
    body.put("seq", reply.getValue().seq());
    return Json.response(StatusCodes.CREATED, body);
  }

  private Route publishBatch(String q) {
    return extractRequestEntity(
        entity ->
            withSizeLimit(
                maxBodyBytes,
                () ->
                    entity(
                        Unmarshaller.entityToByteString(),
                        body -> batch(q, entity.getContentType().mediaType().toString(), body))));
  }

  private Route batch(String q, String mediaType, org.apache.pekko.util.ByteString body) {
    List<Envelope> envelopes;
    try {
      envelopes = BatchRequest.parse(mediaType, body, MAX_BATCH);
    } catch (IllegalArgumentException e) {
      return complete(Problem.badRequest("bad-batch", "Not a batch of messages", e.getMessage()));
    }
    String badTiming = MessageTiming.problem(envelopes);
    if (badTiming != null)
      return complete(Problem.badRequest("bad-batch", "Not a batch of messages", badTiming));
    return completeWithFuture(
        guarded(
            this.<StatusReply<QueueEntity.EnqueuedBatch>>ask(
                    q, replyTo -> new QueueEntity.PublishBatch(envelopes, replyTo))
                .thenApply(QueueRoutes::publishedBatch)));
  }

  private static HttpResponse publishedBatch(StatusReply<QueueEntity.EnqueuedBatch> reply) {
    if (reply.isError())
      return Problem.unavailable(
          "publish-refused", "Queue refused the batch", reply.getError().getMessage());
    List<QueueEntity.Enqueued> all = reply.getValue().messages();
    byte[] body =
        Json.object(
            g -> {
              g.writeNumberField("count", all.size());
              writeEnqueued(g, "messages", all);
            });
    return HttpResponse.create()
        .withStatus(StatusCodes.CREATED)
        .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, body));
  }

  /** {@code "field": [{"id", "seq"}, ...]}: published messages, as a batch or a socket answers. */
  static void writeEnqueued(JsonGenerator g, String field, List<QueueEntity.Enqueued> all)
      throws IOException {
    g.writeArrayFieldStart(field);
    for (QueueEntity.Enqueued e : all) {
      g.writeStartObject();
      g.writeStringField("id", e.messageId());
      g.writeNumberField("seq", e.seq());
      g.writeEndObject();
    }
    g.writeEndArray();
  }

  private Route lease(String q) {
    return parameterOptional(
        "max",
        max ->
            parameterOptional(
                "visibility",
                vis ->
                    parameterOptional(
                        "wait",
                        wait -> {
                          int n;
                          Duration visibility;
                          Duration waitFor;
                          try {
                            n = Integer.parseInt(max.orElse("1"));
                            visibility =
                                vis.map(QueueRoutes::duration).orElse(Duration.ofSeconds(30));
                            waitFor = wait.map(QueueRoutes::duration).orElse(Duration.ZERO);
                          } catch (RuntimeException e) {
                            return complete(
                                Problem.badRequest(
                                    "bad-parameter", "Bad lease parameters", e.getMessage()));
                          }
                          if (n < 1
                              || n > MAX_LEASE
                              || visibility.isNegative()
                              || visibility.isZero()
                              || waitFor.isNegative()
                              || waitFor.compareTo(MAX_WAIT) > 0)
                            return complete(
                                Problem.badRequest(
                                    "bad-parameter",
                                    "Bad lease parameters",
                                    "max must be 1.."
                                        + MAX_LEASE
                                        + ", visibility positive and wait 0.."
                                        + MAX_WAIT.toSeconds()
                                        + "s"));
                          return leased(q, n, visibility, waitFor);
                        })));
  }

  // A long poll may outlast the server's request timeout: the route's own timeout grows with it.
  private Route leased(String q, int n, Duration visibility, Duration waitFor) {
    Duration within = timeout.plus(waitFor);
    Route answer =
        completeWithFuture(
            guarded(
                this.<QueueEntity.Leased>ask(
                        q, r -> new QueueEntity.Lease(n, visibility, waitFor, r), within)
                    .thenApply(
                        l ->
                            Json.response(
                                StatusCodes.OK,
                                l.deliveries().stream().map(MessageView::of).toList()))));
    if (waitFor.isZero()) return answer;
    return withRequestTimeout(within.plusSeconds(1), () -> answer);
  }

  private Route stream(String q) {
    return count(
        "prefetch",
        100,
        MAX_LEASE,
        prefetch -> complete(HttpResponse.create().withEntity(stream.entity(q, prefetch))));
  }

  // Without prefetch (0) the socket only publishes and settles; with it, it is also a subscriber.
  private Route socket(String q) {
    return count(
        "prefetch", 0, MAX_LEASE, prefetch -> handleWebSocketMessages(socket.flow(q, prefetch)));
  }

  // ?name=N, 1..max; whenAbsent when the parameter is not given
  private Route count(String name, int whenAbsent, int max, IntFunction<Route> inner) {
    return parameterOptional(
        name,
        p -> {
          if (p.isEmpty()) return inner.apply(whenAbsent);
          int n;
          try {
            n = Integer.parseInt(p.get());
          } catch (NumberFormatException e) {
            n = -1;
          }
          if (n < 1 || n > max)
            return complete(
                Problem.badRequest(
                    "bad-parameter",
                    "Bad parameter",
                    name + " must be 1.." + max + ", was '" + p.get() + "'"));
          return inner.apply(n);
        });
  }

  private Route settle(String q, boolean ack) {
    return entity(
        Unmarshaller.entityToByteString(),
        body -> {
          List<String> receipts = new ArrayList<>();
          boolean requeue = true;
          try {
            JsonNode n = Json.MAPPER.readTree(body.toArray());
            JsonNode list = n.isArray() ? n : n.path("receipts");
            if (!list.isArray() || list.isEmpty())
              throw new IllegalArgumentException("expected {\"receipts\": [...]}");
            list.forEach(r -> receipts.add(r.asText()));
            if (n.has("requeue")) requeue = n.get("requeue").asBoolean();
          } catch (java.io.IOException | IllegalArgumentException e) {
            return complete(
                Problem.badRequest(
                    "bad-receipts", "Body is not a list of receipts", e.getMessage()));
          }
          boolean rq = requeue;
          CompletionStage<QueueEntity.Settled> settled =
              ack
                  ? ask(q, r -> new QueueEntity.Ack(receipts, r))
                  : ask(q, r -> new QueueEntity.Nack(receipts, rq, Duration.ZERO, r));
          return completeWithFuture(
              guarded(
                  settled.thenApply(
                      s -> {
                        Map<String, Object> m = new LinkedHashMap<>();
                        m.put("settled", s.settled());
                        m.put("unknown", s.unknownReceipts());
                        return Json.response(StatusCodes.OK, m);
                      })));
        });
  }

  private Route peek(String q) {
    return count(
        "max",
        10,
        MAX_LEASE,
        n -> {
          return completeWithFuture(
              guarded(
                  this.<QueueEntity.Peeked>ask(q, r -> new QueueEntity.Peek(n, r))
                      .thenApply(
                          p ->
                              Json.response(
                                  StatusCodes.OK,
                                  p.messages().stream().map(MessageView::of).toList()))));
        });
  }

  private CompletionStage<HttpResponse> purge(String q) {
    return removed(q, QueueEntity.Purge::new);
  }

  private CompletionStage<HttpResponse> purgeDeadLetters(String q) {
    return removed(q, QueueEntity.PurgeDeadLetters::new);
  }

  private CompletionStage<HttpResponse> removed(
      String q, Function<ActorRef<QueueEntity.Purged>, QueueEntity.Command> purge) {
    return guarded(
        this.<QueueEntity.Purged>ask(q, purge)
            .thenApply(p -> Json.response(StatusCodes.OK, Map.of("removed", p.removed()))));
  }

  private Route deadLetters(String q) {
    return count(
        "max",
        100,
        MAX_LEASE,
        n ->
            completeWithFuture(
                guarded(
                    this.<QueueEntity.DeadLetters>ask(q, r -> new QueueEntity.PeekDeadLetters(n, r))
                        .thenApply(
                            d ->
                                Json.response(
                                    StatusCodes.OK,
                                    d.deadLetters().stream().map(MessageView::of).toList())))));
  }

  // Without ?max every dead letter goes back (at most max-dead-letters are kept).
  private Route redrive(String q) {
    return count(
        "max",
        Integer.MAX_VALUE,
        Integer.MAX_VALUE,
        n ->
            completeWithFuture(
                guarded(
                    this.<QueueEntity.Redriven>ask(q, r -> new QueueEntity.RedriveDeadLetters(n, r))
                        .thenApply(
                            d -> Json.response(StatusCodes.OK, Map.of("moved", d.moved()))))));
  }

  private static Duration duration(String s) {
    return com.typesafe.config.ConfigFactory.parseString("d = " + s).getDuration("d");
  }

  private CompletionStage<HttpResponse> guarded(CompletionStage<HttpResponse> r) {
    return r.exceptionally(
        e ->
            Problem.unavailable(
                "queue-busy",
                "Queue did not answer",
                "no answer within " + timeout + ": " + e.getMessage()));
  }
}
