package io.junction.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.junction.testing.TestNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The web console in a real browser: a node with auth on, TCP traffic and a config file to reload,
 * and {@code src/test/e2e/console.test.mjs} driving Debian's headless Chromium through
 * playwright-core against it (docs/CONSOLE.md). Screenshots land in {@code
 * target/console-screenshots/}.
 *
 * <p>Tagged {@code interop}: it needs Chromium and Node.js, which {@code .ci/run} installs; {@code
 * mvn verify -Pinterop} runs it. A missing prerequisite fails the test with what to install.
 */
@Tag("interop")
class ConsoleE2ETest {
  private static final Path E2E = Path.of("src/test/e2e").toAbsolutePath();
  private static final Path SCREENSHOTS = Path.of("target/console-screenshots").toAbsolutePath();
  private static final String TOKEN = "console-e2e-admin-token";
  private static final String READ_TOKEN = "console-e2e-read-token";

  @TempDir Path dir;

  @Test
  void consoleShowsLiveConnectionsQueuesAndRoutesInHeadlessChromium() throws Exception {
    Path chromium = Path.of(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium"));
    if (!Files.isExecutable(chromium))
      fail(chromium + " not found: install Debian's chromium (apt-get install -y chromium)");
    run(List.of("node", "--version"), E2E, 30, "Node.js is needed: apt-get install -y nodejs npm");
    if (!Files.isDirectory(E2E.resolve("node_modules/playwright-core")))
      run(
          List.of("npm", "ci", "--no-audit", "--no-fund"),
          E2E,
          300,
          "npm ci in " + E2E + " failed (is the npm registry reachable?)");

    Path tokenFile = dir.resolve("admin.token");
    Files.writeString(tokenFile, TOKEN);
    Path readTokenFile = dir.resolve("read.token");
    Files.writeString(readTokenFile, READ_TOKEN);
    // From a file, as `junction run --config` does, so that the routes page can reload it.
    Path config = dir.resolve("node.conf");
    Files.writeString(config, config(tokenFile, readTokenFile, dir.resolve("data")));
    try (TestNode node = TestNode.startFromFile(config)) {
      int http = node.httpPort();
      List<String> command =
          List.of(
              "node",
              "console.test.mjs",
              "--url",
              "http://127.0.0.1:" + http,
              "--token",
              TOKEN,
              "--read-token",
              READ_TOKEN,
              "--people-port",
              Integer.toString(node.port("people")),
              "--lines-port",
              Integer.toString(node.port("lines")),
              "--screenshots",
              SCREENSHOTS.toString(),
              "--config",
              config.toString());
      String output = run(command, E2E, 240, "the console e2e test failed");
      System.out.println(output);
    }
  }

  private static String config(Path tokenFile, Path readTokenFile, Path data) {
    return """
        junction {
          node-name = console-e2e
          data-dir = "%s"
          http.port = 0
          structs.Person.fields = [
            { name = name, type = "char[128]", encoding = utf-8 }
            { name = age, type = int32 }
          ]
          endpoints {
            people { kind = tcp-server, port = 0, codec = "struct:Person" }
            lines { kind = tcp-server, port = 0, codec = text, framing { kind = delimiter } }
          }
          queues { people {}, jobs {} }
          routes {
            people-queue { from = people, to = [reply, "queue:people"] }
            lines-echo { from = lines, to = reply }
          }
          http {
            require-auth = on
            events-interval = 500ms
            tokens = [
              { token-file = "%s", scopes = [read, publish, admin] }
              { token-file = "%s", scopes = [read] }
            ]
          }
        }
        """
        .formatted(slashes(data), slashes(tokenFile), slashes(readTokenFile));
  }

  private static String slashes(Path p) {
    return p.toString().replace('\\', '/');
  }

  /** Runs command in dir, bounded; fails with its output unless it exits 0. */
  private String run(List<String> command, Path cwd, int seconds, String problem)
      throws IOException, InterruptedException {
    Path log = Files.createTempFile(dir, "process", ".log");
    Process p;
    try {
      p =
          new ProcessBuilder(command)
              .directory(cwd.toFile())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
    } catch (IOException e) {
      return fail(problem + ": cannot start " + command.get(0) + ": " + e.getMessage());
    }
    try {
      if (!p.waitFor(seconds, TimeUnit.SECONDS))
        fail(problem + ": still running after " + seconds + " s\n" + read(log));
      assertEquals(0, p.exitValue(), () -> problem + " (exit " + p.exitValue() + ")\n" + read(log));
      return read(log);
    } finally {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    }
  }

  private static String read(Path log) {
    try {
      return Files.readString(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(no output: " + e.getMessage() + ")";
    }
  }
}
