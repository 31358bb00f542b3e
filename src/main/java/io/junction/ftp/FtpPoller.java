package io.junction.ftp;

import io.junction.endpoint.EndpointStatus;
import io.junction.faults.FaultKind;
import io.junction.faults.Faults;
import io.junction.metrics.EndpointMetrics;
import io.junction.metrics.Metrics;
import io.junction.routing.Router;
import io.junction.routing.RoutingSnapshot;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * The polled source of an {@code ftp} endpoint. Every {@code poll.interval} it lists the directory
 * and takes new files one at a time: route all of the file's messages and wait until every
 * destination acknowledged them, then durably mark the file taken (local state file), then move it
 * to the processed directory or delete it.
 *
 * <p>Crash windows: before the mark, the file is routed again after a restart (at-least-once: the
 * same message ids, so consumers can deduplicate); after the mark, only the move or delete is
 * repeated, never the routing. Nothing is skipped: a file leaves the state only when it is gone
 * from the directory. State lost on restart: nothing but counters (the state file is reloaded).
 */
public final class FtpPoller extends AbstractBehavior<FtpPoller.Command> {

  /** Messages the poller accepts. */
  public sealed interface Command {}

  /** Ask for the poller's status. */
  public record GetStatus(ActorRef<EndpointStatus> replyTo) implements Command {}

  private record RoutingUpdated(RoutingSnapshot snapshot) implements Command {}

  private record StateLoaded(Set<String> taken) implements Command {}

  private enum Tick implements Command {
    INSTANCE
  }

  private record Listed(List<RemoteFile> files) implements Command {}

  private record Routed(RemoteFile file) implements Command {}

  private record Marked(RemoteFile file, Set<String> taken) implements Command {}

  private record Finished(RemoteFile file) implements Command {}

  private record StepFailed(String step, RemoteFile file, Throwable cause) implements Command {}

  private final FtpEndpointSettings endpoint;
  private final PollSettings poll;
  private final TimerScheduler<Command> timers;
  private final EndpointMetrics metrics;
  private final ArrayDeque<RemoteFile> todo = new ArrayDeque<>();
  private RoutingSnapshot routing = RoutingSnapshot.empty();
  private Set<String> taken; // null until loaded
  private final ActorRef<AckedDelivery.Finished> delivered;
  private long deliveries; // names the per-file delivery children uniquely
  private long filesTaken;
  private long failures;
  private String detail = "";
  private final Faults faults; // null unless fault injection is on

  public static Behavior<Command> create(
      FtpEndpointSettings endpoint, ActorRef<Router.Command> router) {
    return Behaviors.setup(
        ctx -> Behaviors.withTimers(t -> new FtpPoller(ctx, t, endpoint, router)));
  }

  private FtpPoller(
      ActorContext<Command> context,
      TimerScheduler<Command> timers,
      FtpEndpointSettings endpoint,
      ActorRef<Router.Command> router) {
    super(context);
    this.endpoint = endpoint;
    this.poll = endpoint.poll().orElseThrow();
    this.timers = timers;
    this.metrics = Metrics.get(context.getSystem()).endpoint(endpoint.name(), "ftp");
    Faults f = Faults.get(context.getSystem());
    this.faults = f.enabled() ? f : null;
    this.delivered = context.messageAdapter(AckedDelivery.Finished.class, this::onDelivered);
    router.tell(
        new Router.Subscribe(context.messageAdapter(RoutingSnapshot.class, RoutingUpdated::new)));
    Path file = poll.stateFile();
    context.pipeToSelf(
        blocking(() -> Set.copyOf(LocalStateFile.read(file))),
        (t, failure) -> {
          // A state file that cannot be read must not be mistaken for "nothing taken yet".
          if (failure != null) throw new IllegalStateException("cannot read " + file, failure);
          return new StateLoaded(t);
        });
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(
            RoutingUpdated.class,
            u -> {
              routing = u.snapshot();
              return this;
            })
        .onMessage(StateLoaded.class, this::onStateLoaded)
        .onMessageEquals(Tick.INSTANCE, this::onTick)
        .onMessage(Listed.class, this::onListed)
        .onMessage(Routed.class, this::onRouted)
        .onMessage(Marked.class, this::onMarked)
        .onMessage(Finished.class, this::onFinished)
        .onMessage(StepFailed.class, this::onStepFailed)
        .onMessage(GetStatus.class, this::onGetStatus)
        .build();
  }

  private Behavior<Command> onStateLoaded(StateLoaded s) {
    taken = s.taken();
    getContext().getSelf().tell(Tick.INSTANCE);
    return this;
  }

  private Behavior<Command> onTick() {
    RuntimeException injected = injected("list " + poll.directory());
    getContext()
        .pipeToSelf(
            injected != null
                ? CompletableFuture.<List<RemoteFile>>failedFuture(injected)
                : Ftp.ls(endpoint.remote(), poll.directory(), poll.recursive())
                    .runWith(Sink.seq(), getContext().getSystem()),
            (files, failure) ->
                failure == null ? new Listed(files) : new StepFailed("list", null, failure));
    return this;
  }

