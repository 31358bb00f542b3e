package io.junction.routing;

import io.junction.logging.MessageLog;
import io.junction.message.Envelope;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An immutable view of the route table and the live destinations, published by the {@link Router}
 * to every source. Sources evaluate routes themselves with it, so a message takes no extra actor
 * hop to be routed and a reload swaps the whole table at once.
 */
public final class RoutingSnapshot {
  private static final Logger MESSAGE_LOG = LoggerFactory.getLogger("junction.messages");
  private static final Logger TRACE = LoggerFactory.getLogger("junction.trace");

  /** Counts what the evaluation did, so the caller can update its own counters. */
  public record Outcome(int matched, int delivered, int failed) {
    static final Outcome NONE = new Outcome(0, 0, 0);
  }

  private final long version;
  private final Map<String, List<Route>> bySource;
  private final Map<String, RouteMetrics.Counters> counters;
  private final Map<String, ActorRef<Deliver>> destinations;
  // Per route, the destinations as that route sees them (fault proxies); empty when faults are off.
  private final Map<String, Map<String, ActorRef<Deliver>>> byRoute;
  private final Map<String, ActorRef<Retrier.Command>> retriers;
  private final Map<String, ActorRef<Aggregator.Command>> aggregators;

  /** A table whose routes deliver directly (no route has a retrier). */
  RoutingSnapshot(
      long version,
      List<Route> routes,
      Map<String, ActorRef<Deliver>> destinations,
      RouteMetrics metrics) {
    this(version, routes, destinations, Map.of(), Map.of(), Map.of(), metrics);
  }

  RoutingSnapshot(
      long version,
      List<Route> routes,
      Map<String, ActorRef<Deliver>> destinations,
      Map<String, Map<String, ActorRef<Deliver>>> byRoute,
      Map<String, ActorRef<Retrier.Command>> retriers,
      Map<String, ActorRef<Aggregator.Command>> aggregators,
      RouteMetrics metrics) {
    this.version = version;
    this.retriers = Map.copyOf(retriers);
    this.aggregators = Map.copyOf(aggregators);
    Map<String, List<Route>> by = new LinkedHashMap<>();
    for (Route r : routes) by.computeIfAbsent(r.from(), k -> new ArrayList<>()).add(r);
    by.replaceAll((k, v) -> List.copyOf(v));
    this.bySource = Map.copyOf(by);
    this.destinations = Map.copyOf(destinations);
    this.byRoute = Map.copyOf(byRoute);
    Map<String, RouteMetrics.Counters> c = new LinkedHashMap<>();
    for (Route r : routes) c.put(r.name(), metrics.forRoute(r.name()));
    this.counters = Map.copyOf(c);
  }

  /** An empty table, for sources that start before the router answered. */
  public static RoutingSnapshot empty() {
    return new RoutingSnapshot(0, List.of(), Map.of(), RouteMetrics.NONE);
  }

  public long version() {
    return version;
  }

  /** The sources some route takes messages from. */
  public java.util.Set<String> sources() {
    return bySource.keySet();
  }

  public List<Route> routesFrom(String source) {
    return bySource.getOrDefault(source, List.of());
  }

  /**
   * Sends {@code message} along every matching route from its source. {@code reply} is how this
   * source writes back to where the message came from.
   */
  public Outcome route(Envelope message, Consumer<Envelope> reply) {
    return route(message, reply, null);
  }

  /**
   * Like {@link #route(Envelope, Consumer)}, but every named destination is asked to acknowledge to
   * {@code ackTo}: {@link Outcome#delivered()} then counts the acknowledgements to wait for (reply,
   * log and discard complete at once and are not counted there). For sources that must know a
   * message is in safe hands before they let go of it: queues, polled files.
   */
  public Outcome route(
      Envelope message, Consumer<Envelope> reply, ActorRef<Deliver.DeliveryResult> ackTo) {
    List<Route> routes = bySource.get(message.source());
    if (routes == null) return Outcome.NONE;
    int matched = 0, delivered = 0, failed = 0;
    for (Route r : routes) {
      if (!r.where().test(message)) continue;
      matched++;
      RouteMetrics.Counters count = counters.get(r.name());
      count.matched().increment();
      Route.Options o = r.options();
      if (o.throttle().isPresent() && !o.throttle().get().tryAcquire()) {
        count.dropped().increment();
        if (o.trace()) trace(r, message, "dropped by throttle " + o.throttle().get());
        continue;
      }
      List<Envelope> parts;
      try {
        parts = o.split().isPresent() ? o.split().get().apply(message) : List.of(message);
      } catch (RuntimeException e) { // a framing or codec error: the message does not split
        failed++;
        count.failed().increment();
        onError(r, count, message, "cannot split: " + e.getMessage(), reply);
        continue;
      }
      for (Envelope part : parts) {
        int[] sent = send(r, count, part, reply, ackTo);
        delivered += sent[0];
        failed += sent[1];
      }
    }
    return new Outcome(matched, delivered, failed);
  }

