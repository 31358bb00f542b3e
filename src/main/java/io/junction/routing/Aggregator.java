package io.junction.routing;

import io.junction.codec.StructJson;
import io.junction.message.Envelope;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.util.ByteString;
import org.apache.pekko.util.ByteStringBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Collects one route's messages into batches ({@link Aggregate}) and sends each batch to the
 * route's destinations. A message whose source asked for an acknowledgement gets it only when its
 * batch was acknowledged by every destination, so a queue or a polled file lets go of it only then.
 * At most {@link #MAX_IN_FLIGHT} batches wait for acknowledgements; beyond, new messages are
 * refused at once (to {@code on-error}).
 *
 * <p>State lost on restart or on a reload that changes the route: the open batch and the batches in
 * flight (their sources' acknowledgements then time out, and queues redeliver).
 */
final class Aggregator extends AbstractBehavior<Aggregator.Command> {
  private static final Logger LOG = LoggerFactory.getLogger(Aggregator.class);
  static final int MAX_IN_FLIGHT = 4;

  sealed interface Command {}

  /** Add {@code message} to the open batch. */
  record Add(Envelope message, ActorRef<Deliver.DeliveryResult> ackTo) implements Command {}

  /** The live destinations, sent by the router whenever they change. */
  record Destinations(Map<String, ActorRef<Deliver>> refs) implements Command {}

  private enum Flush implements Command {
    INSTANCE
  }

  private record Answer(Deliver.DeliveryResult result) implements Command {}

  private record Batch(Envelope message, List<Add> items) {}

  private static final class InFlight {
    final Batch batch;
    int awaiting;

    InFlight(Batch batch, int awaiting) {
      this.batch = batch;
      this.awaiting = awaiting;
    }
  }

  private final Route route;
  private final Aggregate policy;
  private final TimerScheduler<Command> timers;
  private final ActorRef<Deliver.DeliveryResult> answers;
  private final Map<String, InFlight> inFlight = new HashMap<>();
  private Map<String, ActorRef<Deliver>> destinations = Map.of();
  private List<Add> open = new ArrayList<>();
  private long openBytes;

  static Behavior<Command> create(Route route) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(t -> new Aggregator(ctx, t, route)));
  }

  private Aggregator(ActorContext<Command> ctx, TimerScheduler<Command> timers, Route route) {
    super(ctx);
    this.route = route;
    this.policy = route.options().aggregate().orElseThrow();
    this.timers = timers;
    this.answers = ctx.messageAdapter(Deliver.DeliveryResult.class, Answer::new);
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(
            Destinations.class,
            d -> {
              destinations = d.refs();
              return this;
            })
        .onMessage(Add.class, this::onAdd)
        .onMessageEquals(Flush.INSTANCE, this::flush)
        .onMessage(Answer.class, this::onAnswer)
        .build();
  }

  private Behavior<Command> onAdd(Add a) {
    if (inFlight.size() >= MAX_IN_FLIGHT && full(a)) {
      refuse(
          List.of(a), route.name() + ": " + MAX_IN_FLIGHT + " batches wait for acknowledgements");
      return this;
    }
    if (open.isEmpty()) timers.startSingleTimer(Flush.INSTANCE, policy.maxWait());
    open.add(a);
    openBytes += a.message().payload().size();
    return full(null) ? flush() : this;
  }

  private boolean full(Add next) {
    long bytes = openBytes + (next == null ? 0 : next.message().payload().size());
    int records = open.size() + (next == null ? 0 : 1);
    return records >= policy.maxRecords() || bytes >= policy.maxBytes();
  }

  private Behavior<Command> flush() {
    timers.cancel(Flush.INSTANCE);
    if (open.isEmpty()) return this;
    Batch batch = new Batch(join(open), open);
    open = new ArrayList<>();
    openBytes = 0;
    int awaiting = 0;
    for (Destination d : route.flow().select(batch.message())) {
      if (d == Destination.Log.INSTANCE)
        LOG.info(
            "{} batch {} of {} messages", route.name(), batch.message().id(), batch.items().size());
      if (!(d instanceof Destination.Named)) continue;
      ActorRef<Deliver> ref = destinations.get(d.text());
      if (ref == null) {
        fail(batch, d.text() + " is not up");
        return this;
      }
      ref.tell(new Deliver(batch.message(), answers));
      awaiting++;
    }
    if (awaiting == 0) succeed(batch);
    else inFlight.put(batch.message().id(), new InFlight(batch, awaiting));
    return this;
  }

  private Behavior<Command> onAnswer(Answer a) {
    InFlight f = inFlight.get(a.result().messageId());
    if (f == null) return this;
    if (a.result() instanceof Deliver.DeliveryFailed failed) {
      inFlight.remove(a.result().messageId());
      fail(f.batch, failed.destination() + ": " + failed.reason());
    } else if (--f.awaiting == 0) {
      inFlight.remove(a.result().messageId());
      succeed(f.batch);
    }
    return this;
  }

  private void succeed(Batch b) {
    for (Add a : b.items())
      if (a.ackTo() != null)
        a.ackTo().tell(new Deliver.Delivered(a.message().id(), "aggregate:" + route.name()));
  }

  private void fail(Batch b, String reason) {
    LOG.warn("{} batch {}: {}", route.name(), b.message().id(), reason);
    refuse(b.items(), reason);
    route
        .options()
        .onError()
        .map(d -> destinations.get(d.text()))
        .ifPresent(ref -> ref.tell(new Deliver(b.message().withHeader("error", reason), null)));
  }

  private static void refuse(List<Add> items, String reason) {
    for (Add a : items)
      if (a.ackTo() != null)
        a.ackTo().tell(new Deliver.DeliveryFailed(a.message().id(), "aggregate", reason));
  }

  private Envelope join(List<Add> items) {
    ByteStringBuilder b = new ByteStringBuilder();
    for (Add a : items) {
      Envelope m = a.message();
      switch (policy.join()) {
        case CONCAT -> b.append(m.payload());
        case LINES -> b.append(m.payload()).putByte((byte) '\n');
        case JSON_LINES -> {
          byte[] json =
              m.fields().isEmpty()
                  ? StructJson.toJsonBytes(Map.of("payload", m.payload().utf8String()))
                  : StructJson.toJsonBytes(m.fields());
          b.putBytes(json).putByte((byte) '\n');
        }
      }
    }
    String type =
        switch (policy.join()) {
          case CONCAT -> "application/octet-stream";
          case LINES -> "text/plain";
          case JSON_LINES -> "application/x-ndjson";
        };
    ByteString payload = b.result();
    Envelope first = items.get(0).message();
    return Envelope.of(first.source(), first.connection(), type, payload, Map.of())
        .withHeader("aggregate-count", String.valueOf(items.size()))
        .withHeader("aggregate-route", route.name());
  }
}
