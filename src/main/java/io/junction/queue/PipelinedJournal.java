package io.junction.queue;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.dispatch.Futures;
import org.apache.pekko.event.Logging;
import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.japi.pf.ReceiveBuilder;
import org.apache.pekko.persistence.AtomicWrite;
import org.apache.pekko.persistence.jdbc.journal.JdbcAsyncWriteJournal;
import scala.PartialFunction;
import scala.collection.immutable.Seq;
import scala.concurrent.Future;
import scala.concurrent.Promise;
import scala.jdk.javaapi.CollectionConverters;
import scala.runtime.BoxedUnit;
import scala.util.Try;

/**
 * The JDBC journal with a write pipeline per queue, so that a queue never waits for a commit before
 * it handles its next command (docs/QUEUES.md, "The write pipeline").
 *
 * <p>Pekko's typed persistence stashes every command of an actor while its write is in flight. For
 * a queue that is the whole commit: deliveries, acks and leases wait for the disk. Here a queue's
 * write (a persistence id that {@link DurabilityRegistry} knows) is confirmed to Pekko at once and
 * put in the queue's <i>lane</i>; the lane makes its writes in order, one transaction at a time,
 * each holding every write queued while the previous one was committing, and tells the queue the
 * outcome: {@link QueueEntity.Durable} with the highest sequence number committed, or {@link
 * QueueEntity.WriteFailed}. The queue acknowledges publishers and settlers, delivers new messages
 * and saves snapshots only once {@code Durable} covers them, so nothing is acknowledged that is not
 * in the journal.
 *
 * <ul>
 *   <li><b>No gaps.</b> When a write fails, every write queued behind it is dropped, and every
 *       later write of that persistence id fails at once, until the queue's next recovery starts:
 *       the journal never holds a write whose predecessor is missing. The queue, told {@code
 *       WriteFailed}, restarts and recovers from what was committed.
 *   <li><b>A write that hangs fails.</b> Pekko's circuit breaker fails a write that outlives its
 *       {@code circuit-breaker.call-timeout}; the pipeline has confirmed the write to Pekko
 *       already, so it keeps that promise itself: a lane whose transaction runs longer tells the
 *       queue {@code WriteFailed} (the write may still commit, and its publishers are told so) and
 *       refuses the id's writes until the queue recovers, which waits for the transaction's end.
 *   <li><b>Recovery waits for the lane.</b> Reading the highest sequence number (the start of every
 *       recovery) waits until the persistence id's queued writes are committed or failed.
 *   <li><b>One thread.</b> Every write is issued from this actor's thread (the JDBC journal's
 *       bookkeeping of writes in progress is a plain map); a finished write comes back as a
 *       message.
 * </ul>
 *
 * <p>Writes of other persistence ids (and every write when {@code pipeline = off}) go straight
 * through, confirmed when committed, as the plain JDBC journal does.
 */
public class PipelinedJournal extends JdbcAsyncWriteJournal {

  // What Pekko's AsyncWriteJournal takes for "every write succeeded" (an empty result).
  private static final Future<Seq<Try<BoxedUnit>>> ALL_WRITTEN =
      Futures.successful(scala.collection.immutable.List$.MODULE$.empty());

  private final boolean enabled;
  private final DurabilityRegistry registry;
  private final Map<String, Lane> lanes = new HashMap<>();
  private final LoggingAdapter log;
  private final long callTimeoutNanos;
  private final String callTimeout; // as configured, for the message
  private final Cancellable checkLanes;

