package io.junction.ftp;

import io.junction.codec.CodecException;
import io.junction.codec.PayloadCodec;
import io.junction.message.Envelope;
import io.junction.metrics.EndpointMetrics;
import java.net.URLConnection;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.NotUsed;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.slf4j.Logger;

/**
 * The messages of one polled remote file: the whole file as one message (type from its name's
 * extension, at most {@code max-file-bytes}), or one message per record cut by the endpoint's
 * framing and decoded by its codec. Every message has source = the endpoint, connection and header
 * {@code file} = the remote path, and an id derived from the file and the record's index, so a file
 * routed twice (the at-least-once edge after a crash) yields the same ids.
 */
final class PolledFile {
  private PolledFile() {}

  /** The identity under which a file is remembered as taken: path, size and modification time. */
  static String key(RemoteFile f) {
    return f.path() + "\t" + f.size() + "\t" + f.modified().toEpochMilli();
  }

  static Source<Envelope, NotUsed> messages(
      String endpoint,
      RemoteSettings remote,
      PollSettings poll,
      RemoteFile file,
      EndpointMetrics metrics,
      Logger log) {
    Source<ByteString, NotUsed> bytes =
        Ftp.fromPath(remote, file.path())
            .mapMaterializedValue(m -> NotUsed.getInstance())
            .map(
                b -> {
                  metrics.bytesIn.increment(b.size());
                  return b;
                });
    String key = key(file);
    if (poll.split().isEmpty()) {
      return bytes
          .via(limit(poll.maxFileBytes(), file))
          .fold(ByteString.emptyByteString(), ByteString::concat)
          .map(whole -> message(endpoint, file, key, 0, contentType(file.name()), whole, Map.of()));
    }
    PollSettings.Split split = poll.split().get();
    AtomicLong index = new AtomicLong(); // touched by this one stream stage only
    return bytes
        .via(split.framing().decoder())
        .mapConcat(
            frame -> {
              long i = index.getAndIncrement();
              try {
                PayloadCodec.Decoded d = split.codec().decode(frame);
                return java.util.List.of(
                    message(endpoint, file, key, i, d.type(), frame, d.fields()));
              } catch (CodecException e) {
                metrics.decodeErrors.increment();
                log.warn(
                    "{}: record {} of {} does not decode: {}",
                    endpoint,
                    i,
                    file.path(),
                    e.getMessage());
                return java.util.List.<Envelope>of();
              }
            });
  }

  private static Flow<ByteString, ByteString, NotUsed> limit(long max, RemoteFile file) {
    AtomicLong seen = new AtomicLong();
    return Flow.of(ByteString.class)
        .map(
            b -> {
              if (seen.addAndGet(b.size()) > max)
                throw new IllegalStateException(
                    file.path() + " is larger than poll.max-file-bytes (" + max + " bytes)");
              return b;
            });
  }

  private static Envelope message(
      String endpoint,
      RemoteFile file,
      String key,
      long index,
      String type,
      ByteString payload,
      Map<String, Object> fields) {
    String id =
        UUID.nameUUIDFromBytes(
                (endpoint + "\n" + key + "\n" + index).getBytes(StandardCharsets.UTF_8))
            .toString();
    return new Envelope(
        id,
        endpoint,
        file.path(),
        type,
        Map.of("file", file.name()),
        payload,
        fields,
        System.currentTimeMillis());
  }

  /** The content type a file's name suggests, {@code application/octet-stream} when unknown. */
  static String contentType(String name) {
    String lower = name.toLowerCase(java.util.Locale.ROOT);
    if (lower.endsWith(".json")) return "application/json";
    if (lower.endsWith(".jsonl") || lower.endsWith(".ndjson")) return "application/x-ndjson";
    if (lower.endsWith(".csv")) return "text/csv";
    return Optional.ofNullable(URLConnection.guessContentTypeFromName(name))
        .orElse("application/octet-stream");
  }
}
