package io.junction.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.junction.testing.ChildNode;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A node whose management endpoint cannot bind stops, and says so with exit code 1. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ClusterManagementTest {

  @Test
  void nodeStopsWithExitCode1WhenItsManagementPortIsTaken() throws Exception {
    Path dir = Files.createTempDirectory("junction-management");
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        ChildNode node =
            ChildNode.start(
                dir,
                """
                junction.data-dir = "%s"
                junction.http.port = 0
                junction.cluster {
                  enabled = on, port = 0, seed-nodes = ["127.0.0.1:1"]
                  management { enabled = on, port = %d }
                }
                """
                    .formatted(dir.resolve("data"), taken.getLocalPort()))) {
      assertTrue(
          node.process().waitFor(120, TimeUnit.SECONDS),
          "node still running:\n" + String.join("\n", node.output()));
      assertEquals(1, node.process().exitValue(), String.join("\n", node.output()));
      assertTrue(
          node.output().stream().anyMatch(l -> l.contains("management endpoint")),
          String.join("\n", node.output()));
    } finally {
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
