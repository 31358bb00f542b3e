package io.junction.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.junction.testing.Cli;
import io.junction.testing.TestNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code junction queue ...} against a running node's API. */
class QueueCommandTest {
  static TestNode node;
  static String url;

  @BeforeAll
  static void start() {
    node =
        TestNode.start(
            """
            junction {
              structs.Person.fields = [ { name = name, type = "char[128]" }, { name = age, type = int32 } ]
              queues.work {}
            }
            """);
    url = "http://127.0.0.1:" + node.httpPort();
  }

  @AfterAll
  static void stop() throws Exception {
    node.close();
  }

  private static Cli.Result run(String... args) {
    return Cli.run(args);
  }

  @Test
  void publishesListsPeeksTailsAndPurges() {
    assertEquals(0, run("queue", "publish", "work", "--text", "first", "--url", url).exit());
    Cli.Result struct =
        run("queue", "publish", "work", "--struct", "Person", "name=Ann", "age=3", "--url", url);
    assertEquals(0, struct.exit(), struct.err());
    Cli.Result ls = run("queue", "ls", "--url", url);
    assertTrue(ls.out().matches("(?s).*work\\s+2\\s+0\\s+0\\s+2.*"), ls.out());
    Cli.Result peek = run("queue", "peek", "work", "--url", url);
    assertTrue(peek.out().contains("\"payload\":\"first\""), peek.out());
    assertTrue(peek.out().contains("\"name\":\"Ann\""), peek.out());
    Cli.Result tail = run("queue", "tail", "work", "--count", "1", "--url", url);
    assertEquals(0, tail.exit(), tail.err());
    assertTrue(tail.out().contains("\"payload\":\"first\""), tail.out());
    assertEquals("removed 1", run("queue", "purge", "work", "--url", url).out().strip());
    assertTrue(run("queue", "stats", "work", "--url", url).out().contains("\"depth\" : 0"));
  }

  @Test
  void reportsTheNodesProblemInOneLineWithExitOne() {
    Cli.Result r = run("queue", "peek", "bad name", "--url", url);
    assertEquals(1, r.exit());
    assertTrue(r.err().startsWith("junction queue: 400"), r.err());
  }
}
