package io.junction.topic;

import io.junction.message.Envelope;
import io.junction.metrics.Metrics;
import io.micrometer.core.instrument.Counter;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.QueueOfferResult;
import org.apache.pekko.stream.javadsl.Source;

/**
 * A declared topic as the node's APIs use it (the {@code topic:} destination, the HTTP event
 * stream, STOMP's {@code /topic/}): publish to it, or subscribe with a buffer of its own. At most
 * once: a subscriber whose buffer ({@code subscriber-buffer}) is full misses the newest messages,
 * counted in {@code junction_topic_dropped}, and never slows the topic or its other subscribers.
 */
public final class NodeTopic {
  private static final AtomicLong SUBSCRIBERS = new AtomicLong(); // names the subscriber actors
  private final String name;
  private final ActorRef<Topic.Command<Envelope>> topic;
  private final int subscriberBuffer;
  private final ActorSystem<?> system;
  private final Counter published;
  private final Counter dropped;

  private enum Stop {
    INSTANCE
  }

  NodeTopic(
      String name,
      ActorRef<Topic.Command<Envelope>> topic,
      int subscriberBuffer,
      ActorSystem<?> system) {
    this.name = name;
    this.topic = topic;
    this.subscriberBuffer = subscriberBuffer;
    this.system = system;
    var registry = Metrics.get(system).registry();
    this.published = registry.counter("junction.topic.published", "topic", name);
    this.dropped = registry.counter("junction.topic.dropped", "topic", name);
  }

  public String name() {
    return name;
  }

  /** Publishes {@code e} to every subscriber on every node; returns at once. */
  public void publish(Envelope e) {
    published.increment();
    topic.tell(Topic.publish(e));
  }

  /**
   * The topic's messages from now on, through a buffer of {@code subscriber-buffer} messages; one
   * subscriber actor per materialization, stopped when the stream ends however it ends. The
   * materialized stage completes once the topic has the subscriber: what is published after that
   * reaches it.
   */
  public Source<Envelope, CompletionStage<Done>> subscribe() {
    return Source.<Envelope>queue(subscriberBuffer)
        .mapMaterializedValue(
            buffer -> {
              CompletableFuture<Done> subscribed = new CompletableFuture<>();
              return Pair.create(subscriber(buffer, subscribed), subscribed);
            })
        .watchTermination(
            (mat, done) -> {
              done.whenComplete((d, failure) -> mat.first().tell(Stop.INSTANCE));
              return (CompletionStage<Done>) mat.second();
            });
  }

  // It offers into the stream's buffer and never waits.
  private ActorRef<Object> subscriber(
      BoundedSourceQueue<Envelope> buffer, CompletableFuture<Done> subscribed) {
    Behavior<Object> subscriber =
        Behaviors.setup(
            ctx -> {
              topic.tell(Topic.subscribe(ctx.getSelf().narrow()));
              // The topic answers in order: once this comes, the subscription above is in place.
              topic.tell(Topic.getTopicStats(ctx.getSelf().narrow()));
              return Behaviors.receive(Object.class)
                  .onMessage(
                      Envelope.class,
                      e -> {
                        if (buffer.offer(e) != QueueOfferResult.enqueued()) dropped.increment();
                        return Behaviors.same();
                      })
                  .onMessage(
                      Topic.TopicStats.class,
                      stats -> {
                        subscribed.complete(Done.getInstance());
                        return Behaviors.same();
                      })
                  .onMessageEquals(Stop.INSTANCE, Behaviors::stopped)
                  .build();
            });
    String actorName = "topic-subscriber-" + name + "-" + SUBSCRIBERS.incrementAndGet();
    return system.systemActorOf(subscriber, actorName, Props.empty());
  }
}
