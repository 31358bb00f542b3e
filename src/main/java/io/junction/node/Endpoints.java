package io.junction.node;

import io.junction.endpoint.EndpointStatus;
import io.junction.faults.Crashes;
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
import java.util.Set;
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

  /**
   * Make the running endpoints those of {@code next}: endpoints added are started, removed ones
   * stopped, changed ones (their section, or a struct they decode, differs) restarted; a TCP server
   * going away stops accepting at once and its connections are drained first.
   */
  public record Reconcile(NodeSettings next, ActorRef<Reconciled> replyTo) implements Command {}

  /** Answer to {@link Reconcile}: the endpoints that were started, stopped or restarted. */
  public record Reconciled(Set<String> changed) {}

  private record Retire(ActorRef<?> ref) implements Command {}

  private static final Duration STATUS_TIMEOUT = Duration.ofSeconds(3);
  private final Map<String, ActorRef<TcpServer.Command>> servers = new LinkedHashMap<>();
  private final Map<String, ActorRef<?>> refs = new LinkedHashMap<>();
  private final ActorRef<Router.Command> router;
  private NodeSettings settings;
  private int generation;
  private final Map<String, Consumer<ActorRef<EndpointStatus>>> statusQueries =
      new LinkedHashMap<>();
  private long requests;

  public static Behavior<Command> create(NodeSettings settings, ActorRef<Router.Command> router) {
    return Behaviors.setup(ctx -> new Endpoints(ctx, settings, router));
  }

  private Endpoints(
      ActorContext<Command> context, NodeSettings settings, ActorRef<Router.Command> router) {
    super(context);
    this.router = router;
    this.settings = settings;
    spawn(settings, name -> true);
  }

  /** Spawns the endpoints of {@code s} whose names {@code which} accepts. */
  private void spawn(NodeSettings s, java.util.function.Predicate<String> which) {
    ActorContext<Command> context = getContext();
    String gen = generation == 0 ? "" : "-" + generation;
    for (var t : s.tcpServers()) {
      if (!which.test(t.name())) continue;
      ActorRef<TcpServer.Command> ref =
          context.spawn(
              supervised(t.name(), TcpServer.create(t, router)), "tcp-server-" + t.name() + gen);
      servers.put(t.name(), ref);
      track(t.name(), ref, r -> ref.tell(new TcpServer.GetStatus(r)));
    }
    for (var c : s.tcpClients()) {
      if (!which.test(c.name())) continue;
      ActorRef<TcpClient.Command> ref =
          context.spawn(
              supervised(c.name(), TcpClient.create(c, router)), "tcp-client-" + c.name() + gen);
      track(c.name(), ref, r -> ref.tell(new TcpClient.GetStatus(r)));
    }
    for (var u : s.udp()) {
      if (!which.test(u.name())) continue;
      ActorRef<UdpEndpoint.Command> ref =
          context.spawn(
              supervised(u.name(), UdpEndpoint.create(u, router)), "udp-" + u.name() + gen);
      track(u.name(), ref, r -> ref.tell(new UdpEndpoint.GetStatus(r)));
    }
    for (var p : s.httpPolls()) {
      if (!which.test(p.name())) continue;
      ActorRef<HttpPoller.Command> ref =
          context.spawn(
              supervised(p.name(), HttpPoller.create(p, router)), "http-poll-" + p.name() + gen);
      track(p.name(), ref, r -> ref.tell(new HttpPoller.GetStatus(r)));
    }
    for (var f : s.ftpEndpoints()) {
      if (!which.test(f.name())) continue;
      ActorRef<FtpEndpoint.Command> ref =
          context.spawn(
              supervised(f.name(), FtpEndpoint.create(f, router, s.dataDir(), s.instanceName())),
              "ftp-" + f.name() + gen);
      track(f.name(), ref, r -> ref.tell(new FtpEndpoint.GetStatus(r)));
    }
    if (generation > 0) return; // HTTP destinations are not reloadable (junction.http is fixed)
    for (var d : s.http().destinations()) {
      ActorRef<HttpDestination.Command> ref =
          context.spawn(supervised(HttpDestination.create(d, router)), "http-" + d.name());
      statusQueries.put("http:" + d.name(), r -> ref.tell(new HttpDestination.GetStatus(r)));
    }
  }

  private void track(String name, ActorRef<?> ref, Consumer<ActorRef<EndpointStatus>> status) {
    refs.put(name, ref);
    statusQueries.put(name, status);
  }

  private Behavior<Command> onReconcile(Reconcile r) {
    Set<String> changed = EndpointChanges.changed(settings.config(), r.next().config());
    generation++;
    for (String name : changed) {
      ActorRef<?> old = refs.remove(name);
      statusQueries.remove(name);
      ActorRef<TcpServer.Command> server = servers.remove(name);
      if (old == null) continue;
      if (server != null) {
        // stop accepting now, let its connections flush, then stop it (bounded)
        server.tell(new TcpServer.Unbind(getContext().getSystem().ignoreRef()));
        server.tell(
            new TcpServer.Drain(
                getContext().messageAdapter(TcpServer.Done.class, d -> new Retire(server))));
        getContext()
            .scheduleOnce(settings.drainTimeout(), getContext().getSelf(), new Retire(server));
      } else getContext().stop(old);
    }
    spawn(r.next(), changed::contains);
    settings = r.next();
    getContext()
        .getLog()
        .info("endpoints reloaded: {}", changed.isEmpty() ? "none changed" : changed);
    r.replyTo().tell(new Reconciled(Set.copyOf(changed)));
    return this;
  }

  private Behavior<Command> onRetire(Retire r) {
    getContext().stop(r.ref()); // no-op if it already stopped
    return this;
  }

  /**
   * Restart a failed endpoint with backoff: a port in use may come free, a peer may return. With
   * fault injection on, a {@code crash-endpoint} rule can make the endpoint's actor throw.
   */
  private <T> Behavior<T> supervised(String name, Behavior<T> endpoint) {
    return supervised(Crashes.endpoint(getContext().getSystem(), name, endpoint));
  }

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
        .onMessage(Reconcile.class, this::onReconcile)
        .onMessage(Retire.class, this::onRetire)
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
