package io.junction.queue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.junction.message.Envelope;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.util.ByteString;

/**
 * Not a unit test: publish-acknowledged throughput of 1 KiB messages against the H2 file journal,
 * with 1, 8 and 64 publishers, each waiting for its ack before the next publish. Run with {@code
 * java -cp target/classes:target/test-classes:$(deps) io.junction.queue.QueuePublishBench
 * [seconds]}.
 */
public final class QueuePublishBench {

  private QueuePublishBench() {}

  public static void main(String[] args) throws Exception {
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    Path dir = Files.createTempDirectory("junction-bench");
    Config config =
        JournalSetup.configure(
            ConfigFactory.load()
                .withValue(
                    "junction.journal.h2.path", ConfigValueFactory.fromAnyRef(dir.toString())));
    JournalSetup.createSchema(config);
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "bench", config);
    try {
      ByteString payload = ByteString.fromArray(new byte[1024]);
      for (int publishers : new int[] {1, 8, 64}) {
        ActorRef<QueueEntity.Command> q =
            system.systemActorOf(
                QueueEntity.create("bench" + publishers, QueueSettings.DEFAULTS),
                "bench" + publishers,
                org.apache.pekko.actor.typed.Props.empty());
        run(system, q, payload, publishers, 1); // warm-up
        double rate = run(system, q, payload, publishers, seconds);
        System.out.printf("%2d publishers: %8.0f msgs/s acknowledged (1 KiB)%n", publishers, rate);
      }
    } finally {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  private static double run(
      ActorSystem<Void> system,
      ActorRef<QueueEntity.Command> q,
      ByteString payload,
      int publishers,
      int seconds)
      throws InterruptedException {
    AtomicLong acked = new AtomicLong();
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    CountDownLatch done = new CountDownLatch(publishers);
    long start = System.nanoTime();
    for (int p = 0; p < publishers; p++) {
      Thread t =
          new Thread(
              () -> {
                try {
                  while (System.nanoTime() < end) {
                    Envelope e =
                        Envelope.of("bench", "", "application/octet-stream", payload, Map.of());
                    AskPattern
                        .<QueueEntity.Command,
                            org.apache.pekko.pattern.StatusReply<QueueEntity.Enqueued>>
                            ask(
                                q,
                                r -> new QueueEntity.Publish(e, Duration.ZERO, r),
                                Duration.ofSeconds(30),
                                system.scheduler())
                        .toCompletableFuture()
                        .get();
                    acked.incrementAndGet();
                  }
                } catch (Exception ex) {
                  ex.printStackTrace();
                } finally {
                  done.countDown();
                }
              });
      t.start();
    }
    done.await();
    return acked.get() / ((System.nanoTime() - start) / 1e9);
  }
}
