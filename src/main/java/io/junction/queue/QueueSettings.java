package io.junction.queue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import io.junction.config.ConfigProblems;
import java.time.Duration;
import java.util.Set;

/**
 * Immutable settings of one durable queue, parsed once from {@code junction.queues.<name>} (missing
 * keys fall back to {@code junction.queue-defaults}).
 *
 * @param maxDeliveries deliveries after which an unacknowledged message is dead-lettered
 * @param ackTimeout lease visibility for push subscribers (and default for leases)
 * @param ttl how long a message may wait in the queue; {@link Duration#ZERO} means no expiry
 * @param maxLength most messages held (ready, delayed and in flight); 0 means unbounded
 * @param overflow what a publish does when {@code maxLength} is reached
 * @param maxBatch most publishes persisted in one journal write
 * @param snapshotEvery fewest journal events between snapshots (older events are deleted); {@code
 *     auto} in config picks it by journal ({@link #autoSnapshotEvery})
 * @param snapshotMaxBytes largest snapshot taken (estimated); a queue holding more is not
 *     snapshotted and recovers by replaying its events (see {@link SnapshotPolicy})
 * @param sweepInterval how often expired leases, due delayed messages and TTLs are checked
 * @param maxDeadLetters dead letters kept per queue; the oldest are discarded beyond this
 * @param deliverBeforeDurable opt-in: published messages are delivered once their journal write is
 *     issued instead of completed (a consumer may then see a message whose write fails)
 */
