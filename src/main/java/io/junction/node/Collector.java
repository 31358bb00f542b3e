package io.junction.node;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * A short-lived child that gathers {@code expected} answers (or what arrived by {@code timeout})
 * and hands them to {@code replyTo} as one list, so a parent can query all its children without
 * blocking or asking.
 */
final class Collector {
  private enum Timeout {
    INSTANCE
  }

  private Collector() {}

  static <T> Behavior<Object> create(
      Class<T> type, int expected, Duration timeout, ActorRef<List<T>> replyTo) {
    if (expected == 0) {
      replyTo.tell(List.of());
      return Behaviors.stopped();
    }
    return Behaviors.withTimers(
        timers -> {
          timers.startSingleTimer(Timeout.INSTANCE, timeout);
          return collecting(type, expected, new ArrayList<>(), replyTo);
        });
  }

  private static <T> Behavior<Object> collecting(
      Class<T> type, int expected, List<T> got, ActorRef<List<T>> replyTo) {
    return Behaviors.receive(Object.class)
        .onMessage(
            type,
            answer -> {
              got.add(answer);
              if (got.size() < expected) return Behaviors.same();
              replyTo.tell(List.copyOf(got));
              return Behaviors.stopped();
            })
        .onMessageEquals(
            Timeout.INSTANCE,
            () -> {
              replyTo.tell(List.copyOf(got));
              return Behaviors.stopped();
            })
        .build();
  }
}
