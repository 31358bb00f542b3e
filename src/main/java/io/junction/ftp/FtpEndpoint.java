package io.junction.ftp;

import io.junction.endpoint.EndpointStatus;
import io.junction.routing.Router;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * An endpoint of kind {@code ftp}: its destination {@code ftp:<name>} and, when configured, its
 * poller, as two children. Its status merges both (the poller's counters and failure detail are
 * added to the destination's).
 */
public final class FtpEndpoint {
  private static final Duration STATUS_TIMEOUT = Duration.ofSeconds(3);

  private FtpEndpoint() {}

  /** Messages the endpoint accepts. */
  public sealed interface Command {}

  /** Ask for the endpoint's status. */
  public record GetStatus(ActorRef<EndpointStatus> replyTo) implements Command {}

  public static Behavior<Command> create(
      FtpEndpointSettings settings,
      ActorRef<Router.Command> router,
      Path dataDir,
      String nodeName) {
    return Behaviors.setup(
        ctx -> {
          ActorRef<FtpDestination.Command> destination =
              ctx.spawn(FtpDestination.create(settings, router, dataDir, nodeName), "destination");
          Optional<ActorRef<FtpPoller.Command>> poller =
              settings.poll().map(p -> ctx.spawn(FtpPoller.create(settings, router), "poller"));
          return Behaviors.receive(Command.class)
              .onMessage(
                  GetStatus.class,
                  g -> {
                    ActorRef<EndpointStatus> merger =
                        ctx.spawnAnonymous(merge(poller.isPresent() ? 2 : 1, g.replyTo()));
                    destination.tell(new FtpDestination.GetStatus(merger));
                    poller.ifPresent(p -> p.tell(new FtpPoller.GetStatus(merger)));
                    return Behaviors.same();
                  })
              .build();
        });
  }

  /** Waits for {@code expected} partial statuses (or the timeout), answers one merged status. */
  private static Behavior<EndpointStatus> merge(int expected, ActorRef<EndpointStatus> replyTo) {
    return Behaviors.setup(
        ctx -> {
          ctx.setReceiveTimeout(STATUS_TIMEOUT, timedOut(replyTo));
          return collecting(expected, null, replyTo);
        });
  }

  private static EndpointStatus timedOut(ActorRef<EndpointStatus> replyTo) {
    return new EndpointStatus("", "ftp", "", "unknown", 0, "status timed out", Map.of());
  }

  private static Behavior<EndpointStatus> collecting(
      int left, EndpointStatus sofar, ActorRef<EndpointStatus> replyTo) {
    return Behaviors.receiveMessage(
        s -> {
          EndpointStatus merged = sofar == null ? s : combine(sofar, s);
          if (left > 1 && !s.state().equals("unknown"))
            return collecting(left - 1, merged, replyTo);
          replyTo.tell(merged);
          return Behaviors.stopped();
        });
  }

  private static EndpointStatus combine(EndpointStatus a, EndpointStatus b) {
    Map<String, Double> counters = new HashMap<>(a.counters());
    counters.putAll(b.counters());
    boolean failing = a.state().equals("failing") || b.state().equals("failing");
    String detail = String.join("; ", a.detail(), b.detail()).replaceAll("^; |; $", "");
    String name = a.name().isEmpty() ? b.name() : a.name();
    return new EndpointStatus(
        name,
        "ftp",
        a.address().isEmpty() ? b.address() : a.address(),
        failing ? "failing" : a.state(),
        0,
        detail,
        Map.copyOf(counters));
  }
}
