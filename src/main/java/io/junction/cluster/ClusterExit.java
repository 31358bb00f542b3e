package io.junction.cluster;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * What a node process does when the cluster removes it. A node that was downed (by the split brain
 * resolver on the minority side of a partition, or by an operator) can never rejoin as the same
 * incarnation: Pekko shuts its actor system down ({@code run-coordinated-shutdown-when-down}, kept
 * on by {@link ClusterSetup}), and {@code junction run} then exits with status {@value
 * #DOWNED_STATUS} — a failure, so that a service manager restarts it as a new member — instead of
 * 0, which a requested stop (SIGTERM, a graceful leave) keeps.
 */
public final class ClusterExit {
  /** Exit status of a node the cluster downed, or that could not join its seed nodes. */
  public static final int DOWNED_STATUS = 1;

  private ClusterExit() {}

  /** Logs one clear ERROR line as soon as a downing starts this node's coordinated shutdown. */
  public static void install(ActorSystem<?> system) {
    CoordinatedShutdown shutdown = CoordinatedShutdown.get(system);
    // the first phase, so the line comes before the endpoints and the journal close
    shutdown.addTask(
        CoordinatedShutdown.PhaseBeforeServiceUnbind(),
        "junction-log-downed",
        () -> {
          if (downed(shutdown.getShutdownReason()))
            system
                .log()
                .error(
                    "this node ({}) was removed from the cluster ({}): it shuts down and exits"
                        + " with status {} so that its supervisor restarts it as a new member",
                    system.address(),
                    shutdown.getShutdownReason().map(Object::toString).orElse("?"),
                    DOWNED_STATUS);
          return CompletableFuture.completedFuture(Done.done());
        });
  }

  /** The process exit status once {@code system} has terminated. */
  public static int exitStatus(ActorSystem<?> system) {
    return downed(CoordinatedShutdown.get(system).getShutdownReason()) ? DOWNED_STATUS : 0;
  }

  private static boolean downed(Optional<CoordinatedShutdown.Reason> reason) {
    return reason
        .filter(
            r ->
                r.equals(CoordinatedShutdown.clusterDowningReason())
                    || r.equals(CoordinatedShutdown.clusterJoinUnsuccessfulReason()))
        .isPresent();
  }
}
