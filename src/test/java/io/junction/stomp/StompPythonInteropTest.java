package io.junction.stomp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.junction.testing.HttpApi;
import io.junction.testing.TestNode;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real STOMP client, Debian's python3-stomp, publishes with receipts, consumes with
 * client-individual acks and disconnects (src/test/resources/stomp/roundtrip.py): every message
 * confirmed, received once and in order, and the queue left empty. Heart-beats are on both ways
 * (200 ms): the client sees the node's and the node keeps the idle client. Without python3-stomp
 * the test fails, naming the package. The same client's subscribers of a topic
 * (src/test/resources/stomp/topic.py) each get every message, in order.
 */
@Tag("interop")
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class StompPythonInteropTest {
  static final int COUNT = 200;
  // Debian's interpreter, whose dist-packages hold python3-stomp (not a python3 earlier on PATH)
  static final String PYTHON = "/usr/bin/python3";
  @TempDir Path dir;

  @Test
  void pythonStompPublishesWithReceiptsAndConsumesWithAcks() throws Exception {
    Path script = script("roundtrip.py");
    try (TestNode node =
        TestNode.start(
            "junction { queues.python {}, stomp { enabled = on, port = 0, heart-beat = 200ms } }")) {
      Result r =
          run(
              PYTHON,
              script.toString(),
              Integer.toString(node.stompPort()),
              "python",
              "" + COUNT,
              "200");
      assertEquals(0, r.exit, r.output);
      assertTrue(
          r.output.contains(
              "confirmed="
                  + COUNT
                  + " received="
                  + COUNT
                  + " in_order=True duplicates=0 errors=0 beating=True timeouts=0 connected=True"),
          r.output);
      node.await(
          () -> {
            try {
              JsonNode now =
                  new ObjectMapper()
                      .readTree(new HttpApi(node.httpPort()).get("/v1/queues/python", null).body());
              assertEquals(COUNT, now.get("published").asInt(), now.toString());
              assertEquals(0, now.get("depth").asInt(), now.toString());
              assertEquals(0, now.get("in_flight").asInt(), now.toString());
              assertEquals(COUNT, now.get("acked").asInt(), now.toString());
              return true;
            } catch (Exception e) {
              throw new AssertionError(e);
            }
          });
    }
  }

  @Test
  void pythonStompSubscribersOfATopicEachGetEveryMessageInOrder() throws Exception {
    Path script = script("topic.py");
    try (TestNode node =
        TestNode.start("junction { topics.news {}, stomp { enabled = on, port = 0 } }")) {
      Result r = run(PYTHON, script.toString(), Integer.toString(node.stompPort()), "news", "100");
      assertEquals(0, r.exit, r.output);
      assertTrue(
          r.output.contains("confirmed=100 received=100,100 in_order=True,True errors=0"),
          r.output);
    }
  }

  // The client script from src/test/resources/stomp, in the test's directory; python3-stomp first.
  private Path script(String name) throws Exception {
    if (run(PYTHON, "-c", "import stomp").exit != 0)
      fail("python3 and its stomp module are required (apt-get install python3-stomp)");
    Path script = dir.resolve(name);
    try (InputStream in = getClass().getResourceAsStream("/stomp/" + name)) {
      Files.write(script, in.readAllBytes());
    }
    return script;
  }

  private record Result(int exit, String output) {}

  private Result run(String... command) throws Exception {
    Process p =
        new ProcessBuilder(command).redirectErrorStream(true).directory(dir.toFile()).start();
    try {
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(90, TimeUnit.SECONDS)) fail("timed out: " + String.join(" ", command));
      return new Result(p.exitValue(), out);
    } finally {
      p.destroyForcibly();
    }
  }
}