  /** Called reflectively by Pekko persistence with the plugin's config. */
  public PipelinedJournal(Config config) {
    super(config);
    this.enabled = enabled(config);
    this.registry = DurabilityRegistry.get(Adapter.toTyped(context().system()));
    this.log = Logging.getLogger(context().system(), PipelinedJournal.class);
    Config breaker =
        config
            .withFallback(
                context()
                    .system()
                    .settings()
                    .config()
                    .getConfig("pekko.persistence.journal-plugin-fallback"))
            .getConfig("circuit-breaker");
    Duration timeout = breaker.getDuration("call-timeout");
    this.callTimeoutNanos = timeout.toNanos();
    this.callTimeout = breaker.getString("call-timeout");
    // A sweep rather than a timer per transaction: commits come thousands of times a second.
    Duration every =
        timeout.dividedBy(4).compareTo(Duration.ofSeconds(1)) < 0
            ? timeout.dividedBy(4)
            : Duration.ofSeconds(1);
    this.checkLanes =
        enabled
            ? context()
                .system()
                .scheduler()
                .scheduleWithFixedDelay(
                    every, every, self(), CheckLanes.INSTANCE, context().dispatcher(), self())
            : null;
  }

  @Override
  public void postStop() {
    if (checkLanes != null) checkLanes.cancel();
    super.postStop();
  }

  /** Whether the plugin config {@code pluginConfig} turns the pipeline on. */
  static boolean enabled(Config pluginConfig) {
    return pluginConfig.hasPath("pipeline") && pluginConfig.getBoolean("pipeline");
  }

  /** The writes of one persistence id that are confirmed to Pekko but not yet committed. */
  private static final class Lane {
    final ArrayDeque<AtomicWrite> queued = new ArrayDeque<>();
    final List<Runnable> whenDrained = new ArrayList<>(1);
    DurabilityRegistry.Registration owner;
    boolean writing;
    long writingSince; // System.nanoTime() when the transaction in flight was issued
    String failed; // why the lane refuses writes until the next recovery; null when it does not

    boolean drained() {
      return !writing && queued.isEmpty();
    }
  }

  /** A lane's transaction finished: {@code failure} is null when it committed. */
  private record Written(
      String persistenceId,
      long highestSequenceNr,
      DurabilityRegistry.Registration owner,
      Throwable failure) {}

  /** Look for transactions that outlived the call timeout. */
  private enum CheckLanes {
    INSTANCE
  }

  /** Thrown (as a write's failure) for writes behind a failed one, until recovery. */
  public static final class LaneFailed extends RuntimeException {
    private static final long serialVersionUID = 1L;

    LaneFailed(String message) {
      super(message, null, false, false);
    }
  }

  @Override
  public final Future<Seq<Try<BoxedUnit>>> asyncWriteMessages(Seq<AtomicWrite> messages) {
    // Pekko hands the journal one writer's WriteMessages per call: one persistence id.
    String pid = messages.head().persistenceId();
    Lane lane = lanes.get(pid);
    DurabilityRegistry.Registration owner = enabled ? registry.owner(pid) : null;
    if (lane == null && owner == null) return write(messages);
    if (lane == null) lanes.put(pid, lane = new Lane());
    if (lane.failed != null) return Futures.failed(new LaneFailed(lane.failed));
    if (owner != null) lane.owner = owner;
    CollectionConverters.asJava(messages).forEach(lane.queued::add);
    if (!lane.writing) issue(pid, lane);
    return ALL_WRITTEN;
  }

  private void issue(String pid, Lane lane) {
    long highest = lane.queued.peekLast().highestSequenceNr();
    Seq<AtomicWrite> batch = CollectionConverters.asScala(lane.queued).toList();
    lane.queued.clear();
    lane.writing = true;
    lane.writingSince = System.nanoTime();
    DurabilityRegistry.Registration owner = lane.owner;
    Future<Seq<Try<BoxedUnit>>> done = write(batch);
    org.apache.pekko.actor.ActorRef self = self();
    // Parasitic: the callback only sends a message. Not through Scala's CompletableFuture wrapper
    // (FutureConverters): it runs even whenComplete on the default executor, a new thread per
    // write with 2 cores (as http.Stages explains), which cost a fifth of the queue's throughput.
    done.onComplete(
        (Try<Seq<Try<BoxedUnit>>> t) -> {
          Throwable why = t.isFailure() ? t.failed().get() : rejected(t.get());
          self.tell(new Written(pid, highest, owner, why), self);
          return BoxedUnit.UNIT;
        },
        scala.concurrent.ExecutionContext.parasitic$.MODULE$);
  }

