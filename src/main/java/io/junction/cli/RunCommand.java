package io.junction.cli;

import com.typesafe.config.Config;
import io.junction.cluster.ClusterExit;
import io.junction.cluster.ClusterSettings;
import io.junction.cluster.ClusterSetup;
import io.junction.config.ConfigProblems;
import io.junction.node.Guardian;
import io.junction.node.NodeSettings;
import io.junction.node.RouteReloader;
import io.junction.queue.JournalSetup;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Runs a node until SIGTERM/SIGINT, then shuts it down gracefully and exits 0. */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description =
        "Run a node. Stops gracefully on SIGTERM or Ctrl-C: stop accepting, flush"
            + " in-flight writes (bounded by junction.shutdown-drain-timeout), close, exit 0."
            + " SIGHUP reloads the routes from the config file.",
    footer = {
      "",
      "Examples:",
      "  junction run",
      "  junction run --config /etc/junction/application.conf",
      "  JUNCTION_PEOPLE_PORT=9000 junction run",
      "  JUNCTION_LOG_FORMAT=json junction run        # one JSON object per log line",
      "Exit codes: 0 stopped cleanly (SIGTERM, Ctrl-C, asked to leave the cluster), 1 failed"
          + " or stopped by itself while running (e.g. downed by the cluster: restart it, it rejoins"
          + " as a new member), 2 invalid configuration or usage."
    })
public final class RunCommand implements Callable<Integer> {
  @Option(
      names = {"-c", "--config"},
      description = "Configuration file (default: ${DEFAULT-VALUE}).",
      defaultValue = "conf/application.conf")
  Path config;

  @Override
  public Integer call() throws Exception {
    Config loaded;
    NodeSettings settings;
    ClusterSettings cluster;
    try {
      Config base = JournalSetup.configure(ConfigLoader.load(config));
      settings = NodeSettings.fromConfig(base);
      // a node the cluster downed only joins again (ClusterExit): never forms a second cluster
      cluster = ClusterExit.forStart(settings.cluster(), settings.dataDir());
      loaded = ClusterSetup.configure(base, cluster);
    } catch (ConfigProblems.InvalidConfigException e) {
      System.err.println(config + ": " + e.getMessage());
      return 2;
    }
    NodeSettings.logFormat(loaded).apply(); // junction.logging.format, before the node logs
    // Before any queue starts: the journal's tables must exist (idempotent).
    JournalSetup.createSchema(loaded);
    ActorSystem<Guardian.Command> system =
        ActorSystem.create(
            Guardian.create(settings, java.util.Optional.of(config)),
            ClusterSettings.SYSTEM_NAME,
            loaded);
    ClusterExit.install(system, cluster, settings.dataDir());
    // SIGHUP reloads the routes from the same file, as POST /v1/routes/reload does.
    Hangup.onHangup(() -> reload(system));
    // Pekko's own hook runs the coordinated shutdown on SIGTERM; this one sets the exit status
    // once it has finished: 0 after a requested stop, as a service manager expects, 1 when the
    // cluster downed this node (System.exit(1) runs this hook too: it must not turn that into 0).
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
                  } catch (Exception e) {
                    Runtime.getRuntime().halt(1);
                  }
                  Runtime.getRuntime().halt(exitCode(system));
                },
                "junction-exit"));
    system.getWhenTerminated().toCompletableFuture().get();
    return exitCode(system);
  }

  /**
   * 0 after a requested stop (a signal, or this node asked to leave the cluster); 1 when the node
   * stopped by itself (downed by the split brain resolver, its management endpoint could not start,
   * its guardian failed), so that a service manager restarting on failure restarts it.
   */
  static int exitCode(ActorSystem<?> system) {
    CoordinatedShutdown.Reason reason =
        CoordinatedShutdown.get(system)
            .getShutdownReason()
            .orElse(CoordinatedShutdown.unknownReason());
    return reason == CoordinatedShutdown.jvmExitReason()
            || reason == CoordinatedShutdown.clusterLeavingReason()
        ? 0
        : 1;
  }

  private static void reload(ActorSystem<Guardian.Command> system) {
    java.time.Duration t = java.time.Duration.ofSeconds(30);
    AskPattern.<Guardian.Command, Guardian.Refs>ask(
            system, Guardian.GetRefs::new, t, system.scheduler())
        .thenCompose(
            refs ->
                AskPattern.<RouteReloader.Command, RouteReloader.Result>ask(
                    refs.reloader(), RouteReloader.Reload::new, t, system.scheduler()))
        .whenComplete(
            (result, failure) -> {
              // The reloader logs the outcome; only a failure to ask is reported here.
              if (failure != null)
                system.log().warn("SIGHUP reload failed: {}", failure.toString());
            });
  }
}
