package io.junction.http;

import io.junction.endpoint.EndpointStatus;
import io.junction.node.Endpoints;
import io.junction.node.Guardian;
import io.junction.routing.Destination;
import io.junction.routing.Route;
import io.junction.routing.Router;
import io.junction.tcp.ConnectionInfo;
import io.junction.tcp.TcpConnection;
import io.junction.tcp.TcpServer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Scheduler;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

/**
 * What the read-only API shows, gathered by asking the node's actors (the HTTP edge is the one
 * place that asks) and rendered as JSON-ready maps and lists.
 */
final class NodeViews {
  private final Guardian.Refs refs;
  private final Duration timeout;
  private final Scheduler scheduler;
  private final MeterRegistry registry;

  NodeViews(Guardian.Refs refs, Duration timeout, Scheduler scheduler, MeterRegistry registry) {
    this.refs = refs;
    this.timeout = timeout;
    this.scheduler = scheduler;
    this.registry = registry;
  }

  CompletionStage<List<EndpointStatus>> statuses() {
    return AskPattern.ask(refs.endpoints(), Endpoints.GetStatuses::new, timeout, scheduler);
  }

  static Map<String, Object> endpoint(EndpointStatus s) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", s.name());
    m.put("kind", s.kind());
    m.put("address", s.address());
    m.put("state", s.state());
    m.put("connections", s.connections());
    if (!s.detail().isEmpty()) m.put("detail", s.detail());
    Map<String, Object> counters = new java.util.TreeMap<>();
    s.counters().forEach((k, v) -> counters.put(k, Json.number(v)));
    m.put("counters", counters);
    return m;
  }

  /** The TCP server endpoint {@code name}, if there is one. */
  CompletionStage<Optional<ActorRef<TcpServer.Command>>> tcpServer(String name) {
    return AskPattern.ask(
        refs.endpoints(), r -> new Endpoints.GetTcpServer(name, r), timeout, scheduler);
  }

  CompletionStage<Map<String, ActorRef<TcpConnection.Command>>> connectionRefs(
      ActorRef<TcpServer.Command> server) {
    return AskPattern.ask(server, TcpServer.GetConnections::new, timeout, scheduler);
  }

  /**
   * Live connections of the named TCP servers, by id; a connection closing meanwhile is left out.
   */
  CompletionStage<List<Map<String, Object>>> connections(List<String> servers) {
    List<CompletableFuture<List<ConnectionInfo>>> perServer = new ArrayList<>();
    for (String name : servers)
      perServer.add(
          tcpServer(name)
              .thenCompose(
                  s ->
                      s.isEmpty()
                          ? CompletableFuture.completedFuture(List.<ConnectionInfo>of())
                          : connectionRefs(s.get()).thenCompose(this::infos))
              .toCompletableFuture());
    return CompletableFuture.allOf(perServer.toArray(CompletableFuture[]::new))
        .thenApply(
            v ->
                perServer.stream()
                    .flatMap(f -> f.join().stream())
                    .sorted(Comparator.comparing(ConnectionInfo::id))
                    .map(NodeViews::connection)
                    .toList());
  }

  private CompletionStage<List<ConnectionInfo>> infos(
      Map<String, ActorRef<TcpConnection.Command>> conns) {
    List<CompletableFuture<Optional<ConnectionInfo>>> asks = new ArrayList<>();
    for (ActorRef<TcpConnection.Command> c : conns.values())
      asks.add(
          AskPattern.<TcpConnection.Command, ConnectionInfo>ask(
                  c, TcpConnection.GetInfo::new, timeout, scheduler)
              .handle((info, failure) -> Optional.ofNullable(info))
              .toCompletableFuture());
    return CompletableFuture.allOf(asks.toArray(CompletableFuture[]::new))
        .thenApply(v -> asks.stream().flatMap(f -> f.join().stream()).toList());
  }

  private static Map<String, Object> connection(ConnectionInfo c) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", c.id());
    m.put("endpoint", c.endpoint());
    m.put("peer", c.peer());
    m.put("since", c.since().toString());
    m.put("bytes_in", c.bytesIn());
    m.put("bytes_out", c.bytesOut());
    m.put("frames_in", c.framesIn());
    m.put("frames_out", c.framesOut());
    return m;
  }

  CompletionStage<List<Map<String, Object>>> routes() {
    return AskPattern.<Router.Command, List<Route>>ask(
            refs.router(), Router.GetRoutes::new, timeout, scheduler)
        .thenApply(routes -> routes.stream().map(this::route).toList());
  }

  private Map<String, Object> route(Route r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", r.name());
    m.put("from", r.from());
    m.put("where", r.condition());
    m.put("to", r.to().stream().map(Destination::text).toList());
    Map<String, Object> counters = new LinkedHashMap<>();
    for (String c : List.of("matched", "delivered", "failed", "dropped", "errored"))
      counters.put(c, Json.number(count("junction.route." + c, r.name())));
    m.put("counters", counters);
    return m;
  }

  private double count(String meter, String route) {
    Counter c = registry.find(meter).tag("route", route).counter();
    return c == null ? 0 : c.count();
  }
}
