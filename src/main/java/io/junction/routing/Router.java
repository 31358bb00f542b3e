package io.junction.routing;

import io.junction.metrics.Metrics;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * Owns the route table and the registry of live destinations, and publishes an immutable {@link
 * RoutingSnapshot} to every subscribed source whenever either changes. It routes nothing itself:
 * sources evaluate the snapshot, so the router is never a per-message bottleneck.
 *
 * <p>Supervision: resume. Its state (registrations, subscriptions) cannot be rebuilt by a restart,
 * and a failure handling one message does not invalidate it.
 */
public final class Router extends AbstractBehavior<Router.Command> {

  /** Messages the router accepts. */
  public sealed interface Command {}

  /** A source wants the current snapshot now and every new one. */
  public record Subscribe(ActorRef<RoutingSnapshot> subscriber) implements Command {}

  /** An endpoint offers itself as destination {@code name}, e.g. {@code tcp:plc}. */
  public record RegisterDestination(String name, ActorRef<Deliver> ref) implements Command {}

  /** Replace the route table (validated beforehand) as one atomic swap. */
  public record ReplaceRoutes(List<Route> routes, ActorRef<RoutesReplaced> replyTo)
      implements Command {}

  /** Reply to {@link ReplaceRoutes}: the snapshot version now in force. */
  public record RoutesReplaced(long version) {}

  /** Ask for the routes in force. */
  public record GetRoutes(ActorRef<List<Route>> replyTo) implements Command {}

  // One actor's message adapters share one ref, so an endpoint that both subscribes and
  // registers is watched once, and its end removes both.
  private record Gone(ActorRef<?> ref) implements Command {}

  private record Proxy(ActorRef<?> target, ActorRef<Object> ref) {}

  private final Set<ActorRef<RoutingSnapshot>> subscribers = new HashSet<>();
  private final Set<ActorRef<?>> watched = new HashSet<>();
  private final Map<String, ActorRef<Deliver>> destinations = new HashMap<>();
  private final Map<String, ActorRef<Retrier.Command>> retriers = new HashMap<>();
  private final Map<String, ActorRef<Aggregator.Command>> aggregators = new HashMap<>();
  // the Route instance each helper was made for: a reload makes new instances
  private final Map<String, Route> helperRoutes = new HashMap<>();
  private final RouteMetrics metrics;
  private final io.junction.faults.Faults faults;
  // With fault injection on, each destination is registered behind a proxy: name -> proxy.
  private final Map<String, Proxy> proxies = new HashMap<>();
  private long proxyCount;
  private final RouteProxies routeProxies; // null unless fault injection is on
  private Map<String, Map<String, ActorRef<Deliver>>> byRoute = Map.of();
  private List<Route> routes;
  private RoutingSnapshot snapshot;
  private long version;

  public static Behavior<Command> create(List<Route> routes) {
    return Behaviors.<Command>supervise(Behaviors.setup(ctx -> new Router(ctx, routes)))
        .onFailure(
            RuntimeException.class, org.apache.pekko.actor.typed.SupervisorStrategy.resume());
  }

