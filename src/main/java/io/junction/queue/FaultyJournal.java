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
import org.apache.pekko.persistence.typed.PersistenceId;
import scala.collection.immutable.Seq;
import scala.concurrent.Future;
import scala.concurrent.duration.FiniteDuration;
import scala.runtime.BoxedUnit;
import scala.util.Try;

/**
 * The pipelined JDBC journal ({@link PipelinedJournal}) with the queue-scoped journal faults of
 * docs/FAULTS.md applied in front of it: {@code fail-journal-writes} answers a write with a failed
 * future without making it (as a database that refused the transaction would, so nothing of the
 * batch is stored), {@code slow-journal-writes} makes the write and holds its confirmation for
 * {@code delay ± jitter}. {@link JournalSetup} configures it in place of the plain JDBC journal
 * only when {@code junction.faults.enabled = on}; without a rule it adds one volatile read and a
 * map lookup per write.
 *
 * <p>Every write in {@code messages} belongs to one persistence id: one queue's lane, or one
 * writer's {@code WriteMessages}.
 */
public class FaultyJournal extends PipelinedJournal {
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

  // Under the write pipeline: the faults act on what is really written, and a held confirmation
  // holds the queue's lane (its later writes queue behind it) as a slow database would.
  @Override
  protected Future<Seq<Try<BoxedUnit>>> write(Seq<AtomicWrite> messages) {
    String queue = queueOf(messages);
    List<FaultRule> rules =
        queue == null ? List.of() : faults.current().rules(FaultKind.Scope.QUEUE, queue);
    if (rules.isEmpty()) return super.write(messages);
    long now = System.currentTimeMillis();
    Duration hold = Duration.ZERO;
    FaultRule fail = null;
    for (FaultRule r : rules) {
      if (!r.active(now)) {
        faults.expire();
        continue;
      }
      if (r.kind() == FaultKind.FAIL_JOURNAL_WRITES && fail == null && r.rolls()) fail = r;
      if (r.kind() == FaultKind.SLOW_JOURNAL_WRITES && r.rolls()) {
        faults.injected(r, "journal of queue " + queue);
        hold = hold.plus(r.jitteredDelay());
      }
    }
    Future<Seq<Try<BoxedUnit>>> outcome;
    if (fail != null) {
      // With a slow rule too, the refusal comes after the delay (a database that timed out).
      faults.injected(fail, "journal of queue " + queue);
      outcome =
          Futures.failed(
              new InjectedJournalFailure(
                  "injected fault " + fail.id() + " (fail-journal-writes) on queue " + queue));
    } else {
      // The write itself runs now, on this actor's thread (the JDBC journal's bookkeeping of
      // writes in progress is not thread-safe); only its confirmation is held back.
      outcome = super.write(messages);
    }
    if (hold.isZero()) return outcome;
    Future<Seq<Try<BoxedUnit>>> held = outcome;
    return Patterns.after(
        FiniteDuration.fromNanos(hold.toNanos()),
        context().system().scheduler(),
        context().dispatcher(),
        () -> held);
  }

  private static String queueOf(Seq<AtomicWrite> messages) {
    if (messages.isEmpty()) return null;
    String pid = messages.head().persistenceId();
    if (!QueueEntity.ENTITY_KEY.name().equals(PersistenceId.extractEntityType(pid))) return null;
    return PersistenceId.extractEntityId(pid);
  }
}
