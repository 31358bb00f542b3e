package io.junction.ftp;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.ClassicActorSystemProvider;
import org.apache.pekko.pattern.Patterns;
import org.apache.pekko.stream.IOResult;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.FileIO;
import org.apache.pekko.stream.javadsl.Keep;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Downloads a remote file to a local file that appears only when complete: bytes go to {@code
 * .name.part} beside the target; after a retryable failure (dropped connection, timeout) the
 * download resumes from the part file's length with REST / an SFTP offset, up to the {@link
 * RetryPolicy}'s attempts with exponential backoff; at the end the part's size is checked against
 * the remote size and the part is atomically moved to the target.
 *
 * <p>Authentication, trust, not-found and permission errors are not retried. If the remote size
 * changes between attempts, the download starts again from byte 0. On final failure the part file
 * is deleted. Two downloads must not target the same local file at once.
 */
public final class ResumingDownload {
  private static final Logger log = LoggerFactory.getLogger(ResumingDownload.class);

  /** A completed download: where it is, how many bytes, and how many attempts it took. */
  public record Result(Path file, long bytes, int attempts) {}

  private final RemoteSettings settings;
  private final String remotePath;
  private final Path target;
  private final Path part;
  private final RetryPolicy retry;
  private final ClassicActorSystemProvider system;
  private final Executor blocking;
  private long expectedSize = -1; // only touched by one attempt at a time, in sequence

  private ResumingDownload(
      RemoteSettings settings,
      String remotePath,
      Path target,
      RetryPolicy retry,
      ClassicActorSystemProvider system) {
    this.settings = settings;
    this.remotePath = remotePath;
    this.target = target.toAbsolutePath().normalize();
    this.part = this.target.resolveSibling("." + this.target.getFileName() + ".part");
    this.retry = retry;
    this.system = system;
    this.blocking = Ftp.blockingExecutor(system);
  }

  /** Downloads {@code remotePath} to the local file {@code target}. */
  public static CompletionStage<Result> toFile(
      RemoteSettings settings,
      String remotePath,
      Path target,
      RetryPolicy retry,
      ClassicActorSystemProvider system) {
    RemotePaths.requireClean(remotePath);
    return new ResumingDownload(settings, remotePath, target, retry, system).attempt(1);
  }

  /**
   * Downloads {@code remotePath} into {@code dir} under its remote file name; a name that could
   * escape {@code dir} (separators, {@code ..}, control characters) throws {@link
   * UnsafePathException} before any connection is made.
   */
  public static CompletionStage<Result> toDirectory(
      RemoteSettings settings,
      String remotePath,
      Path dir,
      RetryPolicy retry,
      ClassicActorSystemProvider system) {
    Path target = RemotePaths.localTarget(dir, RemotePaths.fileName(remotePath));
    return toFile(settings, remotePath, target, retry, system);
  }

  private CompletionStage<Result> attempt(int n) {
    return Ftp.withSession(settings, system, s -> s.size(remotePath))
        .thenApplyAsync(size -> prepare(n, size), blocking)
        .thenCompose(this::transfer)
        .thenApplyAsync(ignored -> commit(n), blocking)
        .exceptionallyCompose(failure -> retryOrFail(n, SafeUpload.unwrap(failure)));
  }

  /** Chooses the resume offset: the part's length, unless this is a fresh start. */
  private long prepare(int n, long remoteSize) {
    try {
      boolean fresh = n == 1 || remoteSize != expectedSize;
      if (n > 1 && remoteSize != expectedSize) {
        log.info("{} changed size on {}; restarting from byte 0", remotePath, settings.server());
      }
      expectedSize = remoteSize;
      Files.createDirectories(part.getParent());
      if (fresh) Files.deleteIfExists(part);
      long offset = Files.exists(part) ? Files.size(part) : 0L;
      if (offset > remoteSize) {
        Files.delete(part);
        offset = 0L;
      }
      return offset;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private CompletionStage<IOResult> transfer(long offset) {
    if (offset == expectedSize && offset > 0) {
      return CompletableFuture.completedFuture(IOResult.createSuccessful(0));
    }
    Set<StandardOpenOption> options =
        Set.of(StandardOpenOption.WRITE, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    return Ftp.fromPath(settings, remotePath, offset)
        .toMat(
            FileIO.toPath(part, options).withAttributes(Ftp.blocking("ftpPartFile")), Keep.right())
        .run(Materializer.matFromSystem(system));
  }

  private Result commit(int n) {
    try {
      long local = Files.exists(part) ? Files.size(part) : 0L;
      if (local != expectedSize) {
        throw new CompletionException(
            new RemoteException.TransferFailed(
                "downloaded " + local + " bytes, remote size is " + expectedSize,
                settings.server(),
                remotePath,
                null));
      }
      Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      return new Result(target, local, n);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private CompletionStage<Result> retryOrFail(int n, Throwable failure) {
    RemoteException remote = findRemote(failure);
    if (remote != null && remote.isRetryable() && n < retry.maxAttempts()) {
      log.warn(
          "Download attempt {} of {} failed, resuming: {}",
          n,
          retry.maxAttempts(),
          remote.getMessage());
      return Patterns.after(retry.backoff(n), system, () -> attempt(n + 1));
    }
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            Files.deleteIfExists(part);
          } catch (IOException e) {
            failure.addSuppressed(e);
          }
          throw new CompletionException(remote != null ? remote : failure);
        },
        blocking);
  }

  private static RemoteException findRemote(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof RemoteException r) return r;
    }
    return null;
  }
}
