package io.junction.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.junction.testing.ChildNode;
import io.junction.testing.HttpApi;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Queues that are not declared (created through the API, or by their first publish) live through a
 * restart as declared ones do: a child node on the H2 file journal recovers them at start, before
 * anyone asks for them, so their delays run and they are listed; a deleted queue stays deleted.
 */
class QueueCatalogRestartTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static ChildNode start(Path dir) throws Exception {
    return ChildNode.start(
        dir,
        """
        junction {
          data-dir = "%s"
          http.port = 0
          queues.kept {}
        }
        """
            .formatted(dir.resolve("data")));
  }

  @Test
  void undeclaredQueuesAreRecoveredAtStartAndDeletedOnesStayDeleted(@TempDir Path dir)
      throws Exception {
    ChildNode node = start(dir);
    try {
      HttpApi api = new HttpApi(node.port("http", 90));
      assertEquals(201, api.put("/v1/queues/made", null).statusCode());
      assertEquals(201, publish(api, "later", "?header.x-delay=3000", "due in 3 s"));
      assertEquals(201, publish(api, "gone", "", "x"));
      assertEquals(200, api.delete("/v1/queues/gone", null).statusCode());
      assertEquals(0, node.terminate(60), "SIGTERM: a clean exit");

      node = start(dir);
      HttpApi again = new HttpApi(node.port("http", 90));
      // No queue call before this: only the start-up recovery can have spawned them.
      node.await(
          30,
          () -> {
            String metrics = again.get("/metrics", null).body();
            assertTrue(metrics.contains("junction_queue_depth{queue=\"made\"} 0.0"), "made");
            assertTrue(
                metrics.contains("junction_queue_ready{queue=\"later\"} 1.0"),
                "later: its delay ran out with nobody asking");
            assertFalse(metrics.contains("queue=\"gone\""), "gone stays deleted");
          });
      List<String> names = new ArrayList<>();
      JSON.readTree(again.get("/v1/queues", null).body())
          .forEach(q -> names.add(q.get("name").asText()));
      assertEquals(List.of("kept", "later", "made"), names);
    } finally {
      node.close();
    }
  }

  private static int publish(HttpApi api, String queue, String query, String text)
      throws Exception {
    return api.post(
            "/v1/queues/" + queue + "/messages" + query,
            null,
            "text/plain",
            text.getBytes(StandardCharsets.UTF_8))
        .statusCode();
  }
}
