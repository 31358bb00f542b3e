package io.junction.queue;

import com.typesafe.config.Config;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;

/**
 * Which queue actor waits to hear that its journal writes are durable: the link from {@link
 * PipelinedJournal}, which sees only persistence ids, back to the queue that wrote them.
 *
 * <p>A queue registers when its recovery completes and unregisters when it stops or restarts; each
 * registration has its own token, which the journal's {@link QueueEntity.Durable} and {@link
 * QueueEntity.WriteFailed} carry, so an answer about an earlier incarnation's write (one that
 * restarted after a failure and now reuses its sequence numbers) is recognised and ignored.
 */
final class DurabilityRegistry implements Extension {

  /** One queue incarnation's registration. */
  record Registration(String persistenceId, ActorRef<QueueEntity.Command> queue, long token) {
    void durable(long sequenceNr) {
      queue.tell(new QueueEntity.Durable(token, sequenceNr));
    }

    void failed(String why, boolean mayLand) {
      queue.tell(new QueueEntity.WriteFailed(token, why, mayLand));
    }
  }

  private static final ExtensionId<DurabilityRegistry> ID =
      new ExtensionId<>() {
        @Override
        public DurabilityRegistry createExtension(ActorSystem<?> system) {
          return new DurabilityRegistry(pipelines(system.settings().config()));
        }
      };

  private final ConcurrentHashMap<String, Registration> byPersistenceId = new ConcurrentHashMap<>();
  private final AtomicLong tokens = new AtomicLong();
  private final boolean pipelined;

  private DurabilityRegistry(boolean pipelined) {
    this.pipelined = pipelined;
  }

  static DurabilityRegistry get(ActorSystem<?> system) {
    return system.registerExtension(ID);
  }

  /**
   * Whether the node's journal confirms a queue's writes to Pekko before they are durable and
   * reports durability through this registry (then a queue must wait for {@link
   * QueueEntity.Durable}); false for any other journal, e.g. the persistence testkit's, whose
   * confirmations mean durable.
   */
  boolean pipelined() {
    return pipelined;
  }

  Registration register(String persistenceId, ActorRef<QueueEntity.Command> queue) {
    Registration r = new Registration(persistenceId, queue, tokens.incrementAndGet());
    byPersistenceId.put(persistenceId, r);
    return r;
  }

  void unregister(Registration r) {
    if (r != null) byPersistenceId.remove(r.persistenceId(), r);
  }

  /** The queue writing {@code persistenceId}, or null (not a queue, or not running here). */
  Registration owner(String persistenceId) {
    return byPersistenceId.get(persistenceId);
  }

  private static boolean pipelines(Config config) {
    String plugin = config.getString("pekko.persistence.journal.plugin");
    if (plugin.isEmpty() || !config.hasPath(plugin + ".class")) return false;
    try {
      Class<?> c = Class.forName(config.getString(plugin + ".class"));
      return PipelinedJournal.class.isAssignableFrom(c)
          && PipelinedJournal.enabled(config.getConfig(plugin));
    } catch (ClassNotFoundException e) {
      return false; // Pekko reports the missing plugin class itself
    }
  }
}
