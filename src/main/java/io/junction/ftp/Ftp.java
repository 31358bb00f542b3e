package io.junction.ftp;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.ClassicActorSystemProvider;
import org.apache.pekko.stream.ActorAttributes;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.IOResult;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * FTP, FTPS and SFTP as Pekko Streams, in the shape of Pekko Connectors FTP: {@code fromPath},
 * {@code toPath}, {@code ls}, and the one-shot operations {@code mkdirs}, {@code move}, {@code
 * remove}, {@code size}.
 *
 * <p>Each stream or operation opens its own connection and closes it on completion, failure and
 * cancellation. All blocking work runs on {@value #DISPATCHER}. Paths are checked before anything
 * is sent: NUL or control characters throw {@link UnsafePathException} at the call. Failures are
 * {@link RemoteException}s naming the server and path.
 */
public final class Ftp {
  /** The dispatcher every blocking call runs on (defined in reference.conf). */
  public static final String DISPATCHER = "junction.blocking-io-dispatcher";

  private Ftp() {}

  /** The whole remote file as a stream of chunks of at most {@code buffer-size} bytes. */
  public static Source<ByteString, CompletionStage<IOResult>> fromPath(
      RemoteSettings settings, String path) {
    return fromPath(settings, path, 0L);
  }

  /** The remote file from byte {@code offset} on (FTP REST, SFTP read offset). */
  public static Source<ByteString, CompletionStage<IOResult>> fromPath(
      RemoteSettings settings, String path, long offset) {
    RemotePaths.requireClean(path);
    if (offset < 0) throw new IllegalArgumentException("offset must be >= 0: " + offset);
    return Source.fromGraph(new RemoteSource(settings, path, offset))
        .withAttributes(blocking("ftpFromPath"));
  }

  /**
   * Writes the stream to a remote file, replacing it, or appending when {@code append}. The
   * materialized result completes only after the server confirmed the whole file. A failed upload
   * may leave a partial file: use {@link SafeUpload} where that matters.
   */
  public static Sink<ByteString, CompletionStage<IOResult>> toPath(
      RemoteSettings settings, String path, boolean append) {
    RemotePaths.requireClean(path);
    return Sink.fromGraph(new RemoteSink(settings, path, append))
        .withAttributes(blocking("ftpToPath"));
  }

  /** The entries of {@code dir} (without {@code .} and {@code ..}). */
  public static Source<RemoteFile, NotUsed> ls(RemoteSettings settings, String dir) {
    return ls(settings, dir, false);
  }

  /** The entries of {@code dir}, and with {@code recursive} those of every subdirectory. */
  public static Source<RemoteFile, NotUsed> ls(
      RemoteSettings settings, String dir, boolean recursive) {
    RemotePaths.requireClean(dir);
    return Source.unfoldResource(
            () -> Listing.open(settings, dir, recursive), Listing::next, Listing::close)
        .withAttributes(blocking("ftpLs"));
  }

  /** Creates {@code dir} and any missing parents; succeeds if it already exists. */
  public static CompletionStage<Done> mkdirs(
      RemoteSettings settings, String dir, ClassicActorSystemProvider system) {
    RemotePaths.requireClean(dir);
    return withSession(settings, system, s -> done(() -> s.mkdirs(dir)));
  }

  /** Renames {@code from} to {@code to}, replacing an existing {@code to}. */
  public static CompletionStage<Done> move(
      RemoteSettings settings, String from, String to, ClassicActorSystemProvider system) {
    RemotePaths.requireClean(from);
    RemotePaths.requireClean(to);
    return withSession(settings, system, s -> done(() -> s.move(from, to)));
  }

  /** Deletes the file at {@code path}. */
  public static CompletionStage<Done> remove(
      RemoteSettings settings, String path, ClassicActorSystemProvider system) {
    RemotePaths.requireClean(path);
    return withSession(settings, system, s -> done(() -> s.remove(path)));
  }

  /** The size in bytes of the file at {@code path}. */
  public static CompletionStage<Long> size(
      RemoteSettings settings, String path, ClassicActorSystemProvider system) {
    RemotePaths.requireClean(path);
    return withSession(settings, system, s -> s.size(path));
  }

  /** Work to run with one open session. */
  interface SessionWork<T> {
    T apply(RemoteSession session) throws IOException;
  }

  /** Runs {@code work} on a fresh session on the blocking dispatcher, then closes the session. */
  static <T> CompletionStage<T> withSession(
      RemoteSettings settings, ClassicActorSystemProvider system, SessionWork<T> work) {
    return CompletableFuture.supplyAsync(
        () -> {
          try (RemoteSession session = RemoteSession.open(settings)) {
            return work.apply(session);
          } catch (IOException e) {
            throw new CompletionException(e);
          }
        },
        blockingExecutor(system));
  }

  static Executor blockingExecutor(ClassicActorSystemProvider system) {
    return system.classicSystem().dispatchers().lookup(DISPATCHER);
  }

  static Attributes blocking(String name) {
    return Attributes.name(name).and(ActorAttributes.dispatcher(DISPATCHER));
  }

  private interface IoAction {
    void run() throws IOException;
  }

  private static Done done(IoAction action) throws IOException {
    action.run();
    return Done.getInstance();
  }
}