public record QueueSettings(
    int maxDeliveries,
    Duration ackTimeout,
    Duration ttl,
    int maxLength,
    Overflow overflow,
    int maxBatch,
    int snapshotEvery,
    long snapshotMaxBytes,
    Duration sweepInterval,
    int maxDeadLetters,
    boolean deliverBeforeDurable) {

  /** What a publish to a full queue does. */
  public enum Overflow {
    /** The publisher gets an error; the queue is unchanged. */
    REJECT_PUBLISH,
    /** The oldest ready message moves to the dead letters to make room. */
    DROP_OLDEST
  }

  static final Set<String> KEYS =
      Set.of(
          "max-deliveries",
          "ack-timeout",
          "ttl",
          "max-length",
          "overflow",
          "max-batch",
          "snapshot-every",
          "snapshot-max-bytes",
          "sweep-interval",
          "max-dead-letters",
          "deliver-before-durable");

  /**
   * {@code snapshot-every = auto} with the H2 journal. Each snapshot costs a snapshot write and the
   * deletion of the events it covers; H2 stalls on large deletes (thousands of rows at a time held
   * every write for 160–420 ms), so it snapshots often and deletes little at a time.
   */
  static final int SNAPSHOT_EVERY_H2 = 100;

  /**
   * {@code snapshot-every = auto} with PostgreSQL, where a delete of a thousand rows is one cheap
   * statement but every snapshot and deletion is another commit and fsync beside the queue's own
   * writes: at 100, snapshots cost a tenth of a queue's throughput and most of its tail.
   */
  static final int SNAPSHOT_EVERY_POSTGRES = 1000;

  /** Settings used when nothing is configured (the same values as junction-queue.conf). */
  public static final QueueSettings DEFAULTS =
      new QueueSettings(
          5,
          Duration.ofSeconds(30),
          Duration.ZERO,
          0,
          Overflow.REJECT_PUBLISH,
          1000,
          SNAPSHOT_EVERY_H2, // auto, with the default journal
          128L * 1024 * 1024,
          Duration.ofSeconds(1),
          10_000,
          false);

  public QueueSettings {
    if (maxDeliveries < 1) throw new IllegalArgumentException("max-deliveries must be >= 1");
    if (ackTimeout.isNegative() || ackTimeout.isZero())
      throw new IllegalArgumentException("ack-timeout must be > 0");
    if (ttl.isNegative()) throw new IllegalArgumentException("ttl must be >= 0 or off");
    if (maxLength < 0) throw new IllegalArgumentException("max-length must be >= 0 or off");
    if (maxBatch < 1) throw new IllegalArgumentException("max-batch must be >= 1");
    if (snapshotEvery < 1) throw new IllegalArgumentException("snapshot-every must be >= 1");
    if (snapshotMaxBytes < 1) throw new IllegalArgumentException("snapshot-max-bytes must be >= 1");
    if (sweepInterval.isNegative() || sweepInterval.isZero())
      throw new IllegalArgumentException("sweep-interval must be > 0");
    if (maxDeadLetters < 0) throw new IllegalArgumentException("max-dead-letters must be >= 0");
  }

  /**
   * Parses {@code queues.<name>} of the {@code junction.queues} section, each problem recorded with
   * its full path; keys not set for the queue come from {@code defaults}.
   *
   * @param queues the {@code junction.queues} config object
   * @param path the full path of {@code queues}, e.g. {@code junction.queues}, for messages
   * @param name the queue's name (a key of {@code queues})
   */
  public static QueueSettings fromConfig(
      Config queues,
      String path,
      String name,
      QueueSettings defaults,
      int autoSnapshotEvery,
      ConfigProblems problems) {
    String base = ConfigProblems.join(path, name);
    Config c = problems.read(base, () -> queues.getConfig(quote(name)), null);
    if (c == null) return defaults;
    problems.rejectUnknownKeys(base, c, KEYS);
    return parse(c, base, defaults, autoSnapshotEvery, problems);
  }

  /**
   * What {@code snapshot-every = auto} means with the journal {@code config} selects ({@code
   * junction.journal.kind}; a bad kind is reported by {@link JournalSetup}).
   */
  public static int autoSnapshotEvery(Config config) {
    String kind =
        config.hasPath("junction.journal.kind") ? config.getString("junction.journal.kind") : "";
    return kind.equals("postgres") ? SNAPSHOT_EVERY_POSTGRES : SNAPSHOT_EVERY_H2;
  }

  /**
   * Parses a section that holds the per-queue keys directly, e.g. {@code junction.queue-defaults}.
   */
  public static QueueSettings parse(
      Config c,
      String base,
      QueueSettings defaults,
      int autoSnapshotEvery,
      ConfigProblems problems) {
    QueueSettings d = defaults;
    int maxDeliveries = readInt(c, base, "max-deliveries", d.maxDeliveries(), problems);
    Duration ackTimeout = readDuration(c, base, "ack-timeout", d.ackTimeout(), false, problems);
    Duration ttl = readDuration(c, base, "ttl", d.ttl(), true, problems);
    int maxLength = readOffInt(c, base, "max-length", d.maxLength(), problems);
    Overflow overflow = readOverflow(c, base, d.overflow(), problems);
    int maxBatch = readInt(c, base, "max-batch", d.maxBatch(), problems);
    int snapshotEvery =
        readAutoInt(c, base, "snapshot-every", d.snapshotEvery(), autoSnapshotEvery, problems);
    long snapshotMaxBytes =
        readBytes(c, base, "snapshot-max-bytes", d.snapshotMaxBytes(), problems);
    Duration sweep = readDuration(c, base, "sweep-interval", d.sweepInterval(), false, problems);
    int maxDead = readInt(c, base, "max-dead-letters", d.maxDeadLetters(), problems);
    boolean early =
        readBoolean(c, base, "deliver-before-durable", d.deliverBeforeDurable(), problems);
    return problems.read(
        base,
        () ->
            new QueueSettings(
                maxDeliveries,
                ackTimeout,
                ttl,
                maxLength,
                overflow,
                maxBatch,
                snapshotEvery,
                snapshotMaxBytes,
                sweep,
                maxDead,
                early),
        defaults);
  }

  private static int readInt(Config c, String base, String key, int fallback, ConfigProblems p) {
    if (!c.hasPath(key)) return fallback;
    return p.read(
        ConfigProblems.join(base, key), () -> checkPositive(c.getInt(key), key), fallback);
  }

  private static boolean readBoolean(
      Config c, String base, String key, boolean fallback, ConfigProblems p) {
    if (!c.hasPath(key)) return fallback;
    return p.read(ConfigProblems.join(base, key), () -> c.getBoolean(key), fallback);
  }

  private static long readBytes(
      Config c, String base, String key, long fallback, ConfigProblems p) {
    if (!c.hasPath(key)) return fallback;
    return p.read(ConfigProblems.join(base, key), () -> checkBytes(c.getBytes(key)), fallback);
  }

  private static long checkBytes(long v) {
    if (v < 1) throw new IllegalArgumentException("must be at least 1 byte, was " + v);
    return v;
  }

  private static int checkPositive(int v, String key) {
    if (v < 0) throw new IllegalArgumentException("must be >= 0, was " + v);
    return v;
  }

  private static int readOffInt(Config c, String base, String key, int fallback, ConfigProblems p) {
    if (!c.hasPath(key)) return fallback;
    if (isOff(c, key)) return 0;
    return readInt(c, base, key, fallback, p);
  }

  private static int readAutoInt(
      Config c, String base, String key, int fallback, int auto, ConfigProblems p) {
    if (c.hasPath(key) && "auto".equals(c.getValue(key).unwrapped())) return auto;
    return readInt(c, base, key, fallback, p);
  }

  private static Duration readDuration(
      Config c, String base, String key, Duration fallback, boolean offAllowed, ConfigProblems p) {
    if (!c.hasPath(key)) return fallback;
    if (offAllowed && isOff(c, key)) return Duration.ZERO;
    return p.read(
        ConfigProblems.join(base, key), () -> checkDuration(c.getDuration(key)), fallback);
  }

  private static Duration checkDuration(Duration d) {
    if (d.isNegative() || d.isZero()) throw new IllegalArgumentException("must be > 0, was " + d);
    return d;
  }

  private static boolean isOff(Config c, String key) {
    try {
      return !c.getBoolean(key);
    } catch (ConfigException.WrongType e) {
      return false;
    }
  }

  private static Overflow readOverflow(Config c, String base, Overflow fallback, ConfigProblems p) {
    if (!c.hasPath("overflow")) return fallback;
    String path = ConfigProblems.join(base, "overflow");
    String v = p.read(path, () -> c.getString("overflow"), null);
    if (v == null) return fallback;
    return switch (v) {
      case "reject-publish" -> Overflow.REJECT_PUBLISH;
      case "drop-oldest" -> Overflow.DROP_OLDEST;
      default -> {
        p.add(path, "must be reject-publish or drop-oldest, was \"" + v + "\"");
        yield fallback;
      }
    };
  }

  private static String quote(String name) {
    return "\"" + name.replace("\"", "\\\"") + "\"";
  }
}
