package io.junction.http;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import io.junction.message.Envelope;
import io.junction.metrics.Metrics;
import io.micrometer.core.instrument.Counter;
import java.time.Duration;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.http.javadsl.marshalling.sse.EventStreamMarshalling;
import org.apache.pekko.http.javadsl.model.sse.ServerSentEvent;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.QueueOfferResult;
import org.apache.pekko.stream.javadsl.Source;

/**
 * {@code GET /v1/topics/{name}/events}: a topic's messages as server-sent events, one JSON message
 * view per event. Each client gets its own subscription and its own bounded buffer: a client that
 * reads slowly loses the newest messages beyond it (counted in {@code junction_topic_dropped}), and
 * never slows the topic or its other subscribers.
 */
final class TopicRoutes extends AllDirectives {
  private static final Duration KEEP_ALIVE = Duration.ofSeconds(15);
  private final Map<String, ActorRef<Topic.Command<Envelope>>> topics;
  private final Map<String, Integer> buffers;
  private final ActorSystem<?> system;
  private final BiFunction<Scope, Supplier<Route>, Route> requires;
  private long subscribers;

  private enum Stop {
    INSTANCE
  }

  TopicRoutes(
      Map<String, ActorRef<Topic.Command<Envelope>>> topics,
      Map<String, Integer> buffers,
      ActorSystem<?> system,
      BiFunction<Scope, Supplier<Route>, Route> requires) {
    this.topics = Map.copyOf(topics);
    this.buffers = Map.copyOf(buffers);
    this.system = system;
    this.requires = requires;
  }

  Route routes() {
    return path(
        segment("topics").slash(segment()).slash("events"),
        name -> get(() -> requires.apply(Scope.READ, () -> events(name))));
  }

  private Route events(String name) {
    ActorRef<Topic.Command<Envelope>> topic = topics.get(name);
    if (topic == null)
      return complete(
          Problem.notFound(
              "unknown-topic",
              "No such topic",
              "no topic '" + name + "' is declared in junction.topics"));
    Counter dropped =
        Metrics.get(system).registry().counter("junction.topic.dropped", "topic", name);
    Source<ServerSentEvent, NotUsed> events =
        Source.<Envelope>queue(buffers.getOrDefault(name, 1000))
            .mapMaterializedValue(queue -> subscribe(topic, queue, dropped))
            .watchTermination((stop, done) -> done.thenRun(() -> stop.tell(Stop.INSTANCE)))
            .map(
                e ->
                    ServerSentEvent.create(
                        new String(
                            Json.bytes(MessageView.of(e)), java.nio.charset.StandardCharsets.UTF_8),
                        "message"))
            .keepAlive(KEEP_ALIVE, ServerSentEvent::heartbeat)
            .mapMaterializedValue(x -> NotUsed.getInstance());
    return completeOK(events, EventStreamMarshalling.toEventStream());
  }

  // One subscriber actor per client: it offers into the client's queue and never waits.
  private ActorRef<Object> subscribe(
      ActorRef<Topic.Command<Envelope>> topic,
      BoundedSourceQueue<Envelope> queue,
      Counter dropped) {
    Behavior<Object> subscriber =
        Behaviors.setup(
            ctx -> {
              topic.tell(Topic.subscribe(ctx.getSelf().narrow()));
              return Behaviors.receive(Object.class)
                  .onMessage(
                      Envelope.class,
                      e -> {
                        if (queue.offer(e) != QueueOfferResult.enqueued()) dropped.increment();
                        return Behaviors.same();
                      })
                  .onMessageEquals(Stop.INSTANCE, Behaviors::stopped)
                  .build();
            });
    return system.systemActorOf(subscriber, "sse-subscriber-" + next(), Props.empty());
  }

  private synchronized long next() {
    return ++subscribers;
  }
}
