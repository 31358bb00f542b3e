package io.junction.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A node in a child JVM ({@code junction run --config FILE}), for tests that kill or signal a whole
 * process. Listeners bound to port 0 are found from the node's log lines.
 */
public final class ChildNode implements AutoCloseable {
  private static final Pattern LISTENING = Pattern.compile("(\\S+) listening on [^:]+:(\\d+)");
  private final Process process;
  private final Map<String, Integer> ports = new ConcurrentHashMap<>();
  // not copy-on-write: a chatty node would make every line an O(n) copy in the reader thread
  private final List<String> output = Collections.synchronizedList(new ArrayList<>());

  private ChildNode(Process process) {
    this.process = process;
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                  output.add(line);
                  Matcher m = LISTENING.matcher(line);
                  if (m.find()) ports.put(m.group(1), Integer.parseInt(m.group(2)));
                }
              } catch (IOException e) {
                // the process ended
              }
            },
            "child-node-output");
    reader.setDaemon(true);
    reader.start();
  }

  /** Starts {@code junction run} on {@code config} (written to {@code dir}). */
  public static ChildNode start(Path dir, String config) throws IOException {
    return start(dir, config, Map.of());
  }

  /** Like {@link #start(Path, String)}, with extra environment variables (e.g. a password). */
  public static ChildNode start(Path dir, String config, Map<String, String> env)
      throws IOException {
    return start(dir, config, env, List.of());
  }

  /**
   * Like {@link #start(Path, String, Map)}, with the JVM started under {@code prefix} (e.g. {@code
   * ip netns exec NS}: a command that execs the rest, so the process is still the JVM itself).
   */
  public static ChildNode start(
      Path dir, String config, Map<String, String> env, List<String> prefix) throws IOException {
    Path file = dir.resolve("node.conf");
    Files.writeString(file, config);
    List<String> command = new ArrayList<>(prefix);
    command.addAll(
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx256m",
            // the node's own logging (the test classpath would pick logback-test.xml)
            "-Dlogback.configurationFile=" + ChildNode.class.getResource("/logback.xml"),
            "-cp",
            System.getProperty("java.class.path"),
            "io.junction.Main",
            "run",
            "--config",
            file.toString()));
    ProcessBuilder pb =
        new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
    pb.environment().putAll(env);
    return new ChildNode(pb.start());
  }

  /** The port endpoint {@code name} bound, waiting up to {@code seconds} for it. */
  public int port(String name, int seconds) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (System.nanoTime() < deadline) {
      Integer p = ports.get(name);
      if (p != null) return p;
      if (!process.isAlive()) throw new AssertionError("node exited: " + String.join("\n", output));
      // a bounded poll of a log the child writes; no event to wait on across processes
      process.waitFor(50, TimeUnit.MILLISECONDS);
    }
    throw new AssertionError(
        name + " not listening after " + seconds + " s:\n" + String.join("\n", output));
  }

  /**
   * Retries {@code check} (an assertion) until it passes or {@code seconds} run out, failing with
   * its last error; stops at once, with the node's output, if the node exits meanwhile.
   */
  public void await(int seconds, Check check) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (true) {
      if (!process.isAlive()) throw new AssertionError("node exited: " + String.join("\n", output));
      try {
        check.run();
        return;
      } catch (AssertionError | java.io.IOException e) {
        if (System.nanoTime() > deadline) throw e;
      }
      // a bounded poll of another process's state; there is no event to wait on
      process.waitFor(50, TimeUnit.MILLISECONDS);
    }
  }

  /** An assertion {@link #await} retries; it may do IO. */
  @FunctionalInterface
  public interface Check {
    void run() throws Exception;
  }

  /** The child's process id (for /proc/PID/...). */
  public long pid() {
    return process.pid();
  }

  public Process process() {
    return process;
  }

  public List<String> output() {
    synchronized (output) {
      return List.copyOf(output);
    }
  }

  /** SIGTERM, then the exit code (waiting up to {@code seconds}). */
  public int terminate(int seconds) throws InterruptedException {
    process.destroy();
    if (!process.waitFor(seconds, TimeUnit.SECONDS))
      throw new AssertionError("node did not stop within " + seconds + " s after SIGTERM");
    return process.exitValue();
  }

  /** SIGKILL: no shutdown hooks, no flushing; what the journal has is all there is. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) kill();
  }
}
