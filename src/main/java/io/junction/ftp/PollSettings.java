package io.junction.ftp;

import io.junction.codec.PayloadCodec;
import io.junction.framing.Framing;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.time.Duration;
import java.util.Optional;

/**
 * How an {@code ftp} endpoint polls: every {@code interval} it lists {@code directory} (and its
 * subdirectories when {@code recursive}), takes each file whose name matches {@code glob} (never
 * {@code .*} names, so never an upload in progress), routes it whole or split into records by
 * {@code framing} and {@code codec}, then moves it to {@code processedDirectory} or deletes it.
 * Which files were taken is kept in {@code stateFile}.
 *
 * @param split empty: the whole file is one message (at most {@code maxFileBytes}); present: one
 *     message per record
 * @param ackTimeout how long each routed record may wait for its destinations' acknowledgements
 */
public record PollSettings(
    Duration interval,
    String directory,
    String glob,
    PathMatcher matcher,
    boolean recursive,
    After after,
    String processedDirectory,
    Optional<Split> split,
    long maxFileBytes,
    Duration ackTimeout,
    Path stateFile) {

  /** What happens to a file after all its messages were acknowledged. */
  public enum After {
    MOVE,
    DELETE
  }

  /** Records in a file: cut by {@code framing}, decoded by {@code codec}. */
  public record Split(Framing framing, PayloadCodec codec) {}

  public PollSettings {
    RemotePaths.requireClean(directory);
    RemotePaths.requireClean(processedDirectory);
    if (interval.isNegative() || interval.isZero())
      throw new IllegalArgumentException("poll.interval must be > 0");
  }

  /** The remote path a taken file is moved to. */
  public String processedPath(RemoteFile file) {
    String relative =
        directory.equals(".") || directory.isEmpty()
            ? file.path()
            : file.path().startsWith(directory + "/")
                ? file.path().substring(directory.length() + 1)
                : file.name();
    return RemotePaths.child(processedDirectory, relative);
  }
}
