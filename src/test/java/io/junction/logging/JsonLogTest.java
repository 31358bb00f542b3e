package io.junction.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.junction.testing.ChildNode;
import io.junction.testing.WireClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.MDC;

/** Structured logs: one JSON object per line, carrying the MDC that follows a message. */
class JsonLogTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String CONFIG =
      """
      junction {
        %s
        http.port = 0
        endpoints {
          lines { kind = tcp-server, port = 0, codec = text,
                  framing { kind = delimiter, delimiter = "\\n", max-frame-bytes = 1k } }
        }
        routes { traced { from = lines, to = [reply, log], trace = on } }
      }
      """;

  @Test
  void layoutWritesOneParsableObjectWithMdcAndException() throws Exception {
    LoggerContext context = (LoggerContext) org.slf4j.LoggerFactory.getILoggerFactory();
    JsonLayout layout = new JsonLayout();
    layout.setContext(context);
    layout.start();
    LoggingEvent event;
    try (var mdc = MessageLog.with(MessageLog.MESSAGE_ID, "m-1", MessageLog.ROUTE, "r\"1")) {
      event =
          new LoggingEvent(
              "fqcn",
              context.getLogger("junction.test"),
              Level.WARN,
              "two\nlines {}",
              new IllegalStateException("boom"),
              new Object[] {"é"});
      event.prepareForDeferredProcessing(); // captures the MDC now, as an appender does
    }
    assertEquals(null, MDC.get(MessageLog.MESSAGE_ID), "the scope removed its keys");
    String line = layout.doLayout(event);
    assertTrue(line.endsWith("\n") && line.indexOf('\n') == line.length() - 1, line);
    JsonNode n = JSON.readTree(line);
    assertEquals("WARN", n.get("level").asText());
    assertEquals("junction.test", n.get("logger").asText());
    assertEquals("two\nlines é", n.get("message").asText());
    assertEquals("m-1", n.get("message_id").asText());
    assertEquals("r\"1", n.get("route").asText());
    assertTrue(n.get("exception").asText().contains("IllegalStateException: boom"), line);
    assertTrue(n.get("timestamp").asText().endsWith("Z"), line);
    assertTrue(n.hasNonNull("thread"), line);
  }

  @Test
  void aNodeStartedWithJunctionLogFormatJsonLogsARoutedMessageWithItsId(@TempDir Path dir)
      throws Exception {
    try (ChildNode node =
        ChildNode.start(dir, CONFIG.formatted(""), Map.of("JUNCTION_LOG_FORMAT", "json"))) {
      assertTracedMessageIsFollowable(node);
    }
  }

  @Test
  void junctionLoggingFormatInTheConfigSwitchesToJson(@TempDir Path dir) throws Exception {
    try (ChildNode node = ChildNode.start(dir, CONFIG.formatted("logging.format = json"))) {
      assertTracedMessageIsFollowable(node);
    }
  }

  @Test
  void anUnknownFormatIsAConfigProblem(@TempDir Path dir) throws Exception {
    Path conf = dir.resolve("bad.conf");
    Files.writeString(conf, "junction.logging.format = xml\n");
    var r = io.junction.testing.Cli.run("check", "--config", conf.toString());
    assertEquals(2, r.exit(), r.out() + r.err());
    assertTrue(r.err().contains("junction.logging.format: must be text or json"), r.err());
  }

  // The trace line and the log destination's line both carry the message's id in the MDC.
  private static void assertTracedMessageIsFollowable(ChildNode node) throws Exception {
    int port =
        awaitLine(node, n -> n.path("message").asText().startsWith("lines listening on"))
            .map(n -> Integer.parseInt(n.get("message").asText().replaceAll(".*:", "")))
            .orElseThrow();
    try (WireClient client = new WireClient(port)) {
      assertEquals("hello json", client.writeLine("hello json").readLine());
    }
    JsonNode trace =
        awaitLine(node, n -> n.path("logger").asText().equals("junction.trace")).orElseThrow();
    String id = trace.get("message_id").asText();
    assertTrue(trace.get("message").asText().contains(id), trace.toString());
    assertEquals("traced", trace.get("route").asText());
    assertEquals("lines", trace.get("source").asText());
    JsonNode logged =
        awaitLine(node, n -> n.path("logger").asText().equals("junction.messages")).orElseThrow();
    assertEquals(id, logged.get("message_id").asText(), logged.toString());
    assertTrue(logged.get("message").asText().contains("hello json"), logged.toString());
  }

  /** The first JSON line of the node's output matching {@code p}; every line must be JSON. */
  private static Optional<JsonNode> awaitLine(ChildNode node, Predicate<JsonNode> p)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      List<JsonNode> lines = new ArrayList<>();
      for (String l : node.output()) {
        if (l.isBlank() || l.startsWith("SLF4J")) continue;
        try {
          lines.add(JSON.readTree(l));
        } catch (IOException e) {
          throw new AssertionError("not a JSON line: " + l);
        }
      }
      Optional<JsonNode> hit = lines.stream().filter(p).findFirst();
      if (hit.isPresent()) return hit;
      if (!node.process().isAlive())
        throw new AssertionError("node exited:\n" + String.join("\n", node.output()));
      // a bounded poll of the child's output; no event to wait on across processes
      node.process().waitFor(50, TimeUnit.MILLISECONDS);
    }
    throw new AssertionError("no such line in:\n" + String.join("\n", node.output()));
  }
}