  private Behavior<Command> onListed(Listed l) {
    Set<String> present = new HashSet<>();
    for (RemoteFile f : l.files()) {
      if (!isCandidate(f)) continue;
      present.add(PolledFile.key(f));
      todo.add(f);
    }
    // Forget files that are gone (moved or deleted): a new file under the same name is new.
    Set<String> pruned = new HashSet<>(taken);
    pruned.retainAll(present);
    if (pruned.size() != taken.size()) {
      Set<String> next = Set.copyOf(pruned);
      getContext()
          .pipeToSelf(
              store(next),
              (d, failure) ->
                  failure == null ? new Marked(null, next) : new StepFailed("mark", null, failure));
      return this;
    }
    return processNext();
  }

  private boolean isCandidate(RemoteFile f) {
    if (!f.isFile() || f.name().startsWith(".")) return false; // .name.part: upload in progress
    if (f.path().startsWith(poll.processedDirectory() + "/")) return false;
    return poll.matcher().matches(Path.of(f.name()));
  }

  private Behavior<Command> processNext() {
    RemoteFile f = todo.poll();
    if (f == null) {
      timers.startSingleTimer(Tick.INSTANCE, poll.interval());
      return this;
    }
    if (taken.contains(PolledFile.key(f))) return finish(f); // routed before a crash: only finish
    RuntimeException injected = injected("download " + f.path());
    if (injected != null) {
      // before any of the file is routed, as a failed RETR: the next poll takes it again
      getContext().getSelf().tell(new StepFailed("route", f, injected));
      return this;
    }
    ActorRef<AckedDelivery.Command> delivery =
        getContext()
            .spawn(
                AckedDelivery.create(routing, f, poll.ackTimeout(), metrics, delivered),
                "deliver-" + ++deliveries);
    PolledFile.messages(endpoint.name(), endpoint.remote(), poll, f, metrics, getContext().getLog())
        .runWith(AckedDelivery.sink(delivery), getContext().getSystem());
    return this;
  }

  private Command onDelivered(AckedDelivery.Finished d) {
    return d.failure() == null
        ? new Routed(d.file())
        : new StepFailed("route", d.file(), d.failure());
  }

  private Behavior<Command> onRouted(Routed r) {
    Set<String> next = new HashSet<>(taken);
    next.add(PolledFile.key(r.file()));
    Set<String> copy = Set.copyOf(next);
    getContext()
        .pipeToSelf(
            store(copy),
            (d, failure) ->
                failure == null
                    ? new Marked(r.file(), copy)
                    : new StepFailed("mark", r.file(), failure));
    return this;
  }

  private Behavior<Command> onMarked(Marked m) {
    taken = m.taken();
    return m.file() == null ? processNext() : finish(m.file());
  }

  private Behavior<Command> finish(RemoteFile f) {
    CompletionStage<Done> done;
    if (poll.after() == PollSettings.After.DELETE) {
      done = Ftp.remove(endpoint.remote(), f.path(), getContext().getSystem());
    } else {
      String target = poll.processedPath(f);
      var system = getContext().getSystem();
      done =
          Ftp.mkdirs(endpoint.remote(), RemotePaths.parent(target), system)
              .thenCompose(d -> Ftp.move(endpoint.remote(), f.path(), target, system));
    }
    getContext()
        .pipeToSelf(
            done,
            (d, failure) ->
                failure == null ? new Finished(f) : new StepFailed("finish", f, failure));
    return this;
  }

  private Behavior<Command> onFinished(Finished f) {
    filesTaken++;
    detail = "";
    getContext().getLog().info("{}: took {}", endpoint.name(), f.file().path());
    return processNext();
  }

  private Behavior<Command> onStepFailed(StepFailed f) {
    failures++;
    metrics.handlerFailures.increment();
    Throwable cause =
        f.cause() instanceof CompletionException c && c.getCause() != null
            ? c.getCause()
            : f.cause();
    detail = f.step() + (f.file() == null ? "" : " " + f.file().path()) + ": " + cause.getMessage();
    getContext()
        .getLog()
        .warn("{}: poll step failed, will retry at the next poll: {}", endpoint.name(), detail);
    if (f.file() == null) todo.clear(); // listing or state write failed: start over next time
    return processNext();
  }

  private Behavior<Command> onGetStatus(GetStatus g) {
    g.replyTo()
        .tell(
            new EndpointStatus(
                endpoint.name(),
                "ftp",
                endpoint.remote().server(),
                detail.isEmpty() ? "polling" : "failing",
                0,
                detail,
                Map.of("files-taken", (double) filesTaken, "poll-failures", (double) failures)));
    return this;
  }

  // A fail-transfers rule on this endpoint: the failure to inject, or null.
  private RuntimeException injected(String transfer) {
    if (faults == null) return null;
    return faults.failure(
        FaultKind.FAIL_TRANSFERS,
        FaultKind.Scope.ENDPOINT,
        endpoint.name(),
        endpoint.name() + " " + transfer);
  }

  private CompletionStage<Done> store(Set<String> keys) {
    Path file = poll.stateFile();
    return blocking(
        () -> {
          LocalStateFile.write(file, keys.stream().sorted().toList());
          return Done.getInstance();
        });
  }

  private interface Io<T> {
    T get() throws java.io.IOException;
  }

  private <T> CompletionStage<T> blocking(Io<T> work) {
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            return work.get();
          } catch (java.io.IOException e) {
            throw new CompletionException(e);
          }
        },
        Ftp.blockingExecutor(getContext().getSystem()));
  }
}
