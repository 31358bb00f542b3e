package io.junction.queue;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * The queues the journal holds, declared or not: every queue with an event that is not deleted,
 * that is one that was used (or created through the API) and not deleted since. A deleted queue's
 * events all go with the snapshot that follows its deletion ({@link Snapshots}), and the read
 * journal does not list a persistence id whose only row is flagged deleted. The same in a cluster:
 * the journal is shared.
 *
 * <p>One query ({@code SELECT DISTINCT persistence_id} over the journal, which snapshots keep
 * short) per call; calls that come while one runs share its answer.
 */
public final class QueueCatalog {
  /** More are not listed (each listed queue is asked for its stats). */
  public static final int MAX_QUEUES = 10_000;

  private static final String PREFIX =
      QueueEntity.ENTITY_KEY.name() + PersistenceId.DefaultSeparator();

  private final ActorSystem<?> system;
  private JdbcReadJournal journal; // on first use: a node without a JDBC journal never asks
  private CompletableFuture<List<String>> running;

  public QueueCatalog(ActorSystem<?> system) {
    this.system = system;
  }

  /** The stored queues' names, in no order (the listing sorts); at most {@link #MAX_QUEUES}. */
  public synchronized CompletionStage<List<String>> stored() {
    if (running != null && !running.isDone()) return running;
    try {
      if (journal == null)
        journal =
            PersistenceQuery.get(Adapter.toClassic(system))
                .getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier());
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    running =
        journal
            .currentPersistenceIds()
            .filter(id -> id.startsWith(PREFIX))
            .map(id -> id.substring(PREFIX.length()))
            .filter(name -> Queues.NAME.matcher(name).matches())
            .take(MAX_QUEUES)
            .runWith(Sink.seq(), system)
            .thenApply(List::copyOf)
            .toCompletableFuture();
    return running;
  }
}
