package io.junction.routing;

import io.junction.faults.FaultKind;
import io.junction.faults.Faults;
import io.junction.faults.FaultyDestination;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;

/**
 * With fault injection on, one {@link FaultyDestination} per route and named destination, so a rule
 * scoped to a route (docs/FAULTS.md) hits that route's deliveries only, not another route's to the
 * same destination. Owned by the {@link Router} (it spawns and stops the proxies in the router's
 * context); a proxy is kept while its route still names the destination and the destination's ref
 * is unchanged, so a reload that leaves a route alone leaves what its proxy holds alone.
 */
final class RouteProxies {
  private record Key(String route, String destination) {}

  private record Entry(ActorRef<Deliver> target, ActorRef<Object> proxy) {}

  private final ActorContext<?> context;
  private final Faults faults;
  private final Map<Key, Entry> running = new HashMap<>();
  private long spawned;

  RouteProxies(ActorContext<?> context, Faults faults) {
    this.context = context;
    this.faults = faults;
  }

  /**
   * Brings the proxies in line with {@code routes} and {@code destinations}; returns, per route
   * name, the destinations as that route should see them (its proxies in place of the shared refs).
   */
  Map<String, Map<String, ActorRef<Deliver>>> sync(
      List<Route> routes, Map<String, ActorRef<Deliver>> destinations) {
    Set<Key> wanted = new HashSet<>();
    Map<String, Map<String, ActorRef<Deliver>>> out = new HashMap<>();
    for (Route r : routes) {
      Map<String, ActorRef<Deliver>> view = new HashMap<>(destinations);
      for (Destination d : named(r)) {
        ActorRef<Deliver> target = destinations.get(d.text());
        if (target == null) continue;
        Key k = new Key(r.name(), d.text());
        wanted.add(k);
        Entry e = running.get(k);
        if (e == null || !e.target().equals(target)) {
          if (e != null) context.stop(e.proxy());
          e = new Entry(target, spawn(k, target));
          running.put(k, e);
        }
        view.put(d.text(), e.proxy().narrow());
      }
      out.put(r.name(), Map.copyOf(view));
    }
    running
        .entrySet()
        .removeIf(
            e -> {
              if (wanted.contains(e.getKey())) return false;
              context.stop(e.getValue().proxy());
              return true;
            });
    return Map.copyOf(out);
  }

  private ActorRef<Object> spawn(Key k, ActorRef<Deliver> target) {
    return context.spawn(
        FaultyDestination.create(FaultKind.Scope.ROUTE, k.route(), k.destination(), target, faults),
        "faults-route-proxy-" + (++spawned));
  }

  // The named destinations a route can deliver to, its on-error destination included.
  private static Set<Destination> named(Route r) {
    Set<Destination> all = new HashSet<>();
    for (Destination d : r.flow().destinations()) if (d instanceof Destination.Named) all.add(d);
    r.options().onError().filter(d -> d instanceof Destination.Named).ifPresent(all::add);
    return all;
  }
}
