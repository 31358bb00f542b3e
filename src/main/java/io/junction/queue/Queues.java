package io.junction.queue;

import com.typesafe.config.Config;
import io.junction.config.ConfigProblems;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;

/**
 * The local queue registry ("queues", child of the guardian): one {@link QueueEntity} child per
 * queue name, spawned at start for declared queues and on first use for any other valid name.
 * Callers send {@code ShardingEnvelope(queueName, command)}, the message type Cluster Sharding's
 * {@code init} returns a ref for, so the cluster can replace this actor without changing callers.
 */
public final class Queues extends AbstractBehavior<ShardingEnvelope<QueueEntity.Command>> {

  /**
   * Queue names: letters, digits, '.', '_' and '-' (they become persistence ids and actor names).
   */
  public static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,199}");

  /** Per-queue settings: the declared queues and the defaults for queues created on demand. */
  public record Settings(QueueSettings defaults, Map<String, QueueSettings> declared) {
    public Settings {
      declared = Map.copyOf(declared);
    }

    public QueueSettings settingsFor(String queue) {
      return declared.getOrDefault(queue, defaults);
    }

    /** Reads {@code junction.queue-defaults} and {@code junction.queues}, problems by path. */
    public static Settings fromConfig(Config config, ConfigProblems problems) {
      QueueSettings defaults = QueueSettings.DEFAULTS;
      int auto = QueueSettings.autoSnapshotEvery(config);
      if (config.hasPath("junction.queue-defaults")) {
        Config d = config.getConfig("junction.queue-defaults");
        problems.rejectUnknownKeys("junction.queue-defaults", d, QueueSettings.KEYS);
        defaults = QueueSettings.parse(d, "junction.queue-defaults", defaults, auto, problems);
      }
      Map<String, QueueSettings> declared = new LinkedHashMap<>();
      Config queues =
          problems.read("junction.queues", () -> config.getConfig("junction.queues"), null);
      if (queues != null) {
        for (String name : queues.root().keySet()) {
          String path = ConfigProblems.join("junction.queues", name);
          if (!NAME.matcher(name).matches())
            problems.add(path, "queue name must match " + NAME.pattern());
          declared.put(
              name,
              QueueSettings.fromConfig(queues, "junction.queues", name, defaults, auto, problems));
        }
      }
      return new Settings(defaults, declared);
    }
  }

  public static Behavior<ShardingEnvelope<QueueEntity.Command>> create(Settings settings) {
    return Behaviors.setup(ctx -> new Queues(ctx, settings));
  }

  private final Settings settings;
  private final Map<String, ActorRef<QueueEntity.Command>> queues = new HashMap<>();

  private Queues(ActorContext<ShardingEnvelope<QueueEntity.Command>> ctx, Settings settings) {
    super(ctx);
    this.settings = settings;
    settings.declared().keySet().forEach(this::queue); // recover declared queues at start
  }

  @Override
  public Receive<ShardingEnvelope<QueueEntity.Command>> createReceive() {
    return newReceiveBuilder().onAnyMessage(this::onEnvelope).build();
  }

  private Behavior<ShardingEnvelope<QueueEntity.Command>> onEnvelope(
      ShardingEnvelope<QueueEntity.Command> e) {
    if (!NAME.matcher(e.entityId()).matches()) {
      getContext()
          .getLog()
          .warn(
              "dropping {} for invalid queue name '{}'",
              e.message().getClass().getSimpleName(),
              e.entityId());
      return this;
    }
    queue(e.entityId()).tell(e.message());
    return this;
  }

  private ActorRef<QueueEntity.Command> queue(String name) {
    return queues.computeIfAbsent(
        name,
        n -> getContext().spawn(QueueEntity.create(n, settings.settingsFor(n)), "queue-" + n));
  }
}
