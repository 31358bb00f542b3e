package io.junction.http;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.NotUsed;
import org.apache.pekko.http.javadsl.model.sse.ServerSentEvent;
import org.apache.pekko.stream.javadsl.Source;

/**
 * The live feed behind {@code GET /v1/events}: every {@code junction.http.events-interval} one
 * server-sent event {@code snapshot} whose data is the node as JSON — {@code node}, {@code time},
 * {@code endpoints}, {@code connections}, {@code queues} and {@code routes}, each as the matching
 * {@code GET /v1/...} call shows it. A snapshot the node does not answer in time becomes one {@code
 * problem} event (a problem document) and the feed goes on.
 *
 * <p>Ticks are dropped, not queued, while a snapshot is being gathered or a slow client has not
 * read the previous one, so a slow browser costs one snapshot at a time, never a backlog.
 */
final class EventStream {
  private enum Tick {
    INSTANCE
  }

  private final NodeViews views;
  private final QueueRoutes queues;
  private final List<String> tcpServers;
  private final Supplier<Map<String, Object>> node;
  private final Duration interval;

  EventStream(
      NodeViews views,
      QueueRoutes queues,
      List<String> tcpServers,
      Supplier<Map<String, Object>> node,
      Duration interval) {
    this.views = views;
    this.queues = queues;
    this.tcpServers = List.copyOf(tcpServers);
    this.node = node;
    this.interval = interval;
  }

  Source<ServerSentEvent, NotUsed> source() {
    return Source.tick(Duration.ZERO, interval, Tick.INSTANCE)
        .mapAsync(1, t -> event())
        .mapMaterializedValue(cancellable -> NotUsed.getInstance());
  }

  private CompletionStage<ServerSentEvent> event() {
    return snapshot()
        .handle(
            (snapshot, failure) ->
                failure == null
                    ? ServerSentEvent.create(Json.text(snapshot), "snapshot")
                    : ServerSentEvent.create(Json.text(busy(failure)), "problem"));
  }

  /** One snapshot: the asks run concurrently, each bounded by the request timeout. */
  CompletionStage<Map<String, Object>> snapshot() {
    var endpoints = views.statuses();
    var connections = views.connections(tcpServers);
    var queueStats = queues.allStats();
    var routes = views.routes();
    return endpoints.thenCompose(
        e ->
            connections.thenCompose(
                c ->
                    queueStats.thenCombine(
                        routes,
                        (q, r) -> {
                          Map<String, Object> m = new LinkedHashMap<>();
                          m.put("node", node.get());
                          m.put("time", Instant.now().toString());
                          m.put("endpoints", e.stream().map(NodeViews::endpoint).toList());
                          m.put("connections", c);
                          m.put("queues", q);
                          m.put("routes", r);
                          return m;
                        })));
  }

  private static Map<String, Object> busy(Throwable failure) {
    Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("type", "urn:junction:problem:node-busy");
    doc.put("title", "Node did not answer");
    doc.put("status", 503);
    doc.put("detail", "snapshot incomplete: " + cause.getMessage());
    return doc;
  }
}
