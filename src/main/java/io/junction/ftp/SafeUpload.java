package io.junction.ftp;

import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.LongConsumer;
import org.apache.pekko.actor.ClassicActorSystemProvider;
import org.apache.pekko.stream.IOResult;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.util.ByteString;

/**
 * An upload that never leaves a partial file under the final name: bytes go to {@code .name.part}
 * in the same directory, the remote size is checked against the bytes sent and, where the server
 * computes file digests ({@link FtpDigests}), its digest of the part against the bytes sent; only
 * then is the file renamed to {@code name}. On any failure the temporary file is removed (best
 * effort; a removal failure is attached as suppressed) and no final file appears. A process killed
 * mid-upload cannot remove it: the same upload run again reuses (replaces) the same {@code
 * .name.part}, and {@link FtpDestination}, whose file names never repeat, uses a temporary name of
 * its own that it removes at start (docs/FTP.md).
 *
 * <p>Directory pollers must skip names starting with {@code .} and ending with {@code .part}.
 */
public final class SafeUpload {
  private SafeUpload() {}

  /** The temporary name used while uploading {@code path}: {@code dir/.name.part}. */
  public static String partName(String path) {
    String parent = RemotePaths.parent(path);
    return RemotePaths.child(parent, "." + RemotePaths.fileName(path) + ".part");
  }

  /**
   * Uploads the stream to {@code path} safely, replacing an existing file. The materialized result
   * completes once the file is in place under its final name.
   */
  public static Sink<ByteString, CompletionStage<IOResult>> toPath(
      RemoteSettings settings, String path) {
    return toPath(settings, path, false);
  }

  /**
   * Like {@link #toPath(RemoteSettings, String)}; with {@code createDirectories} the parent
   * directories are created first (like {@code curl --ftp-create-dirs}). Directory creation, the
   * upload, the size check and the rename share one connection.
   */
  public static Sink<ByteString, CompletionStage<IOResult>> toPath(
      RemoteSettings settings, String path, boolean createDirectories) {
    return toPath(settings, path, partName(path), createDirectories);
  }

  /**
   * Like {@link #toPath(RemoteSettings, String, boolean)} with the temporary name {@code part}
   * chosen by the caller: {@link FtpDestination} names it after itself so that a restart reuses it.
   */
  static Sink<ByteString, CompletionStage<IOResult>> toPath(
      RemoteSettings settings, String path, String part, boolean createDirectories) {
    RemotePaths.requireClean(path);
    RemotePaths.requireClean(part);
    String parent = RemotePaths.parent(path);
    RemoteSink.SessionStep before =
        createDirectories && !parent.isEmpty() ? s -> s.mkdirs(parent) : s -> {};
    RemoteSink.AfterUpload commit =
        (s, sent, digest) -> commit(settings, s, sent, digest, part, path);
    return Sink.<ByteString, CompletionStage<IOResult>>fromMaterializer(
            (mat, attributes) ->
                Sink.fromGraph(new RemoteSink(settings, part, false, before, commit, true))
                    .withAttributes(Ftp.blocking("ftpSafeUpload"))
                    .mapMaterializedValue(
                        upload ->
                            upload.exceptionallyCompose(
                                failure -> cleanUp(settings, part, unwrap(failure), mat.system()))))
        .mapMaterializedValue(nested -> nested.thenCompose(result -> result));
  }

  /**
   * Uploads the local file {@code local} safely to {@code path}, as {@link #toPath(RemoteSettings,
   * String, boolean)} does with a stream, on one connection on the blocking dispatcher, calling
   * {@code progress} with each block of bytes sent. It costs less than half the CPU of {@code
   * FileIO.fromPath} into {@link #toPath} (docs/PERFORMANCE.md), so {@code junction ftp put} uses
   * it.
   */
  public static CompletionStage<IOResult> fromFile(
      RemoteSettings settings,
      Path local,
      String path,
      boolean createDirectories,
      LongConsumer progress,
      ClassicActorSystemProvider system) {
    RemotePaths.requireClean(path);
    String part = partName(path);
    String parent = RemotePaths.parent(path);
    return Ftp.withSession(
            settings,
            system,
            s -> {
              if (createDirectories && !parent.isEmpty()) s.mkdirs(parent);
              MessageDigest digest = s.digestAlgorithm().map(FtpDigests::newDigest).orElse(null);
              long sent = s.upload(local, part, progress, digest);
              commit(settings, s, sent, digest, part, path);
              return IOResult.createSuccessful(sent);
            })
        .exceptionallyCompose(failure -> cleanUp(settings, part, unwrap(failure), system));
  }

  /**
   * Checks the remote size against the bytes sent and, with a {@code digest} of them, the server's
   * digest of the part; then renames the part into place.
   */
  private static void commit(
      RemoteSettings settings,
      RemoteSession s,
      long sent,
      MessageDigest digest,
      String part,
      String path)
      throws java.io.IOException {
    long size = s.size(part);
    if (size != sent) {
      throw new RemoteException.TransferFailed(
          "remote size " + size + " differs from " + sent + " bytes sent",
          settings.server(),
          part,
          null);
    }
    Optional<FtpDigests.Check> check =
        digest == null ? Optional.empty() : FtpDigests.check(s, part, digest);
    if (check.isPresent() && !check.get().matches()) {
      throw new RemoteException.TransferFailed(
          "the server's "
              + check.get().algorithm()
              + " of the "
              + sent
              + " bytes sent differs (server "
              + check.get().server()
              + ", sent "
              + check.get().here()
              + ")",
          settings.server(),
          part,
          null);
    }
    s.move(part, path);
  }

  private static CompletionStage<IOResult> cleanUp(
      RemoteSettings settings, String part, Throwable failure, ClassicActorSystemProvider system) {
    return Ftp.withSession(
            settings,
            system,
            s -> {
              try {
                s.remove(part);
              } catch (RemoteException.NotFound alreadyGone) {
                // nothing was created, or the rename already happened
              }
              return null;
            })
        .handle(
            (ignored, removalFailure) -> {
              if (removalFailure != null) failure.addSuppressed(unwrap(removalFailure));
              throw new CompletionException(failure);
            });
  }

  static Throwable unwrap(Throwable t) {
    while (t instanceof CompletionException && t.getCause() != null) t = t.getCause();
    return t;
  }
}
