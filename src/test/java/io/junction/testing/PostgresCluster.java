package io.junction.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A throwaway PostgreSQL cluster for tests: {@code initdb} into a temp dir, {@code pg_ctl start} on
 * a free 127.0.0.1 port, one database and one password user; {@link #close()} stops it and deletes
 * the directory. PostgreSQL refuses to run as root, so when the JVM is root its binaries run as the
 * {@code postgres} user ({@code runuser -u postgres --}) on a directory that user owns.
 */
public final class PostgresCluster implements AutoCloseable {
  public static final String DATABASE = "junction";
  public static final String USER = "junction";
  private static final String MISSING = "install postgresql (apt-get install postgresql)";

  private final Path bin;
  private final Path dir;
  private final boolean asPostgres;
  private final String password = "pw-" + UUID.randomUUID();
  private int port;
  private boolean running;

  private PostgresCluster(Path bin, Path dir, boolean asPostgres) {
    this.bin = bin;
    this.dir = dir;
    this.asPostgres = asPostgres;
  }

  /** Starts a fresh cluster; fails with "install postgresql ..." when the binaries are missing. */
  public static PostgresCluster start() throws IOException, InterruptedException {
    Path bin = binaries();
    boolean root = "root".equals(System.getProperty("user.name"));
    PostgresCluster pg = new PostgresCluster(bin, Files.createTempDirectory("junction-pg-"), root);
    try {
      pg.initdb();
      pg.startServer();
      pg.createDatabase();
      return pg;
    } catch (IOException | InterruptedException | RuntimeException | Error e) {
      pg.close();
      throw e;
    }
  }

  /** The newest {@code /usr/lib/postgresql/<version>/bin} that has initdb and pg_ctl. */
  static Path binaries() throws IOException {
    Path root = Path.of("/usr/lib/postgresql");
    if (!Files.isDirectory(root)) throw new AssertionError(MISSING + ": no " + root);
    try (Stream<Path> versions = Files.list(root)) {
      return versions
          .map(v -> v.resolve("bin"))
          .filter(b -> Files.isExecutable(b.resolve("initdb")))
          .filter(b -> Files.isExecutable(b.resolve("pg_ctl")))
          .max(Comparator.comparingInt(b -> version(b.getParent().getFileName().toString())))
          .orElseThrow(() -> new AssertionError(MISSING + ": no " + root + "/*/bin/initdb"));
    }
  }

  private static int version(String s) {
    try {
      return Integer.parseInt(s.replaceAll("\\..*", ""));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  public String jdbcUrl() {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + DATABASE;
  }

  public int port() {
    return port;
  }

  public String user() {
    return USER;
  }

  public String password() {
    return password;
  }

  /** A connection as the test user to the test database. */
  public Connection connect() throws SQLException {
    return DriverManager.getConnection(jdbcUrl(), USER, password);
  }

  private Path data() {
    return dir.resolve("data");
  }

  private void initdb() throws IOException, InterruptedException {
    Path pwfile = dir.resolve("superuser.pw");
    Files.writeString(pwfile, password + "\n");
    if (asPostgres) run(List.of("chown", "-R", "postgres:postgres", dir.toString()), 30);
    run(
        pg(
            "initdb",
            "-D",
            data().toString(),
            "-U",
            "postgres",
            "--pwfile=" + pwfile,
            "--auth=scram-sha-256",
            "-E",
            "UTF8",
            "--no-instructions"),
        120);
  }

  private void startServer() throws IOException, InterruptedException {
    // A free port can be taken between the probe and the bind: try a few.
    IOException last = null;
    for (int attempt = 0; attempt < 3; attempt++) {
      port = FreePorts.freePort();
      String opts =
          "-p " + port + " -c listen_addresses=127.0.0.1 -c unix_socket_directories=" + dir;
      try {
        run(
            pg(
                "pg_ctl",
                "-D",
                data().toString(),
                "-l",
                dir.resolve("server.log").toString(),
                "-w",
                "-t",
                "60",
                "-o",
                opts,
                "start"),
            90);
        running = true;
        return;
      } catch (IOException e) {
        last = e;
      }
    }
    throw last;
  }

  private void createDatabase() {
    String url = "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    try (Connection c = DriverManager.getConnection(url, "postgres", password);
        Statement st = c.createStatement()) {
      st.execute("CREATE USER " + USER + " PASSWORD '" + password + "'");
      st.execute("CREATE DATABASE " + DATABASE + " OWNER " + USER);
    } catch (SQLException e) {
      throw new AssertionError("cannot create the test database: " + e.getMessage(), e);
    }
  }

  private List<String> pg(String tool, String... args) {
    List<String> cmd = new ArrayList<>();
    if (asPostgres) cmd.addAll(List.of("runuser", "-u", "postgres", "--"));
    cmd.add(bin.resolve(tool).toString());
    cmd.addAll(List.of(args));
    return cmd;
  }

  private void run(List<String> cmd, int seconds) throws IOException, InterruptedException {
    Path out = Files.createTempFile("junction-pg-cmd", ".log");
    try {
      Process p =
          new ProcessBuilder(cmd)
              .directory(dir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(out.toFile())
              .start();
      if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        throw new IOException(cmd + " did not finish within " + seconds + " s");
      }
      if (p.exitValue() != 0) {
        String log = Files.readString(out, StandardCharsets.UTF_8);
        Path server = dir.resolve("server.log");
        if (Files.exists(server)) log += "\nserver.log:\n" + Files.readString(server);
        throw new IOException(cmd + " exited " + p.exitValue() + ":\n" + log);
      }
    } finally {
      Files.deleteIfExists(out);
    }
  }

  /** Stops the server (fast: rolls back open transactions) and deletes its directory. */
  @Override
  public void close() throws IOException, InterruptedException {
    try {
      if (running) run(pg("pg_ctl", "-D", data().toString(), "-m", "fast", "-w", "stop"), 60);
      running = false;
    } finally {
      try (Stream<Path> all = Files.walk(dir)) {
        for (Path p : all.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
      }
    }
  }
}
