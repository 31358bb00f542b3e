package io.junction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code ./junction} as a user runs it (after {@code package}, so it starts the runnable jar and
 * builds nothing): the JVM it starts has the launcher's G1 pause goal, {@code JUNCTION_GC_OPTS}
 * replaces it, and a flag in {@code JUNCTION_JAVA_OPTS} wins over it. Read from the JVM itself
 * ({@code -XX:+PrintFlagsFinal}), not from the script's text.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class LauncherIT {
  private static final Pattern PAUSE_GOAL =
      Pattern.compile("(?m)^\\s*uintx MaxGCPauseMillis\\s+=\\s+(\\d+)\\s");

  @Test
  void theNodesJvmHasATenMillisecondPauseGoalUnlessTheUserSaysOtherwise() throws Exception {
    assertEquals(10, pauseGoal(Map.of()));
    assertEquals(200, pauseGoal(Map.of("JUNCTION_GC_OPTS", "")), "empty: the JVM's default");
    assertEquals(50, pauseGoal(Map.of("JUNCTION_GC_OPTS", "-XX:MaxGCPauseMillis=50")));
    assertEquals(
        20,
        pauseGoal(Map.of("JUNCTION_JAVA_OPTS", "-XX:+PrintFlagsFinal -XX:MaxGCPauseMillis=20")),
        "JUNCTION_JAVA_OPTS comes last");
  }

  private static long pauseGoal(Map<String, String> env) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder("./junction", "--help").redirectErrorStream(true);
    pb.environment().remove("JUNCTION_GC_OPTS");
    pb.environment().put("JUNCTION_JAVA_OPTS", "-XX:+PrintFlagsFinal");
    pb.environment().putAll(env);
    Process p = pb.start();
    String out;
    try {
      out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(p.waitFor(2, TimeUnit.MINUTES), "./junction --help ended");
    } finally {
      p.destroyForcibly();
    }
    assertEquals(0, p.exitValue(), out.length() > 2000 ? out.substring(out.length() - 2000) : out);
    assertTrue(out.contains("junction"), "the node's help was printed");
    Matcher m = PAUSE_GOAL.matcher(out);
    assertTrue(m.find(), "MaxGCPauseMillis in -XX:+PrintFlagsFinal's output");
    return Long.parseLong(m.group(1));
  }
}
