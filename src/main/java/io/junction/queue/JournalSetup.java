package io.junction.queue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.junction.config.ConfigProblems;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Turns {@code junction.journal} into the pekko-persistence-jdbc configuration and creates the
 * journal schema idempotently. Main calls {@link #configure(Config)} before creating the actor
 * system and {@link #createSchema(Config)} before the queues start.
 */
public final class JournalSetup {

  /** The journal database the config selects. */
  public record Database(
      String kind,
      String url,
      String driver,
      String profile,
      String user,
      String password,
      int poolSize,
      Path h2Directory) {}

  private JournalSetup() {}

  /**
   * {@code config} with the persistence plugins set for the selected journal; throws on problems.
   */
  public static Config configure(Config config) {
    ConfigProblems problems = new ConfigProblems();
    Config out = configure(config, problems);
    problems.throwIfAny();
    return out;
  }

  /** Like {@link #configure(Config)}, recording problems instead of throwing. */
  public static Config configure(Config config, ConfigProblems problems) {
    return configure(config, problems, System::getenv);
  }

  /** Like {@link #configure(Config)}, reading secrets through {@code env} (tests). */
  static Config configure(Config config, Function<String, String> env) {
    ConfigProblems problems = new ConfigProblems();
    Config out = configure(config, problems, env);
    problems.throwIfAny();
    return out;
  }

  private static Config configure(
      Config config, ConfigProblems problems, Function<String, String> env) {
    Database db = database(config, problems, env);
    if (db == null) return config;
    boolean pipeline =
        problems.read(
            "junction.journal.pipeline",
            () -> config.getBoolean("junction.journal.pipeline"),
            false);
    Map<String, Object> slickDb =
        Map.of(
            "url", db.url(),
            "driver", db.driver(),
            "user", db.user(),
            "password", db.password(),
            "numThreads", db.poolSize(),
            "maxConnections", db.poolSize(),
            "minConnections", 1);
    Config overlay =
        ConfigFactory.empty()
            .withValue("pekko.persistence.journal.plugin", str("jdbc-journal"))
            .withValue("pekko.persistence.snapshot-store.plugin", str("jdbc-snapshot-store"))
            .withValue("jdbc-journal.use-shared-db", str("slick"))
            .withValue("jdbc-snapshot-store.use-shared-db", str("slick"))
            // The plugins' actors only hand work to Slick's own threads (the JDBC calls), so they
            // need no pool of their own: one thread pool fewer on every write's path
            // (docs/PERFORMANCE.md, tenth session; pekko-persistence-jdbc's reference.conf
            // meant to say so, but its plugin-dispatcher keys sit inside `tables`).
            .withValue("jdbc-journal.plugin-dispatcher", str("pekko.actor.default-dispatcher"))
            .withValue(
                "jdbc-snapshot-store.plugin-dispatcher", str("pekko.actor.default-dispatcher"))
            .withValue("jdbc-read-journal.use-shared-db", str("slick"))
            .withValue("jdbc-durable-state-store.use-shared-db", str("slick"))
            .withValue("pekko-persistence-jdbc.shared-databases.slick.profile", str(db.profile()))
            .withValue(
                "pekko-persistence-jdbc.shared-databases.slick.db",
                ConfigValueFactory.fromMap(slickDb));
    // The journal faults of docs/FAULTS.md need their own plugin class (a PipelinedJournal too).
    Class<?> journal = faultsEnabled(config) ? FaultyJournal.class : PipelinedJournal.class;
    overlay =
        overlay
            .withValue("jdbc-journal.class", str(journal.getName()))
            .withValue("jdbc-journal.pipeline", ConfigValueFactory.fromAnyRef(pipeline));
    return overlay.withFallback(config).resolve();
  }

  // Validated (with its path) by FaultSettings; a value that is not a boolean counts as off here.
  private static boolean faultsEnabled(Config config) {
    try {
      Config c = config.isResolved() ? config : config.resolve();
      return c.hasPath("junction.faults.enabled") && c.getBoolean("junction.faults.enabled");
    } catch (com.typesafe.config.ConfigException e) {
      return false;
    }
  }

  /** The database {@code junction.journal} selects, or null (with problems recorded). */
  public static Database database(Config config, ConfigProblems problems) {
    return database(config, problems, System::getenv);
  }

  private static Database database(
      Config config, ConfigProblems problems, Function<String, String> env) {
    String base = "junction.journal";
    Config j = problems.read(base, () -> config.getConfig(base), null);
    if (j == null) return null;
    problems.rejectUnknownKeys(
        base, j, java.util.Set.of("kind", "pool-size", "pipeline", "h2", "postgres"));
    int pool = problems.read(base + ".pool-size", () -> j.getInt("pool-size"), 4);
    if (pool < 1) problems.add(base + ".pool-size", "must be >= 1, was " + pool);
    String kind = problems.read(base + ".kind", () -> j.getString("kind"), "h2");
    switch (kind) {
      case "h2" -> {
        String path =
            problems.read(base + ".h2.path", () -> j.getString("h2.path"), "data/journal");
        String opts =
            problems.read(base + ".h2.url-options", () -> j.getString("h2.url-options"), "");
        String given = problems.read(base + ".h2.url", () -> j.getString("h2.url"), "");
        if (!given.isEmpty()) {
          // A shared H2 (TCP server) for several nodes: the URL is used as given.
          if (!given.startsWith("jdbc:h2:"))
            problems.add(base + ".h2.url", "must start with jdbc:h2:, was \"" + given + "\"");
          return new Database(
              kind, given, "org.h2.Driver", "slick.jdbc.H2Profile$", "", "", pool, null);
        }
        Path dir = Path.of(path).toAbsolutePath();
        String url = "jdbc:h2:file:" + dir.resolve("junction") + opts;
        return new Database(kind, url, "org.h2.Driver", "slick.jdbc.H2Profile$", "", "", pool, dir);
      }
      case "postgres" -> {
        String url = problems.read(base + ".postgres.url", () -> j.getString("postgres.url"), "");
        String user =
            problems.read(base + ".postgres.user", () -> j.getString("postgres.user"), "");
        String var =
            problems.read(
                base + ".postgres.password-env", () -> j.getString("postgres.password-env"), "");
        String password = var.isEmpty() ? null : env.apply(var);
        if (password == null) {
          problems.add(
              base + ".postgres.password-env", "environment variable " + var + " is not set");
          password = "";
        }
        return new Database(
            kind,
            url,
            "org.postgresql.Driver",
            "slick.jdbc.PostgresProfile$",
            user,
            password,
            pool,
            null);
      }
      default -> {
        problems.add(base + ".kind", "must be h2 or postgres, was \"" + kind + "\"");
        return null;
      }
    }
  }

  /**
   * Creates the journal, snapshot and durable-state tables if they do not exist, using the script
   * shipped in the persistence-jdbc jar made idempotent. Blocking: call it from Main (or on the
   * blocking-io dispatcher), before the first queue starts.
   */
  public static void createSchema(Config configured) {
    Database db = database(configured, new ConfigProblems());
    if (db == null) throw new IllegalArgumentException("junction.journal is invalid");
    // The credentials configure() resolved (the environment is read once, there).
    String slick = "pekko-persistence-jdbc.shared-databases.slick.db.password";
    String password = configured.hasPath(slick) ? configured.getString(slick) : db.password();
    try {
      if (db.h2Directory() != null) Files.createDirectories(db.h2Directory());
      String script =
          db.kind().equals("h2")
              ? "schema/h2/h2-create-schema.sql"
              : "schema/postgres/postgres-create-schema.sql";
      try (Connection c = DriverManager.getConnection(db.url(), db.user(), password);
          Statement st = c.createStatement()) {
        c.setAutoCommit(true); // CREATE INDEX CONCURRENTLY (PostgreSQL) refuses a transaction
        String text = readScript(script);
        if (db.kind().equals("h2")) text = inlinePayloads(text);
        for (String sql : statements(text)) st.execute(sql);
      }
    } catch (IOException | SQLException e) {
      throw new IllegalStateException(
          "cannot create the journal schema at " + db.url() + ": " + e.getMessage(), e);
    }
  }

  /**
   * The H2 script with every {@code BLOB} column declared {@code VARBINARY}: values stored in the
   * row instead of H2's separate LOB store. A LOB store write is extra maps and copies per event
   * (one event is typically 1-10 KiB), and its asynchronous clean-up of deleted LOBs (snapshots and
   * the events they cover are deleted all the time) failed under load in H2 2.3.232 with {@code
   * MVStoreException: Position 0} in {@code LobStorageMap.cleanup}, after which H2 closed the
   * database and every queue of the node stopped (docs/QUEUES.md). A VARBINARY value may be up to
   * 1,000,000,000 bytes in H2, far above {@code snapshot-max-bytes}. The plugin reads both types
   * with {@code getBytes}, so a database created before keeps working with its BLOB columns.
   */
  static String inlinePayloads(String h2Script) {
    return h2Script.replaceAll("(?i)(\"[a-z_]+_payload\"\\s+)BLOB\\b", "$1VARBINARY");
  }

  /** The script's statements, each CREATE made IF NOT EXISTS (the shipped H2 index lacks it). */
  static List<String> statements(String script) {
    List<String> out = new ArrayList<>();
    for (String raw : script.split(";")) {
      String sql = raw.strip();
      if (sql.isEmpty()) continue;
      if (!sql.toUpperCase(java.util.Locale.ROOT).contains("IF NOT EXISTS"))
        sql =
            sql.replaceFirst(
                "(?i)^CREATE\\s+((UNIQUE\\s+)?INDEX(\\s+CONCURRENTLY)?|TABLE|SEQUENCE)\\s",
                "CREATE $1 IF NOT EXISTS ");
      out.add(sql);
    }
    return out;
  }

  private static String readScript(String resource) throws IOException {
    try (InputStream in = JournalSetup.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) throw new IOException(resource + " not on the classpath");
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static com.typesafe.config.ConfigValue str(String s) {
    return ConfigValueFactory.fromAnyRef(s);
  }
}
