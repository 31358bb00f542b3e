package io.junction.node;

import com.typesafe.config.Config;
import io.junction.cli.ConfigLoader;
import io.junction.config.ConfigProblems;
import io.junction.routing.Router;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * Reloads the route table from the node's config file: re-reads it (on the blocking dispatcher),
 * validates the whole file, checks that it changes routes only (endpoints, structs, queues and HTTP
 * destinations as running), and then has the {@link Router} swap the table in one step. Any problem
 * leaves the running table in force and is answered with every problem by path. One reload runs at
 * a time; a second request meanwhile is refused rather than queued.
 */
public final class RouteReloader extends AbstractBehavior<RouteReloader.Command> {

  /** Messages the reloader accepts. */
  public sealed interface Command {}

  /** Re-read the config file and swap the routes if it is valid. */
  public record Reload(ActorRef<Result> replyTo) implements Command {}

  /** What a reload did. */
  public sealed interface Result {}

  /** The new table is in force from snapshot {@code version}. */
  public record Reloaded(long version, int routes) implements Result {}

  /** Nothing changed; {@code problems} say why. */
  public record Rejected(List<ConfigProblems.Problem> problems) implements Result {
    public Rejected {
      problems = List.copyOf(problems);
    }
  }

  private record Loaded(NodeSettings settings, List<ConfigProblems.Problem> problems, Reload r)
      implements Command {}

  private enum Check implements Command {
    INSTANCE
  }

  private record Modified(java.nio.file.attribute.FileTime time) implements Command {}

  private record Ignored(Result result) implements Command {}

  private record EndpointsReady(Loaded loaded) implements Command {}

  private record Swapped(Router.RoutesReplaced replaced, int routes, Reload r, Throwable failure)
      implements Command {}

  /** Sections a reload must leave as they are: changing them needs a restart. */
  static final List<String> FIXED_SECTIONS = List.of("junction.queues", "junction.http");

  private final Optional<Path> file;
  private Config running; // the config in force: startup's, then each accepted reload's
  private final ActorRef<Router.Command> router;
  private final ActorRef<Endpoints.Command> endpoints;
  private final Executor blocking;
  private boolean busy;
  // Edits later than this are changes: the file was read at start, just before this actor began
  // (reloading an unchanged file is harmless, missing an edit is not).
  private java.nio.file.attribute.FileTime lastSeen =
      java.nio.file.attribute.FileTime.from(java.time.Instant.now());

  public static Behavior<Command> create(
      Optional<Path> file,
      Config running,
      ActorRef<Router.Command> router,
      ActorRef<Endpoints.Command> endpoints) {
    return Behaviors.setup(
        ctx ->
            Behaviors.withTimers(
                timers -> {
                  // junction.routes-watch: reload when the file's modification time changes
                  if (file.isPresent() && running.getBoolean("junction.routes-watch"))
                    timers.startTimerWithFixedDelay(
                        Check.INSTANCE, running.getDuration("junction.routes-watch-interval"));
                  return new RouteReloader(ctx, file, running, router, endpoints);
                }));
  }

