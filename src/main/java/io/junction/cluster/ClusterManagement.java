package io.junction.cluster;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.management.HealthCheckSettings;
import org.apache.pekko.management.cluster.bootstrap.ClusterBootstrap;
import org.apache.pekko.management.javadsl.HealthChecks;
import org.apache.pekko.management.javadsl.PekkoManagement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts Pekko Management's HTTP endpoint and Cluster Bootstrap when {@code
 * junction.cluster.management} / {@code bootstrap} are enabled, and answers the node's readiness
 * with Management's readiness checks (for the cluster: this node is an Up member), so that {@code
 * GET /v1/ready} and the management endpoint's {@code GET /ready} agree.
 */
public final class ClusterManagement {
  private static final Logger log = LoggerFactory.getLogger(ClusterManagement.class);

  private final HealthChecks checks; // null: the cluster is off, nothing to check

  private ClusterManagement(HealthChecks checks) {
    this.checks = checks;
  }

  /**
   * Starts what {@code settings} enable. A management endpoint that cannot bind stops the node:
   * with bootstrap it could never join, and its probes would fail anyway.
   */
  public static ClusterManagement start(ActorSystem<?> system, ClusterSettings settings) {
    if (!settings.enabled()) return new ClusterManagement(null);
    ExtendedActorSystem classic = (ExtendedActorSystem) Adapter.toClassic(system);
    HealthChecks checks =
        new HealthChecks(
            classic,
            HealthCheckSettings.create(
                system.settings().config().getConfig("pekko.management.health-checks")));
    if (settings.management().enabled()) startManagement(system, settings);
    return new ClusterManagement(checks);
  }

  private static void startManagement(ActorSystem<?> system, ClusterSettings settings) {
    ManagementSettings m = settings.management();
    PekkoManagement management = PekkoManagement.get(system);
    management
        .start()
        .whenComplete(
            (uri, failure) -> {
              if (failure == null) {
                // "<name> listening on host:port", as every endpoint logs it (tests read it)
                log.info(
                    "management listening on {}:{} (advertised as {})",
                    m.effectiveBindHost(),
                    uri.port(),
                    uri);
                return;
              }
              log.error(
                  "management endpoint {}:{} failed to start; stopping the node",
                  m.effectiveBindHost(),
                  m.port(),
                  failure);
              CoordinatedShutdown.get(system).run(ManagementFailed.INSTANCE);
            });
    CoordinatedShutdown.get(system)
        .addTask(
            CoordinatedShutdown.PhaseBeforeActorSystemTerminate(),
            "stop-management",
            () -> management.stop().thenApply(d -> Done.getInstance()));
    if (settings.bootstrap().enabled()) {
      BootstrapSettings b = settings.bootstrap();
      log.info(
          "cluster bootstrap: discovery {} of '{}', {} contact points required",
          b.discovery(),
          b.serviceName(),
          b.requiredContactPoints());
      ClusterBootstrap.get(system).start();
    }
  }

  /** Empty when ready (or the cluster is off); else why not, from the failing check. */
  public CompletionStage<Optional<String>> notReady() {
    if (checks == null) return CompletableFuture.completedFuture(Optional.empty());
    return checks
        .readyResult()
        .thenApply(r -> r.isSuccess() ? Optional.<String>empty() : r.failure())
        .exceptionally(e -> Optional.of("readiness checks failed: " + e));
  }

  /** The reason given to coordinated shutdown when the management endpoint cannot start. */
  private enum ManagementFailed implements CoordinatedShutdown.Reason {
    INSTANCE
  }
}
