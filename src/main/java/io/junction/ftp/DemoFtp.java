package io.junction.ftp;

import com.typesafe.config.Config;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the {@link DemoFtpServer} inside the node when {@code junction.demo-ftp.enabled = on}:
 * started on {@code junction.blocking-io-dispatcher}, stopped by {@link CoordinatedShutdown} just
 * before the actor system terminates (after the endpoints, so an archive can still finish). A
 * failure to start is logged; the node runs on without it.
 */
public final class DemoFtp {
  private static final Logger log = LoggerFactory.getLogger(DemoFtp.class);

  private DemoFtp() {}

  public static void startIfEnabled(ActorSystem<?> system, Config config) {
    DemoFtpServer.Settings settings = DemoFtpServer.Settings.fromConfig(config);
    if (!settings.enabled()) return;
    Executor blocking = Ftp.blockingExecutor(system);
    CompletableFuture<DemoFtpServer> started =
        CompletableFuture.supplyAsync(() -> start(settings), blocking);
    started.whenComplete(
        (server, failure) -> {
          if (failure != null) log.error("demo FTP server not started: {}", failure.getMessage());
          else
            log.warn(
                "demo FTP server (development only, plain FTP) on ftp://{}@{}:{}/, home {}",
                settings.user(),
                settings.host(),
                server.port(),
                settings.home().toAbsolutePath());
        });
    CoordinatedShutdown.get(system)
        .addTask(
            CoordinatedShutdown.PhaseBeforeActorSystemTerminate(),
            "stop-demo-ftp",
            () ->
                started
                    .thenApplyAsync(
                        server -> {
                          server.stop();
                          return Done.getInstance();
                        },
                        blocking)
                    .exceptionally(failure -> Done.getInstance()));
  }

  private static DemoFtpServer start(DemoFtpServer.Settings settings) {
    try {
      return DemoFtpServer.start(settings);
    } catch (IOException e) {
      throw new CompletionException(e);
    }
  }
}
