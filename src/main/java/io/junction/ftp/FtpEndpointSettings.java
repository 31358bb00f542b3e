package io.junction.ftp;

import static io.junction.config.ConfigProblems.join;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.junction.codec.Codecs;
import io.junction.codec.MessageLayout;
import io.junction.codec.PayloadCodec;
import io.junction.config.ConfigProblems;
import io.junction.framing.Framing;
import io.junction.framing.FramingSettings;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * An endpoint of kind {@code ftp}: a remote server (the {@link RemoteSettings} keys), written to as
 * destination {@code ftp:<name>} and, with a {@code poll} section, polled as a source.
 */
public record FtpEndpointSettings(
    String name,
    RemoteSettings remote,
    DestinationSettings destination,
    Optional<PollSettings> poll) {

  private static final Set<String> OWN_KEYS =
      Set.of(
          "kind",
          "directory",
          "file-name",
          "batch",
          "record-encoding",
          "max-pending-records",
          "max-pending-bytes",
          "retry",
          "poll",
          "framing",
          "codec");
  private static final Set<String> POLL_KEYS =
      Set.of(
          "interval",
          "directory",
          "glob",
          "recursive",
          "after",
          "processed-directory",
          "split",
          "max-file-bytes",
          "ack-timeout");

  /**
   * Reads {@code junction.endpoints.<name>} (at {@code path} of {@code root}); problems go to
   * {@code problems} and the result is empty if there was any.
   */
  public static Optional<FtpEndpointSettings> fromConfig(
      String name, Config root, String path, Codecs codecs, ConfigProblems problems) {
    int before = problems.all().size();
    Config c = root.getConfig(path);
    Set<String> keys = new HashSet<>(RemoteSettings.KEYS);
    keys.addAll(OWN_KEYS);
    problems.rejectUnknownKeys(path, c, keys);
    Optional<RemoteSettings> remote = RemoteSettings.fromConfig(root, path, problems);
    DestinationSettings destination = destination(c, path, codecs, problems);
    Optional<PollSettings> poll = Optional.empty();
    if (c.hasPath("poll")) {
      Path dataDir = Path.of(root.getString("junction.data-dir"));
      poll = Optional.ofNullable(poll(name, c, path, codecs, dataDir, problems));
    }
    if (problems.all().size() > before || remote.isEmpty() || destination == null)
      return Optional.empty();
    return Optional.of(new FtpEndpointSettings(name, remote.get(), destination, poll));
  }

  private static DestinationSettings destination(
      Config c, String path, Codecs codecs, ConfigProblems problems) {
    Config batch = section(c, "batch", path, problems);
    problems.rejectUnknownKeys(
        join(path, "batch"), batch, Set.of("max-records", "max-bytes", "max-wait"));
    boolean batched = c.hasPath("batch");
    int maxRecords =
        get(problems, path + ".batch.max-records", batch, "max-records", 1, batch::getInt);
    long maxBytes =
        get(problems, path + ".batch.max-bytes", batch, "max-bytes", 16L << 20, batch::getBytes);
    Optional<Duration> maxWait =
        batch.hasPath("max-wait")
            ? Optional.ofNullable(
                problems.read(path + ".batch.max-wait", () -> batch.getDuration("max-wait"), null))
            : Optional.empty();
    if (batched && !batch.hasPath("max-records") && !batch.hasPath("max-bytes"))
      problems.add(join(path, "batch"), "needs max-records or max-bytes");
    if (batched && !batch.hasPath("max-records")) maxRecords = Integer.MAX_VALUE;
    Config retry = section(c, "retry", path, problems);
    problems.rejectUnknownKeys(
        join(path, "retry"), retry, Set.of("max-attempts", "min-backoff", "max-backoff"));
    try {
      return new DestinationSettings(
          get(problems, path + ".directory", c, "directory", ".", c::getString),
          problems.read(
              path + ".file-name",
              () ->
                  FileNameTemplate.parse(
                      c.hasPath("file-name")
                          ? c.getString("file-name")
                          : "{endpoint}-{date}-{seq}.jsonl"),
              FileNameTemplate.parse("{endpoint}-{seq}")),
          problems.read(
              path + ".record-encoding",
              () ->
                  RecordEncoding.fromConfigName(
                      c.hasPath("record-encoding") ? c.getString("record-encoding") : "raw"),
              RecordEncoding.RAW),
          codecs,
          maxRecords,
          maxBytes,
          maxWait,
          get(
              problems,
              path + ".max-pending-records",
              c,
              "max-pending-records",
              Math.max(1000, maxRecords == Integer.MAX_VALUE ? 1000 : 2 * maxRecords),
              c::getInt),
          get(
              problems,
              path + ".max-pending-bytes",
              c,
              "max-pending-bytes",
              Math.max(64L << 20, 2 * maxBytes),
              c::getBytes),
          new RetryPolicy(
              get(problems, path + ".retry.max-attempts", retry, "max-attempts", 5, retry::getInt),
              get(
                  problems,
                  path + ".retry.min-backoff",
                  retry,
                  "min-backoff",
                  Duration.ofSeconds(1),
                  retry::getDuration),
              get(
                  problems,
                  path + ".retry.max-backoff",
                  retry,
                  "max-backoff",
                  Duration.ofSeconds(30),
                  retry::getDuration)));
    } catch (IllegalArgumentException e) {
      problems.add(path, e.getMessage());
      return null;
    }
  }

  private static PollSettings poll(
      String name, Config c, String path, Codecs codecs, Path dataDir, ConfigProblems problems) {
    String pp = join(path, "poll");
    Config p = section(c, "poll", path, problems);
    problems.rejectUnknownKeys(pp, p, POLL_KEYS);
    String directory = get(problems, pp + ".directory", p, "directory", ".", p::getString);
    String glob = get(problems, pp + ".glob", p, "glob", "*", p::getString);
    String processed =
        get(
            problems,
            pp + ".processed-directory",
            p,
            "processed-directory",
            "processed",
            p::getString);
    String afterName = get(problems, pp + ".after", p, "after", "move", p::getString);
    String split = get(problems, pp + ".split", p, "split", "whole", p::getString);
    try {
      PollSettings.After after =
          switch (afterName) {
            case "move" -> PollSettings.After.MOVE;
            case "delete" -> PollSettings.After.DELETE;
            default -> throw new IllegalArgumentException("poll.after must be move or delete");
          };
      Optional<PollSettings.Split> records =
          switch (split) {
            case "whole" -> Optional.empty();
            case "records" -> Optional.of(split(c, path, codecs, problems));
            default -> throw new IllegalArgumentException("poll.split must be whole or records");
          };
      return new PollSettings(
          get(problems, pp + ".interval", p, "interval", Duration.ofSeconds(10), p::getDuration),
          directory,
          glob,
          FileSystems.getDefault().getPathMatcher("glob:" + glob),
          get(problems, pp + ".recursive", p, "recursive", false, p::getBoolean),
          after,
          processed.startsWith("/") ? processed : RemotePaths.child(directory, processed),
          records,
          get(problems, pp + ".max-file-bytes", p, "max-file-bytes", 16L << 20, p::getBytes),
          get(
              problems,
              pp + ".ack-timeout",
              p,
              "ack-timeout",
              Duration.ofSeconds(30),
              p::getDuration),
          dataDir.resolve("ftp-poll").resolve(name));
    } catch (IllegalArgumentException e) {
      problems.add(pp, e.getMessage());
      return null;
    }
  }

  /** Framing and codec for {@code split = records}, as a TCP endpoint reads them. */
  private static PollSettings.Split split(
      Config c, String path, Codecs codecs, ConfigProblems problems) {
    String spec = get(problems, path + ".codec", c, "codec", "raw", c::getString);
    PayloadCodec codec =
        problems.read(path + ".codec", () -> codecs.resolve(spec), PayloadCodec.RAW);
    Optional<MessageLayout> layout = codecs.layoutOf(codec);
    Framing framing;
    if (c.hasPath("framing")) {
      framing =
          FramingSettings.fromConfig(
              c.getConfig("framing"), join(path, "framing"), layout, problems);
    } else if (layout.isPresent()) {
      framing = FramingSettings.forLayout(layout.get(), 1 << 20);
    } else {
      throw new IllegalArgumentException("poll.split = records needs framing or a struct codec");
    }
    return new PollSettings.Split(framing, codec);
  }

  private static Config section(Config c, String key, String path, ConfigProblems problems) {
    return c.hasPath(key)
        ? problems.read(join(path, key), () -> c.getConfig(key), ConfigFactory.empty())
        : ConfigFactory.empty();
  }

  private interface Reader<T> {
    T read(String key);
  }

  private static <T> T get(
      ConfigProblems problems, String fullPath, Config c, String key, T fallback, Reader<T> r) {
    Supplier<T> s = () -> c.hasPath(key) ? r.read(key) : fallback;
    return problems.read(fullPath, s, fallback);
  }
}
