package io.junction.stomp;

import io.junction.metrics.Metrics;
import io.junction.queue.QueueEntity;
import io.junction.topic.NodeTopic;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.stream.TLSClosing;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.util.ByteString;

/**
 * The STOMP listener ({@code junction.stomp}): STOMP 1.0 to 1.2 over TCP (or TLS) onto the durable
 * queues, for the clients that speak it to RabbitMQ, ActiveMQ and Artemis (docs/STOMP.md). Each
 * accepted connection is one Pekko Streams TCP connection (an actor underneath, as every Pekko IO
 * connection) running a {@link StompSession}; its end stops the connection's subscribers, and the
 * queues deliver what they held again.
 */
public final class StompServer {

  /** Messages the server accepts. */
  public sealed interface Command {}

  /** The bound address, once bound (port 0 in tests). */
  public record GetAddress(ActorRef<InetSocketAddress> replyTo) implements Command {}

  private record Bound(Tcp.ServerBinding binding) implements Command {}

  private record BindFailed(Throwable cause) implements Command {}

  private StompServer() {}

  /** What every session of this listener shares: settings, queues, counters. */
  record Shared(
      StompSettings settings,
      ActorRef<ShardingEnvelope<QueueEntity.Command>> queues,
      Map<String, NodeTopic> topics,
      ActorSystem<?> system,
      AtomicInteger open,
      Map<String, Counter> frames,
      Map<String, Counter> errors,
      MeterRegistry registry) {

    void opened() {
      open.incrementAndGet();
    }

    void closed() {
      open.decrementAndGet();
    }

    void frame(String command) {
      frames
          .computeIfAbsent(command, c -> registry.counter("junction.stomp.frames", "command", c))
          .increment();
    }

    void error(String reason) {
      errors
          .computeIfAbsent(reason, r -> registry.counter("junction.stomp.errors", "reason", r))
          .increment();
    }
  }

  public static Behavior<Command> create(
      StompSettings settings,
      ActorRef<ShardingEnvelope<QueueEntity.Command>> queues,
      Map<String, NodeTopic> topics) {
    Behavior<Command> server =
        Behaviors.setup(
            ctx -> {
              ActorSystem<?> system = ctx.getSystem();
              MeterRegistry registry = Metrics.get(system).registry();
              AtomicInteger open = new AtomicInteger();
              registry.gauge("junction.stomp.connections", open);
              Shared shared =
                  new Shared(
                      settings,
                      queues,
                      Map.copyOf(topics),
                      system,
                      open,
                      new ConcurrentHashMap<>(),
                      new ConcurrentHashMap<>(),
                      registry);
              AtomicLong ids = new AtomicLong();
              Source<
                      Tcp.IncomingConnection,
                      java.util.concurrent.CompletionStage<Tcp.ServerBinding>>
                  connections =
                      settings.tls().isPresent()
                          ? Tcp.get(system)
                              .bindWithTls(
                                  settings.host(),
                                  settings.port(),
                                  settings.tls().get()::serverEngine,
                                  100,
                                  List.of(),
                                  Optional.empty(),
                                  session -> Optional.empty(),
                                  TLSClosing.eagerClose())
                          : Tcp.get(system).bind(settings.host(), settings.port());
              ctx.pipeToSelf(
                  connections
                      .to(
                          Sink.foreach(
                              c -> {
                                String id = "stomp-" + ids.incrementAndGet() + "@" + address(c);
                                c.handleWith(handler(shared, id), system);
                              }))
                      .run(system),
                  (b, failure) -> failure == null ? new Bound(b) : new BindFailed(failure));
              return starting(ctx, settings, new ArrayList<>());
            });
    return Behaviors.supervise(server)
        .onFailure(
            IllegalStateException.class,
            SupervisorStrategy.restartWithBackoff(
                Duration.ofSeconds(1), Duration.ofSeconds(30), 0.2));
  }

  private static String address(Tcp.IncomingConnection c) {
    InetSocketAddress a = c.remoteAddress();
    return a.getHostString() + ":" + a.getPort();
  }

  // Over the limit, a connection gets one ERROR frame and is closed.
  private static Flow<ByteString, ByteString, ?> handler(Shared shared, String id) {
    if (shared.open().get() >= shared.settings().maxConnections()) {
      shared.error("too-many-connections");
      return Flow.fromSinkAndSource(
          Sink.ignore(), StompSession.refusal(shared.settings().maxConnections()));
    }
    return StompSession.flow(shared, id);
  }

  private static Behavior<Command> starting(
      ActorContext<Command> ctx, StompSettings s, List<ActorRef<InetSocketAddress>> waiting) {
    return Behaviors.receive(Command.class)
        .onMessage(
            GetAddress.class,
            g -> {
              waiting.add(g.replyTo());
              return Behaviors.same();
            })
        .onMessage(
            BindFailed.class,
            f -> {
              throw new IllegalStateException(
                  "stomp: cannot bind " + s.host() + ":" + s.port(), f.cause());
            })
        .onMessage(
            Bound.class,
            b -> {
              Tcp.ServerBinding binding = b.binding();
              CoordinatedShutdown.get(ctx.getSystem())
                  .addTask(
                      CoordinatedShutdown.PhaseServiceUnbind(),
                      "stomp-unbind",
                      () -> binding.unbind().thenApply(x -> Done.getInstance()));
              InetSocketAddress a = binding.localAddress();
              ctx.getLog()
                  .info(
                      "stomp listening on {}:{} (STOMP 1.0-1.2{}{})",
                      a.getHostString(),
                      a.getPort(),
                      s.tls().isPresent() ? " over TLS" : "",
                      s.authRequired() ? ", passcode required" : "");
              waiting.forEach(w -> w.tell(a));
              return running(binding);
            })
        .build();
  }

  private static Behavior<Command> running(Tcp.ServerBinding binding) {
    return Behaviors.receive(Command.class)
        .onMessage(
            GetAddress.class,
            g -> {
              g.replyTo().tell(binding.localAddress());
              return Behaviors.same();
            })
        .onSignal(
            PostStop.class,
            sig -> {
              binding.unbind();
              return Behaviors.same();
            })
        .build();
  }
}
