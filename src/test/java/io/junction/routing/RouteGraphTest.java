package io.junction.routing;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.junction.config.ConfigProblems;
import io.junction.node.NodeSettings;
import org.junit.jupiter.api.Test;

/** Loops between routes are refused at load time unless a queue paces them. */
class RouteGraphTest {

  private static NodeSettings load(String routes) {
    ConfigFactory.invalidateCaches();
    return NodeSettings.fromConfig(
        ConfigFactory.load(
            ConfigFactory.parseString(
                """
                junction {
                  topics { a {}, b {}, c {} }
                  queues { q {} }
                  routes { %s }
                }
                """
                    .formatted(routes))));
  }

  @Test
  void refusesALoopThroughTopicsOnlyAndNamesIt() {
    var e =
        assertThrows(
            ConfigProblems.InvalidConfigException.class,
            () ->
                load(
                    """
                    r1 { from = "topic:a", to = "topic:b" }
                    r2 { from = "topic:b", to = ["log", "topic:c"] }
                    r3 { from = "topic:c", choice = [ { when = "type == 'x'", to = "topic:a" }, { otherwise = true, to = log } ] }
                    """));
    // reported once, from whichever route of the loop is read first
    assertTrue(e.getMessage().startsWith("1 problem"), e.getMessage());
    assertTrue(
        e.getMessage()
            .matches("(?s).*loop forever through topic:. -> topic:. -> topic:. -> topic:.*"),
        e.getMessage());
  }

  @Test
  void refusesARouteThatFeedsItsOwnSource() {
    var e =
        assertThrows(
            ConfigProblems.InvalidConfigException.class,
            () -> load("r1 { from = \"topic:a\", to = \"topic:a\" }"));
    assertTrue(
        e.getMessage().contains("junction.routes.r1: messages would loop forever"), e.getMessage());
  }

  @Test
  void acceptsALoopPacedByAQueue() {
    assertDoesNotThrow(
        () ->
            load(
                """
                r1 { from = "topic:a", to = "queue:q" }
                r2 { from = "queue:q", to = "topic:a" }
                """));
  }
}