  // Transforms one message (or split part) and hands it to the route's flow: {delivered, failed}.
  private int[] send(
      Route r,
      RouteMetrics.Counters count,
      Envelope message,
      Consumer<Envelope> reply,
      ActorRef<Deliver.DeliveryResult> ackTo) {
    Route.Options o = r.options();
    int delivered = 0, failed = 0;
    Envelope out = message;
    try {
      for (Transform t : o.transforms()) out = t.apply(out);
    } catch (Transform.Failed e) {
      count.failed().increment();
      onError(r, count, message, e.getMessage(), reply);
      return new int[] {0, 1};
    }
    ActorRef<Aggregator.Command> aggregator = aggregators.get(r.name());
    if (aggregator != null) { // the aggregator applies the flow to whole batches
      aggregator.tell(new Aggregator.Add(out, ackTo));
      count.delivered().increment();
      return new int[] {1, 0};
    }
    List<Destination> to = r.flow().select(out);
    if (to.isEmpty()) count.dropped().increment();
    if (o.trace()) trace(r, message, out.type() + " -> " + to);
    ActorRef<Retrier.Command> retrier = retriers.get(r.name());
    for (Destination d : to) {
      if (retrier != null && d instanceof Destination.Named n) {
        // the route's retrier delivers, retries, and reports the final outcome to ackTo
        retrier.tell(new Retrier.Attempt(n, out, ackTo));
        delivered++;
        count.delivered().increment();
        continue;
      }
      if (deliver(r, d, out, reply, ackTo)) {
        if (ackTo == null || d instanceof Destination.Named) delivered++;
        count.delivered().increment();
      } else {
        failed++;
        count.failed().increment();
        onError(r, count, out, d.text() + " is not up", reply);
      }
    }
    return new int[] {delivered, failed};
  }

  /** Sends {@code message} with its failure reason to the route's on-error destination. */
  private void onError(
      Route r,
      RouteMetrics.Counters count,
      Envelope message,
      String reason,
      Consumer<Envelope> reply) {
    if (r.options().trace()) trace(r, message, "failed: " + reason);
    Destination d = r.options().onError().orElse(null);
    if (d == null) return;
    count.errored().increment();
    deliver(r, d, message.withHeader("error", reason), reply, null);
  }

  private boolean deliver(
      Route r,
      Destination d,
      Envelope message,
      Consumer<Envelope> reply,
      ActorRef<Deliver.DeliveryResult> ackTo) {
    if (d == Destination.Reply.INSTANCE) {
      reply.accept(message);
      return true;
    }
    if (d == Destination.Discard.INSTANCE) return true;
    if (d == Destination.Log.INSTANCE) {
      if (MESSAGE_LOG.isInfoEnabled())
        try (var mdc = mdc(message, null)) {
          MESSAGE_LOG.info("{} {}", message.source(), MessageText.render(message));
        }
      return true;
    }
    ActorRef<Deliver> ref = byRoute.getOrDefault(r.name(), destinations).get(d.text());
    if (ref == null) return false;
    ref.tell(new Deliver(message, ackTo));
    return true;
  }

  // The MDC is set only around lines that are written (traced routes, the log destination), so
  // routing without them costs nothing extra; JSON logs then carry message_id, route and source.
  private static void trace(Route r, Envelope message, String what) {
    try (var mdc = mdc(message, r.name())) {
      TRACE.info("{} {}: {}", r.name(), message.id(), what);
    }
  }

  private static MessageLog.Scope mdc(Envelope message, String route) {
    return MessageLog.with(
        MessageLog.MESSAGE_ID,
        message.id(),
        MessageLog.ROUTE,
        route,
        MessageLog.SOURCE,
        message.source());
  }

  /** The destination actor registered under {@code name}, if it is up. */
  public java.util.Optional<ActorRef<Deliver>> destination(String name) {
    return java.util.Optional.ofNullable(destinations.get(name));
  }
}
