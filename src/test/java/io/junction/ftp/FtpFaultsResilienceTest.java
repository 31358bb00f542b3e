package io.junction.ftp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.junction.testing.HttpApi;
import io.junction.testing.TestNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code fail-transfers} on a polled FTP endpoint: failed listings and downloads are retried at the
 * next poll; accounted by file name, no file is routed twice and none is skipped.
 */
@Tag("resilience")
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class FtpFaultsResilienceTest {
  static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path tmp;

  @Test
  void failedTransfersAreRetriedAtTheNextPollAndNoFileIsTakenTwiceOrSkipped() throws Exception {
    Path home = tmp.resolve("home");
    Files.createDirectories(home.resolve("in"));
    try (EmbeddedFtpServer server = EmbeddedFtpServer.plain(home)) {
      Path pw = FtpNodeFixture.passwordFile(tmp.resolve("secrets"), EmbeddedFtpServer.PASSWORD);
      String hocon =
          """
          junction {
            data-dir = "%s"
            faults.enabled = on
            queues { taken {} }
            endpoints.drop { kind = ftp, %s, codec = text,
                             poll { interval = 200ms, directory = in } }
            routes.take { from = drop, to = "queue:taken" }
          }
          """
              .formatted(
                  tmp.resolve("data").toString().replace("\\", "/"),
                  FtpNodeFixture.remote(server, pw));
      try (TestNode node = TestNode.start(hocon)) {
        HttpApi api = new HttpApi(node.httpPort());
        var added =
            api.post(
                "/v1/faults",
                null,
                "application/json",
                "{\"kind\":\"fail-transfers\",\"endpoint\":\"drop\",\"percent\":40,\"ttl\":\"1m\"}"
                    .getBytes(StandardCharsets.UTF_8));
        assertEquals(201, added.statusCode(), added.body());
        String id = JSON.readTree(added.body()).get("id").asText();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
          String name = String.format("f%02d.txt", i);
          names.add(name);
          Files.writeString(home.resolve("in").resolve(name), name);
        }
        node.await(
            () -> {
              for (String n : names)
                assertTrue(Files.exists(home.resolve("in/processed").resolve(n)), n);
              return true;
            });
        var removed = api.delete("/v1/faults/" + id, null);
        assertEquals(200, removed.statusCode(), removed.body());
        long hits = JSON.readTree(removed.body()).get("hits").asLong();
        assertTrue(hits > 0, "the rule failed some transfers");
        // Each file routed exactly once: the queue holds every name, none twice.
        JsonNode list = JSON.readTree(api.get("/v1/queues/taken/peek?max=1000", null).body());
        List<String> taken = new ArrayList<>();
        for (JsonNode m : list) taken.add(m.path("message").path("payload").asText());
        assertEquals(names.size(), taken.size(), "taken: " + taken);
        assertEquals(new HashSet<>(names), new HashSet<>(taken));
        assertTrue(node.status("drop").counters().get("poll-failures") >= hits);
      }
    }
  }
}