  private Router(ActorContext<Command> context, List<Route> routes) {
    super(context);
    this.routes = List.copyOf(routes);
    this.metrics = new RouteMetrics(Metrics.get(context.getSystem()).registry());
    this.faults = io.junction.faults.Faults.get(context.getSystem());
    this.routeProxies = faults.enabled() ? new RouteProxies(context, faults) : null;
    rebuild();
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Subscribe.class, this::onSubscribe)
        .onMessage(RegisterDestination.class, this::onRegister)
        .onMessage(ReplaceRoutes.class, this::onReplaceRoutes)
        .onMessage(GetRoutes.class, this::onGetRoutes)
        .onMessage(Gone.class, this::onGone)
        .build();
  }

  private Behavior<Command> onSubscribe(Subscribe s) {
    subscribers.add(s.subscriber());
    watch(s.subscriber());
    s.subscriber().tell(snapshot);
    return this;
  }

  private Behavior<Command> onRegister(RegisterDestination r) {
    destinations.put(r.name(), faults.enabled() ? proxy(r) : r.ref());
    watch(r.ref());
    getContext().getLog().debug("destination {} registered", r.name());
    publish();
    return this;
  }

  private Behavior<Command> onReplaceRoutes(ReplaceRoutes r) {
    routes = List.copyOf(r.routes());
    publish();
    r.replyTo().tell(new RoutesReplaced(version));
    return this;
  }

  private Behavior<Command> onGetRoutes(GetRoutes g) {
    g.replyTo().tell(routes);
    return this;
  }

  /** A fault-injecting stand-in for {@code r.ref()} (replacing an earlier one of that name). */
  private ActorRef<Deliver> proxy(RegisterDestination r) {
    Proxy old = proxies.remove(r.name());
    if (old != null) getContext().stop(old.ref());
    ActorRef<Object> p =
        getContext()
            .spawn(
                io.junction.faults.FaultyDestination.create(r.name(), r.ref(), faults),
                "faults-proxy-" + (++proxyCount));
    proxies.put(r.name(), new Proxy(r.ref(), p));
    return p.narrow();
  }

  private void watch(ActorRef<?> ref) {
    if (watched.add(ref)) getContext().watchWith(ref, new Gone(ref));
  }

  private Behavior<Command> onGone(Gone g) {
    watched.remove(g.ref());
    subscribers.remove(g.ref());
    // Only forget destinations still pointing at the dead ref (a restarted endpoint re-registers).
    boolean changed = destinations.values().removeIf(r -> r.equals(g.ref()));
    for (var e : List.copyOf(proxies.entrySet())) {
      if (!e.getValue().target().equals(g.ref())) continue;
      proxies.remove(e.getKey());
      destinations.remove(e.getKey());
      getContext().stop(e.getValue().ref());
      changed = true;
    }
    if (changed) publish();
    return this;
  }

  private void publish() {
    rebuild();
    for (ActorRef<RoutingSnapshot> s : subscribers) s.tell(snapshot);
  }

  private void rebuild() {
    if (routeProxies != null) byRoute = routeProxies.sync(routes, destinations);
    syncHelpers();
    snapshot =
        new RoutingSnapshot(
            ++version, routes, destinations, byRoute, retriers, aggregators, metrics);
  }

  // One retrier per route with a retry policy and one aggregator per route that aggregates; a
  // reload that drops or changes the route replaces its helper.
  private void syncHelpers() {
    sync(retriers, r -> r.options().retry().isPresent(), Retrier::create, "retry-");
    sync(aggregators, r -> r.options().aggregate().isPresent(), Aggregator::create, "aggregate-");
    Map<String, ActorRef<Deliver>> refs = Map.copyOf(destinations);
    retriers.forEach(
        (route, ref) -> ref.tell(new Retrier.Destinations(byRoute.getOrDefault(route, refs))));
    aggregators.forEach(
        (route, ref) -> ref.tell(new Aggregator.Destinations(byRoute.getOrDefault(route, refs))));
  }

  private <C> void sync(
      Map<String, ActorRef<C>> running,
      java.util.function.Predicate<Route> wants,
      java.util.function.Function<Route, Behavior<C>> create,
      String prefix) {
    Map<String, Route> wanted = new HashMap<>();
    for (Route r : routes) if (wants.test(r)) wanted.put(r.name(), r);
    running
        .entrySet()
        .removeIf(
            e -> {
              Route r = wanted.get(e.getKey());
              if (r != null && r == helperRoutes.get(prefix + e.getKey())) return false;
              getContext().stop(e.getValue());
              helperRoutes.remove(prefix + e.getKey());
              return true;
            });
    for (Route r : wanted.values())
      running.computeIfAbsent(
          r.name(),
          n -> {
            helperRoutes.put(prefix + n, r);
            String name = prefix + n.replaceAll("[^A-Za-z0-9_-]", "_") + "-" + version;
            return getContext().spawn(create.apply(r), name);
          });
  }
}
