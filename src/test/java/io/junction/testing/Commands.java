package io.junction.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** External programs a test builds or runs (gcc, g++, a compiled client). */
public final class Commands {
  private Commands() {}

  /**
   * Runs {@code command} in {@code dir} to completion within {@code timeout}, its environment
   * changed by {@code environment}; fails the test with the command's output when it times out or
   * exits non-zero. Returns its standard output decoded with {@code stdout}. Output goes to files
   * in {@code dir}, so a chatty program cannot block on a full pipe.
   */
  public static String run(
      Path dir,
      List<String> command,
      Duration timeout,
      Charset stdout,
      Consumer<Map<String, String>> environment)
      throws Exception {
    Path out = Files.createTempFile(dir, "out", ".txt");
    Path err = Files.createTempFile(dir, "err", ".txt");
    ProcessBuilder pb =
        new ProcessBuilder(command)
            .directory(dir.toFile())
            .redirectOutput(out.toFile())
            .redirectError(err.toFile());
    environment.accept(pb.environment());
    Process p = pb.start();
    if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      fail("timed out: " + command);
    }
    String output = Files.readString(out, stdout);
    if (p.exitValue() != 0)
      fail(command + " exited " + p.exitValue() + ": " + Files.readString(err) + output);
    return output;
  }
}
