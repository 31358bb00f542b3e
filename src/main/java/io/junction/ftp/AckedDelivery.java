package io.junction.ftp;

import io.junction.message.Envelope;
import io.junction.routing.Deliver;
import io.junction.routing.Destination;
import io.junction.routing.Route;
import io.junction.routing.RoutingSnapshot;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Scheduler;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes one message like {@link RoutingSnapshot#route} but waits for every named destination's
 * acknowledgement, so a poller marks a file taken only when all of it is in safe hands. {@code
 * reply} means nothing for a file and is skipped; {@code log} writes the message log at once.
 */
final class AckedDelivery {
  private static final Logger MESSAGE_LOG = LoggerFactory.getLogger("junction.messages");

  private AckedDelivery() {}

  /** Completes when every destination accepted; fails naming the first one that did not. */
  static CompletionStage<Integer> deliver(
      RoutingSnapshot snapshot, Envelope message, Duration timeout, Scheduler scheduler) {
    List<CompletableFuture<?>> acks = new ArrayList<>();
    for (Route r : snapshot.routesFrom(message.source())) {
      if (!r.where().test(message)) continue;
      for (Destination d : r.to()) {
        if (d == Destination.Log.INSTANCE) {
          MESSAGE_LOG.info("{} {} {}", message.source(), message.type(), describe(message));
        } else if (d instanceof Destination.Named named) {
          acks.add(ask(snapshot, named.text(), message, timeout, scheduler));
        }
      }
    }
    return CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new))
        .thenApply(v -> acks.size());
  }

  private static CompletableFuture<?> ask(
      RoutingSnapshot snapshot,
      String destination,
      Envelope message,
      Duration timeout,
      Scheduler scheduler) {
    var ref = snapshot.destination(destination);
    if (ref.isEmpty())
      return CompletableFuture.failedFuture(
          new IllegalStateException("destination " + destination + " is not running"));
    ActorRef<Deliver> target = ref.get();
    return AskPattern.<Deliver, Deliver.DeliveryResult>ask(
            target, replyTo -> new Deliver(message, replyTo), timeout, scheduler)
        .thenApply(
            result -> {
              if (result instanceof Deliver.DeliveryFailed f)
                throw new IllegalStateException(destination + " refused: " + f.reason());
              return result;
            })
        .toCompletableFuture();
  }

  private static String describe(Envelope m) {
    if (m.fields().isEmpty()) return m.payload().size() + " bytes";
    StringBuilder sb = new StringBuilder();
    m.fields().values().forEach(v -> sb.append(sb.length() == 0 ? "" : " ").append(v));
    return sb.toString();
  }
}
