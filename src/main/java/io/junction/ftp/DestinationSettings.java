package io.junction.ftp;

import io.junction.codec.Codecs;
import java.time.Duration;
import java.util.Optional;

/**
 * How an {@code ftp} endpoint writes routed messages: into {@code directory}, under names from
 * {@code fileName}, encoded by {@code encoding}, {@code maxRecords}/{@code maxBytes} per file (1
 * record per file when no {@code batch} is configured), a file closed after {@code maxWait} at the
 * latest. At most {@code maxPendingRecords}/{@code maxPendingBytes} wait while an upload runs;
 * beyond that messages are refused as busy.
 */
public record DestinationSettings(
    String directory,
    FileNameTemplate fileName,
    RecordEncoding encoding,
    Codecs codecs,
    int maxRecords,
    long maxBytes,
    Optional<Duration> maxWait,
    int maxPendingRecords,
    long maxPendingBytes,
    RetryPolicy retry) {

  public DestinationSettings {
    RemotePaths.requireClean(directory);
    if (maxRecords < 1) throw new IllegalArgumentException("batch.max-records must be >= 1");
    if (maxBytes < 1) throw new IllegalArgumentException("batch.max-bytes must be >= 1");
    if (maxPendingRecords < maxRecords)
      throw new IllegalArgumentException("max-pending-records must be >= batch.max-records");
    if (maxPendingBytes < maxBytes)
      throw new IllegalArgumentException("max-pending-bytes must be >= batch.max-bytes");
  }
}
