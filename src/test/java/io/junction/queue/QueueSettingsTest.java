package io.junction.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.junction.config.ConfigProblems;
import io.junction.queue.QueueSettings.Overflow;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class QueueSettingsTest {

  static Config with(String hocon) {
    return ConfigFactory.parseString(hocon).withFallback(ConfigFactory.load()).resolve();
  }

  @Test
  void referenceDefaultsMatchTheDocumentedDefaults() {
    ConfigProblems problems = new ConfigProblems();
    Queues.Settings s = Queues.Settings.fromConfig(ConfigFactory.load(), problems);
    assertTrue(problems.isEmpty(), problems.all().toString());
    assertEquals(QueueSettings.DEFAULTS, s.defaults());
  }

  @Test
  void declaredQueueOverridesDefaultsKeyByKey() {
    ConfigProblems problems = new ConfigProblems();
    Queues.Settings s =
        Queues.Settings.fromConfig(
            with(
                """
                junction.queues {
                  people { max-deliveries = 3, ack-timeout = 5s, ttl = 1h, max-length = 10, overflow = drop-oldest }
                  plain {}
                }
                """),
            problems);
    assertTrue(problems.isEmpty(), problems.all().toString());
    QueueSettings people = s.settingsFor("people");
    assertEquals(3, people.maxDeliveries());
    assertEquals(Duration.ofSeconds(5), people.ackTimeout());
    assertEquals(Duration.ofHours(1), people.ttl());
    assertEquals(10, people.maxLength());
    assertEquals(Overflow.DROP_OLDEST, people.overflow());
    assertEquals(QueueSettings.DEFAULTS, s.settingsFor("plain"));
    assertEquals(QueueSettings.DEFAULTS, s.settingsFor("undeclared"));
  }

  @Test
  void policiesGiveUndeclaredQueuesTheirSettingsByPriorityThenName() {
    ConfigProblems problems = new ConfigProblems();
    Queues.Settings s =
        Queues.Settings.fromConfig(
            with(
                """
                junction.queue-defaults.max-deliveries = 4
                junction.queues.scratch-declared { ttl = 1m }
                junction.queue-policies {
                  scratch { pattern = "^scratch", ttl = 10m, max-length = 100 }
                  urgent { pattern = "urgent$", priority = 5, ack-timeout = 2s }
                  b-also-scratch { pattern = "^scratch", ttl = 20m }
                }
                """),
            problems);
    assertTrue(problems.isEmpty(), problems.all().toString());
    QueueSettings scratch = s.settingsFor("scratch.jobs");
    // equal priority: the first by policy name ("b-also-scratch" before "scratch")
    assertEquals(Duration.ofMinutes(20), scratch.ttl());
    assertEquals("b-also-scratch", s.policyFor("scratch.jobs").name());
    assertEquals(4, scratch.maxDeliveries(), "a key the policy does not set: queue-defaults'");
    assertEquals(0, scratch.maxLength(), "policies do not merge: the one that applies, whole");
    assertEquals("urgent", s.policyFor("scratch-urgent").name(), "the higher priority wins");
    assertEquals(Duration.ofSeconds(2), s.settingsFor("scratch-urgent").ackTimeout());
    assertEquals(Duration.ofMinutes(1), s.settingsFor("scratch-declared").ttl(), "declared wins");
    assertEquals(null, s.policyFor("scratch-declared"));
    assertEquals("urgent", s.policyFor("my-urgent").name(), "searched in the name, as RabbitMQ");
    assertEquals(null, s.policyFor("jobs"));
    assertEquals(s.defaults(), s.settingsFor("jobs"));
  }

  @Test
  void badPoliciesAreReportedByPath() {
    ConfigProblems problems = new ConfigProblems();
    Queues.Settings.fromConfig(
        with(
            """
            junction.queue-policies {
              nopattern { ttl = 1m }
              badregex { pattern = "([a-z" }
              badkey { pattern = "x", tll = 1m }
              badvalue { pattern = "y", ttl = soon, priority = high }
            }
            """),
        problems);
    List<String> paths = problems.all().stream().map(p -> p.path()).toList();
    assertTrue(paths.contains("junction.queue-policies.nopattern.pattern"), paths.toString());
    assertTrue(paths.contains("junction.queue-policies.badregex.pattern"), paths.toString());
    assertTrue(paths.contains("junction.queue-policies.badkey.tll"), paths.toString());
    assertTrue(paths.contains("junction.queue-policies.badvalue.ttl"), paths.toString());
    assertTrue(paths.contains("junction.queue-policies.badvalue.priority"), paths.toString());
    assertTrue(
        problems.all().stream().anyMatch(p -> p.message().contains("not a regular expression")),
        problems.all().toString());
  }

  @Test
  void snapshotEveryAutoDependsOnTheJournalAndANumberOverridesIt() {
    ConfigProblems problems = new ConfigProblems();
    Queues.Settings h2 =
        Queues.Settings.fromConfig(
            with("junction.queues { a {}, b { snapshot-every = 7 }, c { snapshot-every = auto } }"),
            problems);
    Queues.Settings pg =
        Queues.Settings.fromConfig(
            with(
                """
                junction.journal.kind = postgres
                junction.queues { a {}, b { snapshot-every = 7 }, c { snapshot-every = auto } }
                """),
            problems);
    assertTrue(problems.isEmpty(), problems.all().toString());
    assertEquals(100, h2.settingsFor("a").snapshotEvery());
    assertEquals(1000, pg.settingsFor("a").snapshotEvery());
    assertEquals(1000, pg.settingsFor("undeclared").snapshotEvery());
    assertEquals(7, h2.settingsFor("b").snapshotEvery());
    assertEquals(7, pg.settingsFor("b").snapshotEvery());
    assertEquals(100, h2.settingsFor("c").snapshotEvery());
    assertEquals(1000, pg.settingsFor("c").snapshotEvery());
    // a fixed default applies to every queue that does not say otherwise, whatever the journal
    Queues.Settings fixed =
        Queues.Settings.fromConfig(
            with(
                """
                junction.journal.kind = postgres
                junction.queue-defaults.snapshot-every = 50
                junction.queues { a {}, c { snapshot-every = auto } }
                """),
            problems);
    assertEquals(50, fixed.settingsFor("a").snapshotEvery());
    assertEquals(1000, fixed.settingsFor("c").snapshotEvery());
    ConfigProblems bad = new ConfigProblems();
    Queues.Settings.fromConfig(with("junction.queues.q.snapshot-every = sometimes"), bad);
    assertTrue(
        bad.all().toString().contains("junction.queues.q.snapshot-every"), bad.all().toString());
  }

  @Test
  void offMeansNoTtlAndNoMaxLength() {
    ConfigProblems problems = new ConfigProblems();
    QueueSettings q =
        Queues.Settings.fromConfig(
                with("junction.queues.q { ttl = off, max-length = off }"), problems)
            .settingsFor("q");
    assertEquals(Duration.ZERO, q.ttl());
    assertEquals(0, q.maxLength());
  }

  @Test
  void snapshotLimitAndDeliverBeforeDurableAreReadPerQueue() {
    ConfigProblems problems = new ConfigProblems();
    Queues.Settings s =
        Queues.Settings.fromConfig(
            with(
                """
                junction.queues {
                  fast { snapshot-max-bytes = 64MiB, deliver-before-durable = on }
                  bad { snapshot-max-bytes = 0, deliver-before-durable = maybe }
                }
                """),
            problems);
    QueueSettings fast = s.settingsFor("fast");
    assertEquals(64L * 1024 * 1024, fast.snapshotMaxBytes());
    assertTrue(fast.deliverBeforeDurable());
    assertEquals(false, QueueSettings.DEFAULTS.deliverBeforeDurable(), "off unless asked for");
    List<String> paths = problems.all().stream().map(ConfigProblems.Problem::path).toList();
    assertEquals(
        List.of(
            "junction.queues.bad.snapshot-max-bytes", "junction.queues.bad.deliver-before-durable"),
        paths);
  }

  @Test
  void reportsEveryProblemWithItsFullPath() {
    ConfigProblems problems = new ConfigProblems();
    Queues.Settings.fromConfig(
        with(
            """
            junction.queues {
              people { max-deliveries = lots, ack-timeout = -1s, overflow = explode, colour = red }
              "bad name!" {}
            }
            """),
        problems);
    List<String> paths = problems.all().stream().map(ConfigProblems.Problem::path).toList();
    assertTrue(paths.contains("junction.queues.people.max-deliveries"), paths.toString());
    assertTrue(paths.contains("junction.queues.people.ack-timeout"), paths.toString());
    assertTrue(paths.contains("junction.queues.people.overflow"), paths.toString());
    assertTrue(paths.contains("junction.queues.people.colour"), paths.toString());
    assertTrue(paths.contains("junction.queues.\"bad name!\""), paths.toString());
  }
}
