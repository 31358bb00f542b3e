package io.junction.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.junction.Main;
import io.junction.testing.TestNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
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

  private record Result(int exit, String out, String err) {}

  private static Result run(String... args) {
    PrintStream oldOut = System.out, oldErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      int exit = Main.commandLine().execute(args);
      return new Result(
          exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
  }

  @Test
  void publishesListsPeeksTailsAndPurges() {
    assertEquals(0, run("queue", "publish", "work", "--text", "first", "--url", url).exit());
    Result struct =
        run("queue", "publish", "work", "--struct", "Person", "name=Ann", "age=3", "--url", url);
    assertEquals(0, struct.exit(), struct.err());
    Result ls = run("queue", "ls", "--url", url);
    assertTrue(ls.out().matches("(?s).*work\\s+2\\s+0\\s+0\\s+2.*"), ls.out());
    Result peek = run("queue", "peek", "work", "--url", url);
    assertTrue(peek.out().contains("\"payload\":\"first\""), peek.out());
    assertTrue(peek.out().contains("\"name\":\"Ann\""), peek.out());
    Result tail = run("queue", "tail", "work", "--count", "1", "--url", url);
    assertEquals(0, tail.exit(), tail.err());
    assertTrue(tail.out().contains("\"payload\":\"first\""), tail.out());
    assertEquals("removed 1", run("queue", "purge", "work", "--url", url).out().strip());
    assertTrue(run("queue", "stats", "work", "--url", url).out().contains("\"depth\" : 0"));
  }

  @Test
  void reportsTheNodesProblemInOneLineWithExitOne() {
    Result r = run("queue", "peek", "bad name", "--url", url);
    assertEquals(1, r.exit());
    assertTrue(r.err().startsWith("junction queue: 400"), r.err());
  }
}
