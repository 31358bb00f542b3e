package io.junction.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Reads another JVM's memory from outside: RSS from /proc, and heap used after a full GC through
 * {@code jcmd PID GC.run} then {@code jstat -gc PID} (which works for every collector). The target
 * must run as the same user.
 */
final class TargetProbe {
  private final long pid;

  TargetProbe(long pid) {
    this.pid = pid;
    if (!Files.isDirectory(Path.of("/proc", Long.toString(pid)))) {
      throw new IllegalArgumentException("no process with pid " + pid);
    }
  }

  long rssKb() throws IOException {
    return procField("status", "VmRSS:");
  }

  long openFds() throws IOException {
    try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
      return fds.count();
    }
  }

  /** Soft limit on open files of the target ("Max open files" in /proc/PID/limits). */
  long maxOpenFiles() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "limits"))) {
      if (line.startsWith("Max open files")) {
        String soft = line.substring("Max open files".length()).trim().split("\\s+")[0];
        return soft.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(soft);
      }
    }
    return -1;
  }

  /** Forces a full GC in the target, then returns survivor + eden + old used, in KiB. */
  long heapUsedAfterGcKb() throws IOException {
    run(List.of("jcmd", Long.toString(pid), "GC.run"));
    List<String> out = run(List.of("jstat", "-gc", Long.toString(pid)));
    if (out.size() < 2) {
      throw new IOException("unexpected jstat output: " + out);
    }
    String[] names = out.get(0).trim().split("\\s+");
    String[] values = out.get(1).trim().split("\\s+");
    double used = 0;
    for (int i = 0; i < names.length && i < values.length; i++) {
      if (List.of("S0U", "S1U", "EU", "OU").contains(names[i])) {
        used += Double.parseDouble(values[i]);
      }
    }
    return Math.round(used);
  }

  private long procField(String file, String field) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), file))) {
      if (line.startsWith(field)) {
        return Long.parseLong(line.substring(field.length()).trim().split("\\s+")[0]);
      }
    }
    throw new IOException(field + " not found in /proc/" + pid + "/" + file);
  }

  private static List<String> run(List<String> command) throws IOException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    List<String> lines = new ArrayList<>();
    try {
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException(String.join(" ", command) + " did not finish in 60 s");
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted running " + command, e);
    }
    String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    for (String line : text.split("\n")) {
      if (!line.isBlank()) {
        lines.add(line);
      }
    }
    if (p.exitValue() != 0) {
      throw new IOException(String.join(" ", command) + " failed: " + text.trim());
    }
    return lines;
  }
}
