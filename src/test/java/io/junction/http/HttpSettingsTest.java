package io.junction.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.junction.config.ConfigProblems;
import io.junction.node.NodeSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HttpSettingsTest {
  @TempDir Path dir;

  static ConfigProblems.InvalidConfigException problems(String hocon) {
    ConfigFactory.invalidateCaches();
    var config = ConfigFactory.load(ConfigFactory.parseString(hocon));
    return assertThrows(
        ConfigProblems.InvalidConfigException.class, () -> NodeSettings.fromConfig(config));
  }

  static List<String> paths(ConfigProblems.InvalidConfigException e) {
    return e.problems().stream().map(ConfigProblems.Problem::path).toList();
  }

  @Test
  void nonLoopbackHostWithoutTokensIsRejected() {
    var e = problems("junction.http { host = \"0.0.0.0\" }");
    assertTrue(paths(e).contains("junction.http.tokens"), e.getMessage());
    assertTrue(e.getMessage().contains("not a loopback address"), e.getMessage());
  }

  @Test
  void nonLoopbackHostTurnsAuthOnAndLoopbackLeavesItOff() throws Exception {
    Path token = Files.writeString(dir.resolve("t"), "s3cret");
    var exposed =
        NodeSettings.fromConfig(
            ConfigFactory.load(
                ConfigFactory.parseString(
                    "junction.http { host = \"0.0.0.0\", tokens = [ { token-file = \"%s\", scopes = [read] } ] }"
                        .formatted(token))));
    assertTrue(exposed.http().authRequired());
    var local = NodeSettings.fromConfig(ConfigFactory.load(ConfigFactory.parseString("")));
    assertFalse(local.http().authRequired());
  }

  @Test
  void headerTimeoutIsThirtySecondsByDefaultOffOnRequestAndNeverZero() {
    assertEquals(
        java.util.Optional.of(java.time.Duration.ofSeconds(30)),
        NodeSettings.fromConfig(ConfigFactory.load(ConfigFactory.parseString("")))
            .http()
            .headerTimeout());
    assertEquals(
        java.util.Optional.empty(),
        NodeSettings.fromConfig(
                ConfigFactory.load(ConfigFactory.parseString("junction.http.header-timeout = off")))
            .http()
            .headerTimeout());
    var e = problems("junction.http.header-timeout = 0s");
    assertTrue(paths(e).contains("junction.http.header-timeout"), e.getMessage());
    assertTrue(e.getMessage().contains("must be positive or off"), e.getMessage());
  }

  @Test
  void tokenProblemsNamePathsAndNeverPrintTheSecret() throws Exception {
    Path token = Files.writeString(dir.resolve("t"), "very-secret-value");
    var e =
        problems(
            """
            junction.http.tokens = [
              { token = "inline-secret", scopes = [read] }
              { token-env = "JUNCTION_TEST_NO_SUCH_VARIABLE", scopes = [read] }
              { token-file = "%s", scopes = [read, root] }
              { token-file = "%s/missing", scopes = [] }
            ]
            """
                .formatted(token, dir));
    List<String> paths = paths(e);
    assertTrue(paths.contains("junction.http.tokens[0].token"), paths.toString());
    assertTrue(paths.contains("junction.http.tokens[1].token-env"), paths.toString());
    assertTrue(paths.contains("junction.http.tokens[2].scopes"), paths.toString());
    assertTrue(paths.contains("junction.http.tokens[3].token-file"), paths.toString());
    assertTrue(paths.contains("junction.http.tokens[3].scopes"), paths.toString());
    assertFalse(e.getMessage().contains("very-secret-value"), e.getMessage());
  }

  @Test
  void destinationProblemsAreReportedByPath() {
    var e =
        problems(
            """
            junction.http.destinations.hook {
              method = FETCH, url = "ftp://x/{header}", body = xml, max-concurrent = 0
              retries { max = -1 }, circuit-breaker { reset-timeout = 0s }, then = "nowhere"
            }
            junction.routes.r { from = nothing, to = "http:other" }
            """);
    List<String> paths = paths(e);
    for (String p :
        List.of(
            "method",
            "url",
            "body",
            "max-concurrent",
            "retries.max",
            "circuit-breaker.reset-timeout",
            "then"))
      assertTrue(paths.contains("junction.http.destinations.hook." + p), p + " in " + paths);
    assertTrue(
        e.getMessage().contains("no http destination named 'other' (known: [hook])"),
        e.getMessage());
  }

  @Test
  void httpPollProblemsAreReportedByPath() {
    var e =
        problems(
            """
            junction.endpoints.feed {
              kind = http-poll, url = "ftp://x/feed", method = POST, interval = 0s
              codec = "struct:Nope", headers { If-None-Match = "x" }, max-body-bytes = 0
              tls { truststore-file = "/no/such/file.p12", truststore-password-env = NO_SUCH_VAR_J }
              colour = blue
            }
            """);
    List<String> paths = paths(e);
    for (String p :
        List.of(
            "url",
            "method",
            "interval",
            "codec",
            "headers.If-None-Match",
            "max-body-bytes",
            "tls.truststore-password-env",
            "colour"))
      assertTrue(paths.contains("junction.endpoints.feed." + p), p + " in " + paths);
  }
}
