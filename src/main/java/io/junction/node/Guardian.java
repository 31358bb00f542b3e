package io.junction.node;

import io.junction.cluster.ClusterManagement;
import io.junction.cluster.ClusterSettings;
import io.junction.config.ConfigProblems;
import io.junction.ftp.DemoFtp;
import io.junction.http.HttpServer;
import io.junction.queue.JournalSetup;
import io.junction.queue.QueueDestination;
import io.junction.queue.QueueEntity;
import io.junction.queue.QueueRouteSources;
import io.junction.queue.QueueSharding;
import io.junction.queue.Queues;
import io.junction.routing.Router;
import io.junction.topic.Topics;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;

/**
 * The node's root: spawns the router, the durable queues (with a {@code queue:<name>} destination
 * per declared queue) and the endpoints from {@link NodeSettings}, and ties the endpoints into
 * {@link CoordinatedShutdown} (stop accepting, then drain connections within the configured time).
 */
public final class Guardian {

  /** Messages the guardian accepts. */
  public sealed interface Command {}

  /** The top-level actors, for the API and tests. */
  public record GetRefs(ActorRef<Refs> replyTo) implements Command {}

  /** The node's top-level actors. */
  public record Refs(
      ActorRef<Router.Command> router,
      ActorRef<Endpoints.Command> endpoints,
      ActorRef<ShardingEnvelope<QueueEntity.Command>> queues,
      ActorRef<RouteReloader.Command> reloader,
      Map<String, io.junction.topic.NodeTopic> topics) {}

  /** The HTTP API server, if {@code junction.http.enabled}. */
  public record GetHttpServer(ActorRef<java.util.Optional<ActorRef<HttpServer.Command>>> replyTo)
      implements Command {}

  /** The STOMP listener, if {@code junction.stomp.enabled}. */
  public record GetStompServer(
      ActorRef<java.util.Optional<ActorRef<io.junction.stomp.StompServer.Command>>> replyTo)
      implements Command {}

  private Guardian() {}

  public static Behavior<Command> create(NodeSettings settings) {
    return create(settings, java.util.Optional.empty());
  }

  /** A node whose routes can be reloaded from {@code configFile}, the file it was started with. */
  public static Behavior<Command> create(
      NodeSettings settings, java.util.Optional<java.nio.file.Path> configFile) {
    return Behaviors.setup(
        ctx -> {
          ActorRef<Router.Command> router = ctx.spawn(Router.create(settings.routes()), "router");
          ActorRef<Endpoints.Command> endpoints =
              ctx.spawn(Endpoints.create(settings, router), "endpoints");
          ActorRef<ShardingEnvelope<QueueEntity.Command>> queues = queues(ctx, settings);
          for (String q : settings.queues().declared().keySet())
            ctx.spawn(QueueDestination.create(q, queues, router), "queue-destination-" + q);
          ctx.spawn(QueueRouteSources.create(queues, router), "queue-sources");
          registerShutdown(ctx.getSystem(), endpoints, settings.drainTimeout());
          DemoFtp.startIfEnabled(ctx.getSystem(), settings.config());
          ActorRef<RouteReloader.Command> reloader =
              ctx.spawn(
                  RouteReloader.create(configFile, settings.config(), router, endpoints),
                  "route-reloader");
          Map<String, io.junction.topic.NodeTopic> topics =
              Topics.start(ctx, settings.topics(), router);
          Refs refs = new Refs(router, endpoints, queues, reloader, topics);
          // After sharding: bootstrap may join at once, and /v1/ready asks its health checks.
          ClusterManagement management =
              ClusterManagement.start(ctx.getSystem(), settings.cluster());
          java.util.Optional<ActorRef<HttpServer.Command>> http =
              settings.http().enabled()
                  ? java.util.Optional.of(
                      ctx.spawn(HttpServer.create(settings, refs, management), "http"))
                  : java.util.Optional.empty();
          java.util.Optional<ActorRef<io.junction.stomp.StompServer.Command>> stomp =
              settings.stomp().enabled()
                  ? java.util.Optional.of(
                      ctx.spawn(
                          io.junction.stomp.StompServer.create(settings.stomp(), queues, topics),
                          "stomp"))
                  : java.util.Optional.empty();
          return Behaviors.receive(Command.class)
              .onMessage(
                  GetStompServer.class,
                  g -> {
                    g.replyTo().tell(stomp);
                    return Behaviors.same();
                  })
              .onMessage(
                  GetHttpServer.class,
                  g -> {
                    g.replyTo().tell(http);
                    return Behaviors.same();
                  })
              .onMessage(
                  GetRefs.class,
                  g -> {
                    g.replyTo().tell(refs);
                    return Behaviors.same();
                  })
              .build();
        });
  }

  /** Sharded over the cluster when it is enabled, else the local registry. */
  private static ActorRef<ShardingEnvelope<QueueEntity.Command>> queues(
      ActorContext<Command> ctx, NodeSettings settings) {
    ClusterSettings cluster = settings.cluster();
    if (!cluster.enabled()) return ctx.spawn(Queues.create(settings.queues()), "queues");
    JournalSetup.Database db = JournalSetup.database(settings.config(), new ConfigProblems());
    if (db != null && db.h2Directory() != null)
      ctx.getLog()
          .warn(
              "cluster enabled with the embedded H2 file journal ({}): other nodes cannot share it;"
                  + " use junction.journal.kind = postgres or junction.journal.h2.url (H2 TCP"
                  + " server) for a cluster of several processes",
              db.url());
    ctx.getLog()
        .info(
            "cluster node {} joining {} (downing: {})",
            cluster.selfAddress(),
            cluster.bootstrap().enabled() ? "through bootstrap" : cluster.seedNodes(),
            cluster.downing());
    return QueueSharding.init(ctx.getSystem(), settings.queues(), cluster.rememberQueues());
  }

  private static void registerShutdown(
      ActorSystem<?> system, ActorRef<Endpoints.Command> endpoints, Duration drain) {
    CoordinatedShutdown cs = CoordinatedShutdown.get(system);
    cs.addTask(
        CoordinatedShutdown.PhaseServiceUnbind(),
        "unbind-endpoints",
        () -> ask(system, endpoints, Endpoints.Unbind::new, Duration.ofSeconds(5)));
    cs.addTask(
        CoordinatedShutdown.PhaseServiceRequestsDone(),
        "drain-connections",
        () -> ask(system, endpoints, r -> new Endpoints.Drain(drain, r), drain.plusSeconds(1)));
  }

  private static CompletionStage<Done> ask(
      ActorSystem<?> system,
      ActorRef<Endpoints.Command> endpoints,
      org.apache.pekko.japi.function.Function<ActorRef<Endpoints.Done>, Endpoints.Command> msg,
      Duration timeout) {
    return AskPattern.ask(endpoints, msg, timeout, system.scheduler())
        .handle((d, failure) -> Done.getInstance());
  }
}
