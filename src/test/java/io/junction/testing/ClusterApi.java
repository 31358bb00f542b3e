package io.junction.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * What the multi-JVM cluster and crash tests ask of a child node ({@link ChildNode}) through its
 * HTTP API ({@link HttpApi}, with an optional bearer token), and the ports and directories they set
 * up and remove around it.
 */
public final class ClusterApi {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int TAIL_LINES = 40;

  private ClusterApi() {}

  /** A node as a test holds it; a test's own node record has these (and more) components. */
  public interface Member {
    String name();

    ChildNode process();

    HttpApi api();
  }

  /** The body of {@code GET path}, asserting 200. */
  public static String get(HttpApi api, String token, String path) throws Exception {
    HttpResponse<String> r = api.get(path, token);
    assertEquals(200, r.statusCode(), path + ": " + r.body());
    return r.body();
  }

  /** True when the node sees exactly {@code count} members, all Up and reachable. */
  public static boolean membersUp(HttpApi api, String token, int count) {
    try {
      HttpResponse<String> r = api.get("/v1/cluster", token);
      if (r.statusCode() != 200) return false;
      JsonNode members = JSON.readTree(r.body()).get("members");
      int up = 0;
      for (JsonNode m : members)
        if (m.get("status").asText().equals("Up")
            && m.get("reachability").asText().equals("reachable")) up++;
      return up == count && members.size() == count;
    } catch (IOException e) {
      return false; // not answering yet (or any more): not up
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /**
   * Polls until {@code node} sees {@code count} members Up and reachable, else fails with its last
   * view of the cluster and {@code logs}. Between polls it waits on the node's process: a bounded
   * poll of another process's state, as there is no event to wait on.
   */
  public static void awaitMembersUp(
      Member node, String token, int count, int seconds, Supplier<String> logs) throws Exception {
    HttpApi api = node.api();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (!membersUp(api, token, count)) {
      if (System.nanoTime() > deadline)
        throw new AssertionError(
            count
                + " members not up within "
                + seconds
                + " s: "
                + view(api, token)
                + "\n"
                + logs.get());
      node.process().process().waitFor(200, TimeUnit.MILLISECONDS);
    }
  }

  /** {@code GET /v1/cluster} as the node answers it, for a failure message. */
  public static String view(HttpApi api, String token) {
    try {
      return api.get("/v1/cluster", token).body();
    } catch (IOException e) {
      return e.toString();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return e.toString();
    }
  }

  /** The last lines of every node in {@code nodes}, for a failure message. */
  public static String logs(List<? extends Member> nodes) {
    StringBuilder sb = new StringBuilder();
    for (Member n : nodes) sb.append(tail(n));
    return sb.toString();
  }

  /** The last lines {@code node} wrote, under a {@code --- name} heading, for a failure message. */
  public static String tail(Member node) {
    List<String> out = node.process().output();
    StringBuilder sb = new StringBuilder("--- " + node.name() + "\n");
    out.subList(Math.max(0, out.size() - TAIL_LINES), out.size())
        .forEach(l -> sb.append(l).append('\n'));
    return sb.toString();
  }

  /** Removes {@code dir} and everything below it (null: nothing). */
  public static void deleteTree(Path dir) throws IOException {
    if (dir == null || !Files.exists(dir)) return;
    try (var files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
