package io.junction.http;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import io.junction.topic.NodeTopic;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import org.apache.pekko.NotUsed;
import org.apache.pekko.http.javadsl.marshalling.sse.EventStreamMarshalling;
import org.apache.pekko.http.javadsl.model.sse.ServerSentEvent;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.javadsl.Source;

/**
 * {@code GET /v1/topics/{name}/events}: a topic's messages as server-sent events, one JSON message
 * view per event. Each client gets its own subscription and its own bounded buffer: a client that
 * reads slowly loses the newest messages beyond it (counted in {@code junction_topic_dropped}), and
 * never slows the topic or its other subscribers.
 */
final class TopicRoutes extends AllDirectives {
  private static final Duration KEEP_ALIVE = Duration.ofSeconds(15);
  private final Map<String, NodeTopic> topics;
  private final BiFunction<Scope, Supplier<Route>, Route> requires;

  TopicRoutes(Map<String, NodeTopic> topics, BiFunction<Scope, Supplier<Route>, Route> requires) {
    this.topics = Map.copyOf(topics);
    this.requires = requires;
  }

  Route routes() {
    return path(
        segment("topics").slash(segment()).slash("events"),
        name -> get(() -> requires.apply(Scope.READ, () -> events(name))));
  }

  private Route events(String name) {
    NodeTopic topic = topics.get(name);
    if (topic == null)
      return complete(
          Problem.notFound(
              "unknown-topic",
              "No such topic",
              "no topic '" + name + "' is declared in junction.topics"));
    Source<ServerSentEvent, NotUsed> events =
        topic
            .subscribe()
            .map(
                e ->
                    ServerSentEvent.create(
                        new String(Json.bytes(MessageView.of(e)), StandardCharsets.UTF_8),
                        "message"))
            .keepAlive(KEEP_ALIVE, ServerSentEvent::heartbeat)
            .mapMaterializedValue(subscribed -> NotUsed.getInstance());
    return completeOK(events, EventStreamMarshalling.toEventStream());
  }
}
