package io.junction.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.cluster.Cluster;

/**
 * What a node process does when the cluster removes it, and when it starts again. A node that was
 * downed (by the split brain resolver on the minority side of a partition, or by an operator) can
 * never rejoin as the same incarnation: Pekko shuts its actor system down ({@code
 * run-coordinated-shutdown-when-down}, kept on by {@link ClusterSetup}), and {@code junction run}
 * then exits with status {@value #DOWNED_STATUS} — a failure, so that a service manager restarts it
 * — instead of 0, which a requested stop (SIGTERM, a graceful leave) keeps.
 *
 * <p>A downed node also leaves a marker file, {@value #MARKER}, in its data directory. Started
 * again with the marker there, it only <em>joins</em> an existing cluster until it is Up (then the
 * marker goes): were it the first seed node, Pekko would let it form a new cluster of its own when
 * the others do not answer within {@code seed-node-timeout} — certain while the partition that got
 * it downed lasts, and seen here even after it healed — and two clusters would run the same queues
 * on one shared journal.
 */
public final class ClusterExit {
  /** Exit status of a node the cluster downed, or that could not join its seed nodes. */
  public static final int DOWNED_STATUS = 1;

  /** The file a downed node leaves in its data directory. */
  public static final String MARKER = "cluster-downed";

  private static final String DISPATCHER = "junction.blocking-io-dispatcher";

  /** How long a downed node's actor system may take to terminate before the JVM is halted. */
  static final Duration TERMINATE_WITHIN = Duration.ofSeconds(30);

  private ClusterExit() {}

  /** {@code settings} for this start: joining only when the marker is in {@code dataDir}. */
  public static ClusterSettings forStart(ClusterSettings settings, Path dataDir) {
    return settings.enabled() && Files.exists(dataDir.resolve(MARKER))
        ? settings.joiningOnly()
        : settings;
  }

  /**
   * On a downing, logs one clear ERROR line and writes the marker (first phase of the coordinated
   * shutdown, before the endpoints close); after a start in joining-only mode, says so and removes
   * the marker once this node is Up.
   */
  public static void install(ActorSystem<?> system, ClusterSettings settings, Path dataDir) {
    if (!settings.enabled()) return;
    Path marker = dataDir.resolve(MARKER);
    Executor blocking = system.dispatchers().lookup(DispatcherSelector.fromConfig(DISPATCHER));
    CoordinatedShutdown shutdown = CoordinatedShutdown.get(system);
    shutdown.addTask(
        CoordinatedShutdown.PhaseBeforeServiceUnbind(),
        "junction-downed",
        () -> {
          Optional<CoordinatedShutdown.Reason> reason = shutdown.getShutdownReason();
          // only a downing: a node that never managed to join has no cluster to keep out of
          if (!reason.equals(Optional.of(CoordinatedShutdown.clusterDowningReason())))
            return CompletableFuture.completedFuture(Done.done());
          system
              .log()
              .error(
                  "this node ({}) was removed from the cluster ({}): it shuts down and exits with"
                      + " status {} so that its supervisor restarts it as a new member",
                  system.address(),
                  reason.get(),
                  DOWNED_STATUS);
          startWatchdog(system);
          return CompletableFuture.supplyAsync(
              () -> write(marker, Instant.now() + " " + reason.get() + "\n"), blocking);
        });
    if (!Files.exists(marker)) return;
    system
        .log()
        .warn(
            "this node was downed before ({}): it joins an existing cluster through {} and will"
                + " not form a new one; delete that file to let it (only if no other node runs)",
            marker,
            settings.seedNodes());
    Cluster.get(Adapter.toClassic(system))
        .registerOnMemberUp(() -> CompletableFuture.runAsync(() -> delete(marker), blocking));
  }

  /**
   * Halts the JVM with {@value #DOWNED_STATUS} when the actor system has not terminated {@link
   * #TERMINATE_WITHIN} after the downing began: a downed node must end even when something keeps
   * its actor system from terminating (seen once here with the cluster links blackholed: the
   * actor-system-terminate phase timed out and the process stayed, a zombie without endpoints). A
   * plain thread, not an actor: it must run when the actor system no longer does.
   */
  private static void startWatchdog(ActorSystem<?> system) {
    Thread watchdog =
        new Thread(
            () -> {
              try {
                system
                    .getWhenTerminated()
                    .toCompletableFuture()
                    .get(TERMINATE_WITHIN.toMillis(), TimeUnit.MILLISECONDS);
              } catch (TimeoutException e) {
                // System.err, not the log: the logging may be what hangs; halt, not exit: the
                // shutdown hooks would wait for the same termination
                System.err.println(
                    "junction: the actor system did not terminate within "
                        + TERMINATE_WITHIN.toSeconds()
                        + " s after this node was downed; halting with status "
                        + DOWNED_STATUS
                        + ". Threads:\n"
                        + threads());
                System.err.flush();
                Runtime.getRuntime().halt(DOWNED_STATUS);
              } catch (InterruptedException | ExecutionException e) {
                // terminated (or failed to) in time: the normal exit path goes on
              }
            },
            "junction-downed-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();
  }

  private static String threads() {
    StringBuilder sb = new StringBuilder();
    Thread.getAllStackTraces()
        .forEach(
            (t, frames) -> {
              sb.append("  \"").append(t.getName()).append("\" ").append(t.getState()).append('\n');
              for (int i = 0; i < Math.min(8, frames.length); i++)
                sb.append("      at ").append(frames[i]).append('\n');
            });
    return sb.toString();
  }

  private static Done write(Path marker, String content) {
    try {
      Files.createDirectories(marker.getParent());
      Files.writeString(marker, content);
      return Done.done();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void delete(Path marker) {
    try {
      Files.deleteIfExists(marker);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
