package io.junction.http;

import io.junction.node.Guardian;
import io.junction.node.NodeSettings;
import io.junction.tcp.EndpointBindException;
import io.junction.tcp.TcpSettings;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.ConnectionContext;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.ServerBuilder;

/**
 * The HTTP API endpoint: binds {@link ApiRoutes} on {@code junction.http.host:port} (HTTPS when TLS
 * is configured), unbinds in {@code CoordinatedShutdown}'s service-unbind phase, and owns the
 * {@link Publisher}. A failed bind restarts it with backoff; state lost on restart: the binding.
 */
public final class HttpServer {

  /** Messages the HTTP server accepts. */
  public sealed interface Command {}

  /** Ask for the bound address (for tests and logs); answered once bound. */
  public record GetAddress(ActorRef<InetSocketAddress> replyTo) implements Command {}

  /**
   * Ask which configured destinations the publisher does not see registered yet (the destination
   * half of {@code /v1/ready}, for tests that must not publish before the node is ready).
   */
  public record GetMissing(ActorRef<java.util.List<String>> replyTo) implements Command {}

  private record Bound(ServerBinding binding) implements Command {}

  // What GetMissing asks: the publisher's view of the configured destinations.
  private record Readiness(ActorRef<Publisher.Command> publisher, java.util.List<String> expected) {
    Behavior<Command> answer(GetMissing g) {
      publisher.tell(new Publisher.GetMissing(expected, g.replyTo()));
      return Behaviors.same();
    }
  }

  private record BindFailed(Throwable cause) implements Command {}

  private static final Duration HARD_DEADLINE = Duration.ofSeconds(5);

  private HttpServer() {}

  public static Behavior<Command> create(
      NodeSettings node, Guardian.Refs refs, io.junction.cluster.ClusterManagement management) {
    Behavior<Command> server =
        Behaviors.setup(
            ctx -> {
              var routing =
                  new java.util.concurrent.atomic.AtomicReference<>(
                      io.junction.routing.RoutingSnapshot.empty());
              ActorRef<Publisher.Command> publisher =
                  ctx.spawn(Publisher.create(refs.router(), routing), "publisher");
              ApiRoutes routes =
                  new ApiRoutes(
                      node.nodeName(),
                      node.http(),
                      node.codecs().structs(),
                      node.tcpServers().stream().map(TcpSettings.Server::name).toList(),
                      destinations(node),
                      node.queues(),
                      refs,
                      publisher,
                      routing,
                      management,
                      ctx.getSystem());
              HttpSettings s = node.http();
              ServerBuilder builder =
                  Http.get(ctx.getSystem())
                      .newServerAt(s.host(), s.port())
                      .withSettings(limits(ctx.getSystem(), s));
              if (s.tls().isPresent())
                builder =
                    builder.enableHttps(ConnectionContext.httpsServer(s.tls().get()::serverEngine));
              ctx.pipeToSelf(
                  builder.bindFlow(handler(ctx.getSystem(), s, routes)),
                  (b, failure) -> failure == null ? new Bound(b) : new BindFailed(failure));
              return starting(
                  ctx,
                  s,
                  new Readiness(publisher, destinations(node)),
                  new java.util.ArrayList<>());
            });
    return Behaviors.supervise(server)
        .onFailure(
            EndpointBindException.class,
            SupervisorStrategy.restartWithBackoff(
                Duration.ofSeconds(1), Duration.ofSeconds(30), 0.2));
  }

  /**
   * pekko-http's own limits, so no route can read a body over {@code max-body-bytes} (413) even
   * without its own size limit; header limits stay pekko's (8k per value: 431 beyond).
   */
  private static org.apache.pekko.http.javadsl.settings.ServerSettings limits(
      org.apache.pekko.actor.typed.ActorSystem<?> system, HttpSettings s) {
    var server =
        org.apache.pekko.http.javadsl.settings.ServerSettings.create(
            org.apache.pekko.actor.typed.javadsl.Adapter.toClassic(system));
    return server.withParserSettings(
        server.getParserSettings().withMaxContentLength(s.maxBodyBytes()));
  }

  /**
   * The routes, behind the {@code header-timeout} of each connection when it is on (its counter is
   * registered either way, so the metric is there to alert on).
   */
  private static org.apache.pekko.stream.javadsl.Flow<
          org.apache.pekko.http.javadsl.model.HttpRequest,
          org.apache.pekko.http.javadsl.model.HttpResponse,
          ?>
      handler(
          org.apache.pekko.actor.typed.ActorSystem<?> system, HttpSettings s, ApiRoutes routes) {
    var flow = routes.routes().flow(system);
    var timedOut =
        io.junction.metrics.Metrics.get(system)
            .registry()
            .counter(
                "junction.connections.timed.out",
                "endpoint",
                "http",
                "kind",
                "http-server",
                "timeout",
                "header");
    if (s.headerTimeout().isEmpty()) return flow;
    return HeaderDeadline.flow(s.headerTimeout().get(), timedOut).join(flow);
  }

  /** Every destination the config names: what readiness waits for. */
  static java.util.List<String> destinations(NodeSettings node) {
    java.util.List<String> d = new java.util.ArrayList<>();
    node.tcpServers().forEach(s -> d.add("tcp:" + s.name()));
    node.tcpClients().forEach(c -> d.add("tcp:" + c.name()));
    node.udp().forEach(u -> d.add("udp:" + u.name()));
    node.http().destinations().forEach(h -> d.add("http:" + h.name()));
    // Each registers from its own actor's start, racing the first publish just like the above.
    node.ftpEndpoints().forEach(f -> d.add("ftp:" + f.name()));
    node.queues().declared().keySet().stream().sorted().forEach(q -> d.add("queue:" + q));
    node.topics().forEach(t -> d.add("topic:" + t.name()));
    return java.util.List.copyOf(d);
  }

  private static Behavior<Command> starting(
      ActorContext<Command> ctx,
      HttpSettings s,
      Readiness readiness,
      java.util.List<ActorRef<InetSocketAddress>> waiting) {
    return Behaviors.receive(Command.class)
        .onMessage(
            GetAddress.class,
            g -> {
              waiting.add(g.replyTo());
              return Behaviors.same();
            })
        .onMessage(GetMissing.class, readiness::answer)
        .onMessage(
            BindFailed.class,
            f -> {
              throw new EndpointBindException(
                  "http: cannot bind " + s.host() + ":" + s.port(), f.cause());
            })
        .onMessage(
            Bound.class,
            b -> {
              ServerBinding binding = b.binding();
              binding.addToCoordinatedShutdown(HARD_DEADLINE, ctx.getSystem());
              InetSocketAddress a = binding.localAddress();
              ctx.getLog()
                  .info(
                      "http listening on {}:{} ({} API{})",
                      a.getHostString(),
                      a.getPort(),
                      s.tls().isPresent() ? "https" : "http",
                      s.authRequired() ? ", bearer tokens required" : "");
              waiting.forEach(w -> w.tell(a));
              return running(binding, readiness);
            })
        .build();
  }

  private static Behavior<Command> running(ServerBinding binding, Readiness readiness) {
    return Behaviors.receive(Command.class)
        .onMessage(
            GetAddress.class,
            g -> {
              g.replyTo().tell(binding.localAddress());
              return Behaviors.same();
            })
        .onMessage(GetMissing.class, readiness::answer)
        .onSignal(
            PostStop.class,
            sig -> {
              binding.unbind();
              return Behaviors.same();
            })
        .build();
  }
}
