package io.junction.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A throwaway PostgreSQL cluster from Debian's binaries ({@code initdb} + {@code pg_ctl}) on a free
 * loopback port, run as the {@code postgres} user when the tests run as root, with a password for
 * user {@code junction} (scram-sha-256 over TCP). Missing binaries fail with a clear message.
 */
public final class ThrowawayPostgres implements AutoCloseable {
  public static final String USER = "junction";
  private final Path dir;
  private final Path bin;
  private final int port;
  private final String password;

  private ThrowawayPostgres(Path dir, Path bin, int port, String password) {
    this.dir = dir;
    this.bin = bin;
    this.port = port;
    this.password = password;
  }

  /** initdb and start; waits (bounded) until the server accepts connections. */
  public static ThrowawayPostgres start() throws IOException, InterruptedException {
    Path bin = findBin();
    Path dir = Files.createTempDirectory("junction-pg");
    String password = "pw-" + Long.toHexString(System.nanoTime());
    Files.writeString(dir.resolve("pwfile"), password + "\n", StandardCharsets.UTF_8);
    Files.createDirectories(dir.resolve("socket"));
    if (isRoot()) run(List.of("chown", "-R", "postgres:postgres", dir.toString()), 30);
    int port = freePort();
    ThrowawayPostgres pg = new ThrowawayPostgres(dir, bin, port, password);
    pg.asPostgres(
        List.of(
            bin.resolve("initdb").toString(),
            "-D",
            dir.resolve("data").toString(),
            "-U",
            USER,
            "--pwfile=" + dir.resolve("pwfile"),
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
            "--no-sync"),
        120);
    pg.asPostgres(
        List.of(
            bin.resolve("pg_ctl").toString(),
            "-D",
            dir.resolve("data").toString(),
            "-l",
            dir.resolve("server.log").toString(),
            "-o",
            "-p " + port + " -k " + dir.resolve("socket") + " -c listen_addresses=127.0.0.1",
            "-w",
            "-t",
            "60",
            "start"),
        90);
    return pg;
  }

  public String url() {
    return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
  }

  public String password() {
    return password;
  }

  @Override
  public void close() throws IOException, InterruptedException {
    try {
      asPostgres(
          List.of(
              bin.resolve("pg_ctl").toString(),
              "-D",
              dir.resolve("data").toString(),
              "-m",
              "immediate",
              "-w",
              "stop"),
          60);
    } finally {
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private void asPostgres(List<String> command, int seconds)
      throws IOException, InterruptedException {
    List<String> full = new ArrayList<>();
    if (isRoot()) full.addAll(List.of("runuser", "-u", "postgres", "--"));
    full.addAll(command);
    run(full, seconds);
  }

  private static void run(List<String> command, int seconds)
      throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    boolean done = p.waitFor(seconds, TimeUnit.SECONDS);
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!done) {
      p.destroyForcibly();
      throw new AssertionError(command + " did not finish within " + seconds + " s:\n" + out);
    }
    if (p.exitValue() != 0)
      throw new AssertionError(command + " failed (exit " + p.exitValue() + "):\n" + out);
  }

  private static boolean isRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  private static Path findBin() throws IOException {
    Path root = Path.of("/usr/lib/postgresql");
    if (Files.isDirectory(root))
      try (Stream<Path> versions = Files.list(root)) {
        Path bin =
            versions
                .map(v -> v.resolve("bin"))
                .filter(b -> Files.isExecutable(b.resolve("initdb")))
                .max(
                    Comparator.comparing(
                        b ->
                            Integer.parseInt(
                                b.getParent().getFileName().toString().replaceAll("\\D", "0"))))
                .orElse(null);
        if (bin != null) return bin;
      }
    throw new AssertionError(
        "PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin (initdb, pg_ctl):"
            + " install Debian's postgresql package (CI's .ci/run does)");
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
