package io.junction.node;

import io.junction.endpoint.EndpointStatus;
import io.junction.ftp.FtpEndpoint;
import io.junction.http.HttpDestination;
import io.junction.http.HttpPoller;
import io.junction.routing.Router;
import io.junction.tcp.TcpClient;
import io.junction.tcp.TcpServer;
import io.junction.udp.UdpEndpoint;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * Supervisor of every configured endpoint: one child each. A failing endpoint (say, its port is
 * taken) is restarted with exponential backoff; the others are not affected.
 */
public final class Endpoints extends AbstractBehavior<Endpoints.Command> {

  /** Messages the endpoints supervisor accepts. */
  public sealed interface Command {}

  /** Every endpoint's status, sorted by name. */
  public record GetStatuses(ActorRef<List<EndpointStatus>> replyTo) implements Command {}

  /** The TCP server endpoint called {@code name}, if there is one. */
  public record GetTcpServer(String name, ActorRef<Optional<ActorRef<TcpServer.Command>>> replyTo)
      implements Command {}

  /** Stop accepting on every listener. */
  public record Unbind(ActorRef<Done> replyTo) implements Command {}

  /** Close every connection after its pending writes, within {@code timeout}. */
  public record Drain(Duration timeout, ActorRef<Done> replyTo) implements Command {}

  /** Answer to {@link Unbind} and {@link Drain}. */
  public enum Done {
    INSTANCE
  }

  private record Collected(List<TcpServer.Done> done, ActorRef<Done> replyTo) implements Command {}

  private static final Duration STATUS_TIMEOUT = Duration.ofSeconds(3);
  private final Map<String, ActorRef<TcpServer.Command>> servers = new LinkedHashMap<>();
  private final Map<String, Consumer<ActorRef<EndpointStatus>>> statusQueries =
      new LinkedHashMap<>();
  private long requests;

  public static Behavior<Command> create(NodeSettings settings, ActorRef<Router.Command> router) {
    return Behaviors.setup(ctx -> new Endpoints(ctx, settings, router));
  }

  private Endpoints(
      ActorContext<Command> context, NodeSettings settings, ActorRef<Router.Command> router) {
    super(context);
    for (var s : settings.tcpServers()) {
      ActorRef<TcpServer.Command> ref =
          context.spawn(supervised(TcpServer.create(s, router)), "tcp-server-" + s.name());
      servers.put(s.name(), ref);
      statusQueries.put(s.name(), r -> ref.tell(new TcpServer.GetStatus(r)));
    }
    for (var c : settings.tcpClients()) {
      ActorRef<TcpClient.Command> ref =
          context.spawn(supervised(TcpClient.create(c, router)), "tcp-client-" + c.name());
      statusQueries.put(c.name(), r -> ref.tell(new TcpClient.GetStatus(r)));
    }
    for (var u : settings.udp()) {
      ActorRef<UdpEndpoint.Command> ref =
          context.spawn(supervised(UdpEndpoint.create(u, router)), "udp-" + u.name());
      statusQueries.put(u.name(), r -> ref.tell(new UdpEndpoint.GetStatus(r)));
    }
    for (var d : settings.http().destinations()) {
      ActorRef<HttpDestination.Command> ref =
          context.spawn(supervised(HttpDestination.create(d, router)), "http-" + d.name());
      statusQueries.put("http:" + d.name(), r -> ref.tell(new HttpDestination.GetStatus(r)));
    }
    for (var p : settings.httpPolls()) {
      ActorRef<HttpPoller.Command> ref =
          context.spawn(supervised(HttpPoller.create(p, router)), "http-poll-" + p.name());
      statusQueries.put(p.name(), r -> ref.tell(new HttpPoller.GetStatus(r)));
    }
    for (var f : settings.ftpEndpoints()) {
      ActorRef<FtpEndpoint.Command> ref =
          context.spawn(
              supervised(FtpEndpoint.create(f, router, settings.dataDir())), "ftp-" + f.name());
      statusQueries.put(f.name(), r -> ref.tell(new FtpEndpoint.GetStatus(r)));
    }
  }

  /** Restart a failed endpoint with backoff: a port in use may come free, a peer may return. */
  private static <T> Behavior<T> supervised(Behavior<T> endpoint) {
    return Behaviors.supervise(endpoint)
        .onFailure(
            RuntimeException.class,
            SupervisorStrategy.restartWithBackoff(
                Duration.ofSeconds(1), Duration.ofSeconds(30), 0.2));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(GetStatuses.class, this::onGetStatuses)
        .onMessage(GetTcpServer.class, this::onGetTcpServer)
        .onMessage(Unbind.class, this::onUnbind)
        .onMessage(Drain.class, this::onDrain)
        .onMessage(Collected.class, this::onCollected)
        .build();
  }

  private Behavior<Command> onGetStatuses(GetStatuses g) {
    ActorRef<List<EndpointStatus>> sorted =
        getContext()
            .spawnAnonymous(
                Behaviors.<List<EndpointStatus>>receiveMessage(
                    list -> {
                      g.replyTo()
                          .tell(
                              list.stream()
                                  .sorted(Comparator.comparing(EndpointStatus::name))
                                  .toList());
                      return Behaviors.stopped();
                    }));
    ActorRef<Object> collector =
        getContext()
            .spawn(
                Collector.create(
                    EndpointStatus.class, statusQueries.size(), STATUS_TIMEOUT, sorted),
                "status-" + (++requests));
    statusQueries.values().forEach(q -> q.accept(collector.narrow()));
    return this;
  }

  private Behavior<Command> onGetTcpServer(GetTcpServer g) {
    g.replyTo().tell(Optional.ofNullable(servers.get(g.name())));
    return this;
  }

  private Behavior<Command> onUnbind(Unbind u) {
    return collectFromServers(STATUS_TIMEOUT, u.replyTo(), TcpServer.Unbind::new);
  }

  private Behavior<Command> onDrain(Drain d) {
    return collectFromServers(d.timeout(), d.replyTo(), TcpServer.Drain::new);
  }

  private Behavior<Command> collectFromServers(
      Duration timeout,
      ActorRef<Done> replyTo,
      java.util.function.Function<ActorRef<TcpServer.Done>, TcpServer.Command> command) {
    ActorRef<List<TcpServer.Done>> done =
        getContext().messageAdapter(listClass(), list -> new Collected(list, replyTo));
    ActorRef<Object> collector =
        getContext()
            .spawn(
                Collector.create(TcpServer.Done.class, servers.size(), timeout, done),
                "collect-" + (++requests));
    servers.values().forEach(s -> s.tell(command.apply(collector.narrow())));
    return this;
  }

  private Behavior<Command> onCollected(Collected c) {
    c.replyTo().tell(Done.INSTANCE);
    return this;
  }

  @SuppressWarnings("unchecked")
  private static Class<List<TcpServer.Done>> listClass() {
    return (Class<List<TcpServer.Done>>) (Class<?>) List.class;
  }
}