  // The JDBC journal answers a write it could not serialize with a Failure in its place.
  private static Throwable rejected(Seq<Try<BoxedUnit>> results) {
    for (Try<BoxedUnit> t : CollectionConverters.asJava(results))
      if (t.isFailure()) return t.failed().get();
    return null;
  }

  /**
   * Makes {@code messages} (one persistence id's, in order) durable: the JDBC journal's write, or
   * what a subclass puts in front of it (injected faults).
   */
  protected Future<Seq<Try<BoxedUnit>>> write(Seq<AtomicWrite> messages) {
    return super.asyncWriteMessages(messages);
  }

  @Override
  public PartialFunction<Object, BoxedUnit> receivePluginInternal() {
    return super.receivePluginInternal()
        .orElse(
            ReceiveBuilder.create()
                .match(Written.class, this::onWritten)
                .matchEquals(CheckLanes.INSTANCE, c -> checkLanes())
                .build()
                .onMessage());
  }

  // The lane stays writing (recovery waits until the transaction ends, whichever way), but its
  // queue hears now that the write failed, as a plain journal's breaker would tell it.
  private void checkLanes() {
    long now = System.nanoTime();
    lanes.forEach(
        (pid, lane) -> {
          if (!lane.writing || lane.failed != null || now - lane.writingSince < callTimeoutNanos)
            return;
          String why = "a write did not complete within " + callTimeout;
          lane.failed =
              "a write of "
                  + pid
                  + " did not complete within "
                  + callTimeout
                  + "; refused until the queue recovers";
          lane.queued.clear();
          log.warning("journal write of {} did not complete within {}", pid, callTimeout);
          if (lane.owner != null) lane.owner.failed(why, true);
        });
  }

  private void onWritten(Written w) {
    Lane lane = lanes.get(w.persistenceId());
    lane.writing = false;
    if (lane.failed != null) {
      // Timed out earlier (its queue was told): the transaction has ended now, recovery may read.
      log.info(
          "journal write of {} that timed out ended: {}",
          w.persistenceId(),
          w.failure() == null ? "committed" : w.failure());
    } else if (w.failure() == null) {
      if (w.owner() != null) w.owner().durable(w.highestSequenceNr());
      if (!lane.queued.isEmpty()) {
        issue(w.persistenceId(), lane);
        return;
      }
    } else {
      lane.failed =
          "an earlier write of "
              + w.persistenceId()
              + " failed ("
              + w.failure()
              + "); refused until the queue recovers";
      lane.queued.clear(); // confirmed to Pekko but never written: WriteFailed covers them
      log.warning("journal write of {} failed: {}", w.persistenceId(), w.failure());
      if (w.owner() != null) w.owner().failed(String.valueOf(w.failure()), false);
    }
    List<Runnable> waiting = List.copyOf(lane.whenDrained);
    lane.whenDrained.clear();
    if (lane.failed == null) lanes.remove(w.persistenceId());
    waiting.forEach(Runnable::run);
  }

  @Override
  public Future<Object> asyncReadHighestSequenceNr(String persistenceId, long fromSequenceNr) {
    Lane lane = lanes.get(persistenceId);
    if (lane == null || lane.drained()) {
      lanes.remove(persistenceId); // a recovery starts: a failed lane takes writes again
      return super.asyncReadHighestSequenceNr(persistenceId, fromSequenceNr);
    }
    Promise<Object> highest = Promise.apply();
    lane.whenDrained.add(
        () -> {
          lanes.remove(persistenceId);
          highest.completeWith(super.asyncReadHighestSequenceNr(persistenceId, fromSequenceNr));
        });
    return highest.future();
  }
}
