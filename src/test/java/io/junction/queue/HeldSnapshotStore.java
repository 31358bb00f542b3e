package io.junction.queue;

import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.dispatch.Futures;
import org.apache.pekko.persistence.SelectedSnapshot;
import org.apache.pekko.persistence.SnapshotMetadata;
import org.apache.pekko.persistence.SnapshotSelectionCriteria;
import org.apache.pekko.persistence.snapshot.japi.SnapshotStore;
import scala.concurrent.Future;
import scala.concurrent.Promise;

/**
 * A snapshot store plugin for tests that accepts saves but completes none until {@link
 * #releaseAll()}: a snapshot store as slow as the test wants. Loads find nothing (recovery replays
 * the journal). Static because Pekko instantiates the plugin itself.
 */
public class HeldSnapshotStore extends SnapshotStore {
  static final ConcurrentLinkedQueue<Promise<Void>> held = new ConcurrentLinkedQueue<>();
  static final AtomicInteger saves = new AtomicInteger();

  static final String CONFIG =
      "pekko.persistence.snapshot-store.plugin = \"held-snapshot-store\"\n"
          + "held-snapshot-store.class = \""
          + HeldSnapshotStore.class.getName()
          + "\"\n";

  /** Completes every save made so far, successfully. */
  static void releaseAll() {
    for (Promise<Void> p; (p = held.poll()) != null; ) p.success(null);
  }

  @Override
  public Future<Optional<SelectedSnapshot>> doLoadAsync(
      String persistenceId, SnapshotSelectionCriteria criteria) {
    return Futures.successful(Optional.empty());
  }

  @Override
  public Future<Void> doSaveAsync(SnapshotMetadata metadata, Object snapshot) {
    saves.incrementAndGet();
    Promise<Void> p = Futures.promise();
    held.add(p);
    return p.future();
  }

  @Override
  public Future<Void> doDeleteAsync(SnapshotMetadata metadata) {
    return Futures.successful(null);
  }

  @Override
  public Future<Void> doDeleteAsync(String persistenceId, SnapshotSelectionCriteria criteria) {
    return Futures.successful(null);
  }
}
