package io.junction.queue;

import com.typesafe.config.Config;
import io.junction.faults.FaultKind;
import io.junction.faults.FaultRule;
import io.junction.faults.Faults;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.dispatch.Futures;
import org.apache.pekko.pattern.Patterns;
import org.apache.pekko.persistence.AtomicWrite;
import org.apache.pekko.persistence.jdbc.journal.JdbcAsyncWriteJournal;
import org.apache.pekko.persistence.typed.PersistenceId;
import scala.collection.immutable.Seq;
import scala.concurrent.Future;
import scala.concurrent.duration.FiniteDuration;
import scala.runtime.BoxedUnit;
import scala.util.Try;

/**
 * The JDBC journal with the queue-scoped journal faults of docs/FAULTS.md applied in front of it:
 * {@code fail-journal-writes} answers a write with a failed future without making it (as a database
 * that refused the transaction would, so nothing of the batch is stored), {@code
 * slow-journal-writes} makes the write and holds its confirmation for {@code delay ± jitter}.
 * {@link JournalSetup} configures it in place of the plain JDBC journal only when {@code
 * junction.faults.enabled = on}; without a rule it adds one volatile read and a map lookup per
 * write.
 *
 * <p>Pekko hands the journal one writer's {@code WriteMessages} per call, so every write in {@code
 * messages} belongs to one queue.
 */
public class FaultyJournal extends JdbcAsyncWriteJournal {
  private final Faults faults;

  /** Called reflectively by Pekko persistence with the plugin's config. */
  public FaultyJournal(Config config) {
    super(config);
    this.faults = Faults.get(Adapter.toTyped(context().system()));
  }

  /** Thrown (as the write's failure) by {@code fail-journal-writes}. */
  public static final class InjectedJournalFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    InjectedJournalFailure(String message) {
      super(message, null, false, false);
    }
  }

  @Override
  public Future<Seq<Try<BoxedUnit>>> asyncWriteMessages(Seq<AtomicWrite> messages) {
    String queue = queueOf(messages);
    List<FaultRule> rules =
        queue == null ? List.of() : faults.current().rules(FaultKind.Scope.QUEUE, queue);
    if (rules.isEmpty()) return super.asyncWriteMessages(messages);
    long now = System.currentTimeMillis();
    Duration hold = Duration.ZERO;
    for (FaultRule r : rules) {
      if (!r.active(now)) {
        faults.expire();
        continue;
      }
      if (r.kind() == FaultKind.FAIL_JOURNAL_WRITES && r.rolls()) {
        faults.injected(r, "journal of queue " + queue);
        return Futures.failed(
            new InjectedJournalFailure(
                "injected fault " + r.id() + " (fail-journal-writes) on queue " + queue));
      }
      if (r.kind() == FaultKind.SLOW_JOURNAL_WRITES && r.rolls()) {
        faults.injected(r, "journal of queue " + queue);
        hold = hold.plus(r.jitteredDelay());
      }
    }
    // The write itself runs now, on this actor's thread (the JDBC journal's bookkeeping of writes
    // in progress is not thread-safe); only its confirmation is held back.
    Future<Seq<Try<BoxedUnit>>> written = super.asyncWriteMessages(messages);
    if (hold.isZero()) return written;
    return Patterns.after(
        FiniteDuration.fromNanos(hold.toNanos()),
        context().system().scheduler(),
        context().dispatcher(),
        () -> written);
  }

  private static String queueOf(Seq<AtomicWrite> messages) {
    if (messages.isEmpty()) return null;
    String pid = messages.head().persistenceId();
    if (!QueueEntity.ENTITY_KEY.name().equals(PersistenceId.extractEntityType(pid))) return null;
    return PersistenceId.extractEntityId(pid);
  }
}
