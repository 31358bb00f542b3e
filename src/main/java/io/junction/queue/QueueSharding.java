package io.junction.queue;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingSettings;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;

/**
 * The queues of a cluster: one {@link QueueEntity} per queue name, hosted by Cluster Sharding on
 * one node at a time and reached from every node through the returned region, which takes the same
 * {@code ShardingEnvelope(queueName, command)} messages as the local {@link Queues} registry.
 *
 * <p>Queues never passivate (a queue holds leases, subscribers and sweep timers: stopping it when
 * idle would drop them). With {@code rememberQueues} the queues a shard hosted are recorded in the
 * journal and restarted at once wherever the shard moves (a crashed node's shards move after the
 * split brain resolver downs it; a joining node receives shards by rebalancing); without it a queue
 * restarts on its next message. A queue handed over to another node first writes the publishes it
 * had buffered (they are acknowledged); it recovers there from the shared journal; its leases are
 * lost and their messages delivered again.
 */
public final class QueueSharding {
  private QueueSharding() {}

  /** Starts this node's shard region for queues; idempotent per actor system. */
  public static ActorRef<ShardingEnvelope<QueueEntity.Command>> init(
      ActorSystem<?> system, Queues.Settings queues, boolean rememberQueues) {
    ClusterShardingSettings settings =
        ClusterShardingSettings.create(system).withNoPassivationStrategy();
    if (rememberQueues)
      settings =
          settings
              .withRememberEntities(true)
              // in the shared journal, not Pekko's default local LMDB files (not on the classpath)
              .withRememberEntitiesStoreMode(
                  ClusterShardingSettings.RememberEntitiesStoreModeEventSourced$.MODULE$);
    return ClusterSharding.get(system)
        .init(
            Entity.of(
                    QueueEntity.ENTITY_KEY,
                    ctx ->
                        QueueEntity.create(
                            ctx.getEntityId(), queues.settingsFor(ctx.getEntityId())))
                .withSettings(settings)
                // a queue handed to another node first writes what it has buffered
                .withStopMessage(QueueEntity.HandOff.INSTANCE));
  }
}