  private RouteReloader(
      ActorContext<Command> context,
      Optional<Path> file,
      Config running,
      ActorRef<Router.Command> router,
      ActorRef<Endpoints.Command> endpoints) {
    super(context);
    this.endpoints = endpoints;
    this.file = file;
    this.running = running;
    this.router = router;
    this.blocking =
        context.getSystem().classicSystem().dispatchers().lookup("junction.blocking-io-dispatcher");
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Reload.class, this::onReload)
        .onMessage(Loaded.class, this::onLoaded)
        .onMessage(Swapped.class, this::onSwapped)
        .onMessageEquals(Check.INSTANCE, this::onCheck)
        .onMessage(Modified.class, this::onModified)
        .onMessage(Ignored.class, i -> this)
        .onMessage(EndpointsReady.class, e -> swap(e.loaded()))
        .build();
  }

  private Behavior<Command> onCheck() {
    Path f = file.orElseThrow();
    getContext()
        .pipeToSelf(
            CompletableFuture.supplyAsync(
                () -> {
                  try {
                    return java.nio.file.Files.getLastModifiedTime(f);
                  } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                  }
                },
                blocking),
            (time, failure) -> new Modified(failure == null ? time : null));
    return this;
  }

  private Behavior<Command> onModified(Modified m) {
    if (m.time() == null) return this; // unreadable for now: the next check tries again
    boolean changed = m.time().compareTo(lastSeen) > 0;
    if (changed) lastSeen = m.time();
    if (changed) {
      getContext().getLog().info("{} changed: reloading routes", file.orElseThrow());
      return onReload(new Reload(getContext().messageAdapter(Result.class, Ignored::new)));
    }
    return this;
  }

  private Behavior<Command> onReload(Reload r) {
    if (file.isEmpty()) {
      r.replyTo().tell(rejected("junction", "this node was not started from a config file"));
      return this;
    }
    if (busy) {
      r.replyTo().tell(rejected("junction.routes", "another reload is in progress; try again"));
      return this;
    }
    busy = true;
    Path f = file.get();
    getContext()
        .pipeToSelf(
            CompletableFuture.supplyAsync(
                () -> NodeSettings.fromConfig(ConfigLoader.load(f)), blocking),
            (settings, failure) -> {
              Throwable cause =
                  failure != null && failure.getCause() != null ? failure.getCause() : failure;
              if (cause instanceof ConfigProblems.InvalidConfigException e)
                return new Loaded(null, e.problems(), r);
              if (cause != null)
                return new Loaded(
                    null,
                    List.of(new ConfigProblems.Problem(f.toString(), String.valueOf(cause))),
                    r);
              return new Loaded(settings, List.of(), r);
            });
    return this;
  }

  private Behavior<Command> onLoaded(Loaded l) {
    List<ConfigProblems.Problem> problems = new ArrayList<>(l.problems());
    if (l.settings() != null) problems.addAll(fixedSectionChanges(l.settings().config()));
    if (!problems.isEmpty()) {
      busy = false;
      getContext().getLog().warn("route reload rejected: {}", ConfigProblems.render(problems));
      l.r().replyTo().tell(new Rejected(problems));
      return this;
    }
    if (!EndpointChanges.changed(running, l.settings().config()).isEmpty()) {
      // endpoints first, so that the new routes find the destinations they name
      getContext()
          .ask(
              Endpoints.Reconciled.class,
              endpoints,
              Duration.ofSeconds(10),
              replyTo -> new Endpoints.Reconcile(l.settings(), replyTo),
              (done, failure) ->
                  failure == null
                      ? new EndpointsReady(l)
                      : new Loaded(
                          null,
                          List.of(
                              new ConfigProblems.Problem(
                                  "junction.endpoints", "endpoints did not restart: " + failure)),
                          l.r()));
      return this;
    }
    return swap(l);
  }

  private Behavior<Command> swap(Loaded l) {
    running = l.settings().config();
    int count = l.settings().routes().size();
    getContext()
        .ask(
            Router.RoutesReplaced.class,
            router,
            Duration.ofSeconds(10),
            replyTo -> new Router.ReplaceRoutes(l.settings().routes(), replyTo),
            (replaced, failure) -> new Swapped(replaced, count, l.r(), failure));
    return this;
  }

  private Behavior<Command> onSwapped(Swapped s) {
    busy = false;
    if (s.failure() != null) {
      s.r()
          .replyTo()
          .tell(rejected("junction.routes", "the router did not answer: " + s.failure()));
      return this;
    }
    getContext()
        .getLog()
        .info(
            "routes reloaded: {} routes in force from version {}",
            s.routes(),
            s.replaced().version());
    s.r().replyTo().tell(new Reloaded(s.replaced().version(), s.routes()));
    return this;
  }

  /** A problem for every section that differs from the running node. */
  List<ConfigProblems.Problem> fixedSectionChanges(Config next) {
    List<ConfigProblems.Problem> out = new ArrayList<>();
    for (String section : FIXED_SECTIONS) {
      Object before = running.hasPath(section) ? running.getValue(section).unwrapped() : null;
      Object after = next.hasPath(section) ? next.getValue(section).unwrapped() : null;
      if (section.equals("junction.http")) {
        before = destinations(running);
        after = destinations(next);
      }
      if (!Objects.equals(before, after))
        out.add(
            new ConfigProblems.Problem(
                section,
                "changed; a reload changes routes, endpoints and structs: restart the node to change "
                    + section.substring("junction.".length())));
    }
    return out;
  }

  private static Object destinations(Config c) {
    return c.hasPath("junction.http.destinations")
        ? c.getValue("junction.http.destinations").unwrapped()
        : null;
  }

  private static Rejected rejected(String path, String message) {
    return new Rejected(List.of(new ConfigProblems.Problem(path, message)));
  }
}
