package io.junction.queue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigUtil;
import io.junction.config.ConfigProblems;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.pattern.Patterns;
import org.slf4j.LoggerFactory;

/**
 * The local queue registry ("queues", child of the guardian): one {@link QueueEntity} child per
 * queue name, spawned at start for the declared queues and for those the journal holds ({@link
 * QueueCatalog}: created on demand or through the API, so their delays and TTLs run and they show
 * in the metrics as after any restart of a broker), and on first use for any other valid name.
 * Callers send {@code ShardingEnvelope(queueName, command)}, the message type Cluster Sharding's
 * {@code init} returns a ref for, so the cluster can replace this actor without changing callers.
 *
 * <p>A graceful shutdown hands every queue off as Cluster Sharding does in a cluster ({@link
 * QueueEntity.HandOff}, in Pekko's {@code service-stop} phase, after the endpoints drained): what a
 * queue holds unwritten (publishes, acks) is written and its delivery mark made exact before the
 * journal closes.
 */
public final class Queues extends AbstractBehavior<ShardingEnvelope<QueueEntity.Command>> {

  /**
   * Queue names: letters, digits, '.', '_' and '-' (they become persistence ids and actor names).
   */
  public static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,199}");

  /**
   * Settings of the queues that are not declared, by name: RabbitMQ's policies, from the config. Of
   * the policies whose {@code pattern} is found in a queue's name (a regular expression, searched
   * as RabbitMQ does: anchor it with ^ and $ to match the whole name), the one with the highest
   * {@code priority} applies, then the first by policy name.
   */
  public record Policy(String name, Pattern pattern, int priority, QueueSettings settings) {
    static final Set<String> KEYS = Set.of("pattern", "priority");

    boolean appliesTo(String queue) {
      return pattern.matcher(queue).find();
    }
  }

  /**
   * Per-queue settings: the declared queues, the policies for the others, and the defaults for the
   * rest.
   */
  public record Settings(
      QueueSettings defaults, Map<String, QueueSettings> declared, List<Policy> policies) {
    public Settings {
      declared = Map.copyOf(declared);
      policies =
          policies.stream()
              .sorted(
                  Comparator.comparingInt(Policy::priority).reversed().thenComparing(Policy::name))
              .toList();
    }

    public Settings(QueueSettings defaults, Map<String, QueueSettings> declared) {
      this(defaults, declared, List.of());
    }

    public QueueSettings settingsFor(String queue) {
      QueueSettings own = declared.get(queue);
      if (own != null) return own;
      Policy p = policyFor(queue);
      return p == null ? defaults : p.settings();
    }

    /** The policy that gives {@code queue} its settings, or null (declared, or none matches). */
    public Policy policyFor(String queue) {
      if (declared.containsKey(queue)) return null;
      for (Policy p : policies) if (p.appliesTo(queue)) return p;
      return null;
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
      return new Settings(defaults, declared, policies(config, defaults, auto, problems));
    }

    private static List<Policy> policies(
        Config config, QueueSettings defaults, int auto, ConfigProblems problems) {
      String path = "junction.queue-policies";
      Config all = problems.read(path, () -> config.getConfig(path), null);
      List<Policy> policies = new ArrayList<>();
      if (all == null) return policies;
      for (String name : all.root().keySet()) {
        String base = ConfigProblems.join(path, name);
        Config c = problems.read(base, () -> all.getConfig(ConfigUtil.joinPath(name)), null);
        if (c == null) continue;
        Set<String> keys = new HashSet<>(QueueSettings.KEYS);
        keys.addAll(Policy.KEYS);
        problems.rejectUnknownKeys(base, c, keys);
        String patternPath = ConfigProblems.join(base, "pattern");
        if (!c.hasPath("pattern")) {
          problems.add(patternPath, "is required: a regular expression for the queue names");
          continue;
        }
        Pattern pattern =
            problems.read(
                patternPath,
                () -> {
                  try {
                    return Pattern.compile(c.getString("pattern"));
                  } catch (PatternSyntaxException e) {
                    throw new IllegalArgumentException(
                        "not a regular expression: " + e.getDescription());
                  }
                },
                null);
        int priority =
            c.hasPath("priority")
                ? problems.read(
                    ConfigProblems.join(base, "priority"), () -> c.getInt("priority"), 0)
                : 0;
        QueueSettings settings =
            QueueSettings.parse(
                c.withoutPath("pattern").withoutPath("priority"), base, defaults, auto, problems);
        if (pattern != null) policies.add(new Policy(name, pattern, priority, settings));
      }
      return policies;
    }
  }

  public static Behavior<ShardingEnvelope<QueueEntity.Command>> create(Settings settings) {
    return Behaviors.setup(ctx -> new Queues(ctx, settings));
  }

  private final Settings settings;
  // Read by the shutdown task, from outside the actor.
  private final Map<String, ActorRef<QueueEntity.Command>> queues = new ConcurrentHashMap<>();

  private Queues(ActorContext<ShardingEnvelope<QueueEntity.Command>> ctx, Settings settings) {
    super(ctx);
    this.settings = settings;
    settings.declared().keySet().forEach(this::queue); // recover declared queues at start
    recoverStoredQueues(ctx);
    CoordinatedShutdown.get(ctx.getSystem())
        .addTask(CoordinatedShutdown.PhaseServiceStop(), "hand-off-queues", this::handOffAll);
  }

  private static void recoverStoredQueues(ActorContext<ShardingEnvelope<QueueEntity.Command>> ctx) {
    var self = ctx.getSelf();
    ActorRef<QueueEntity.QueueStats> nobody = ctx.getSystem().ignoreRef();
    new QueueCatalog(ctx.getSystem())
        .stored()
        .whenComplete(
            (names, failure) -> {
              if (failure != null)
                LoggerFactory.getLogger(Queues.class)
                    .warn("cannot list the journal's queues; each recovers on first use", failure);
              else
                for (String n : names)
                  self.tell(new ShardingEnvelope<>(n, new QueueEntity.GetStats(nobody)));
            });
  }

  // Each queue stops once its last write is durable; one that has not within 3 s (the phase has
  // Pekko's default 5 s) is left to the actor system's stop: what it had not written is then
  // at-least-once, as after a crash.
  private CompletionStage<Done> handOffAll() {
    Duration timeout = Duration.ofSeconds(3);
    CompletableFuture<?>[] stopped =
        queues.values().stream()
            .map(
                q ->
                    Patterns.gracefulStop(
                            Adapter.toClassic(q), timeout, QueueEntity.HandOff.INSTANCE)
                        .toCompletableFuture())
            .toArray(CompletableFuture<?>[]::new);
    return CompletableFuture.allOf(stopped).handle((done, failure) -> Done.getInstance());
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
