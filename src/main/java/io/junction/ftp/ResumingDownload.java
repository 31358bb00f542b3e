package io.junction.ftp;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.ClassicActorSystemProvider;
import org.apache.pekko.pattern.Patterns;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Downloads a remote file to a local file that appears only when complete: each attempt is one
 * connection (size, then retrieve from an offset); bytes go to {@code .name.part} beside the
 * target; after a retryable failure (dropped connection, timeout) the download resumes from the
 * part file's length with REST / an SFTP offset, up to the {@link RetryPolicy}'s attempts with
 * exponential backoff; at the end the part's size is checked against the remote size and, where the
 * server computes file digests (FTP servers listing HASH, MD5, XSHA256... in FEAT: {@link
 * FtpDigests}), the digest of the bytes received against the server's, and the part is atomically
 * moved to the target. A digest mismatch is retried from byte 0.
 *
 * <p>Authentication, trust, not-found and permission errors are not retried. If the remote size
 * changes between attempts, the download starts again from byte 0. On final failure the part file
 * is deleted. Two downloads must not target the same local file at once.
 */
public final class ResumingDownload {
  private static final Logger log = LoggerFactory.getLogger(ResumingDownload.class);

  /** Told how a download goes, from the thread doing it (one attempt at a time). */
  public interface Progress {
    /** An attempt starts: the remote file has {@code size} bytes, {@code offset} are here. */
    void started(long size, long offset);

    /** {@code n} more bytes were written. */
    void add(long n);

    /** Ignores everything. */
    Progress NONE =
        new Progress() {
          @Override
          public void started(long size, long offset) {}

          @Override
          public void add(long n) {}
        };
  }

  /**
   * A completed download: where it is, how many bytes, how many attempts it took, and the digest
   * algorithm it was verified with beyond its size ({@code "MD5"}, {@code "SHA-256"}...; empty if
   * the server offers none).
   */
  public record Result(Path file, long bytes, int attempts, Optional<String> verifiedWith) {}

  private final RemoteSettings settings;
  private final String remotePath;
  private final Path target;
  private final Path part;
  private final RetryPolicy retry;
  private final Progress progress;
  private final ClassicActorSystemProvider system;
  private final Executor blocking;
  private long expectedSize = -1; // only touched by one attempt at a time, in sequence

  private ResumingDownload(
      RemoteSettings settings,
      String remotePath,
      Path target,
      RetryPolicy retry,
      Progress progress,
      ClassicActorSystemProvider system) {
    this.settings = settings;
    this.remotePath = remotePath;
    this.target = target.toAbsolutePath().normalize();
    this.part = this.target.resolveSibling("." + this.target.getFileName() + ".part");
    this.retry = retry;
    this.progress = progress;
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
    return toFile(settings, remotePath, target, retry, Progress.NONE, system);
  }

  /**
   * Like {@link #toFile(RemoteSettings, String, Path, RetryPolicy, ClassicActorSystemProvider)},
   * telling {@code progress}.
   */
  public static CompletionStage<Result> toFile(
      RemoteSettings settings,
      String remotePath,
      Path target,
      RetryPolicy retry,
      Progress progress,
      ClassicActorSystemProvider system) {
    RemotePaths.requireClean(remotePath);
    return new ResumingDownload(settings, remotePath, target, retry, progress, system).attempt(1);
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

  /**
   * One attempt on one connection (one login): SIZE, choose the offset, REST + RETR (or an SFTP
   * read from the offset) appending to the part file, the transfer's final reply, then the size
   * check and the move. Until this was one session, SIZE and RETR each paid a connection and a
   * login, which made a cold {@code junction ftp get} ~0.55 of curl (docs/PERFORMANCE.md).
   */
  private CompletionStage<Result> attempt(int n) {
    return Ftp.withSession(settings, system, s -> transfer(n, s))
        .exceptionallyCompose(failure -> retryOrFail(n, SafeUpload.unwrap(failure)));
  }

  private Result transfer(int n, RemoteSession session) throws IOException {
    long size = session.size(remotePath);
    long offset = prepare(n, size);
    MessageDigest digest = session.digestAlgorithm().map(FtpDigests::newDigest).orElse(null);
    if (digest != null && offset > 0) digestPrefix(digest, offset); // the bytes already here
    progress.started(size, offset);
    if (offset < size || size == 0) {
      // A blocking copy loop, like SafeUpload.fromFile: no stream elements, one buffer, flat
      // memory.
      try (OutputStream out =
          Files.newOutputStream(
              part,
              StandardOpenOption.WRITE,
              StandardOpenOption.CREATE,
              StandardOpenOption.APPEND)) {
        InputStream in = session.read(remotePath, offset);
        byte[] buffer = new byte[Math.max(settings.bufferSize(), RemoteSession.UPLOAD_BLOCK)];
        for (int k; (k = in.read(buffer)) != -1; ) {
          out.write(buffer, 0, k);
          if (digest != null) digest.update(buffer, 0, k);
          progress.add(k);
        }
        in.close(); // verifies the server's final reply; on a failure, closing the session aborts
      }
    }
    return commit(n, session, digest);
  }

  /** Chooses the resume offset: the part's length, unless this is a fresh start. */
  private long prepare(int n, long remoteSize) throws IOException {
    boolean fresh = n == 1 || remoteSize != expectedSize;
    if (n > 1 && remoteSize != expectedSize && expectedSize != -1) {
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
  }

  private Result commit(int n, RemoteSession session, MessageDigest digest) throws IOException {
    long local = Files.exists(part) ? Files.size(part) : 0L;
    if (local != expectedSize) {
      throw new RemoteException.TransferFailed(
          "downloaded " + local + " bytes, remote size is " + expectedSize,
          settings.server(),
          remotePath,
          null);
    }
    Optional<FtpDigests.Check> check =
        digest == null ? Optional.empty() : FtpDigests.check(session, remotePath, digest);
    if (check.isPresent() && !check.get().matches()) {
      expectedSize = -1; // the bytes here are not the server's: the next attempt starts over
      throw new RemoteException.TransferFailed(
          "the "
              + local
              + " bytes received do not match the server's "
              + check.get().algorithm()
              + " (server "
              + check.get().server()
              + ", received "
              + check.get().here()
              + ")",
          settings.server(),
          remotePath,
          null);
    }
    Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    return new Result(target, local, n, check.map(FtpDigests.Check::algorithm));
  }

  /** Feeds the first {@code length} bytes of the part file (a resumed download's) to the digest. */
  private void digestPrefix(MessageDigest digest, long length) throws IOException {
    byte[] buffer = new byte[RemoteSession.UPLOAD_BLOCK];
    try (InputStream in = Files.newInputStream(part)) {
      for (long left = length; left > 0; ) {
        int k = in.read(buffer, 0, (int) Math.min(buffer.length, left));
        if (k < 0) throw new IOException(part + " shrank while resuming");
        digest.update(buffer, 0, k);
        left -= k;
      }
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
