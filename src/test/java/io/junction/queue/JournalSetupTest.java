package io.junction.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.junction.config.ConfigProblems;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournalSetupTest {

  @TempDir Path dir;

  static Config with(String hocon) {
    return ConfigFactory.parseString(hocon).withFallback(ConfigFactory.load()).resolve();
  }

  @Test
  void h2KindSelectsTheJdbcPluginsWithADurableFileUrl() {
    Config c = JournalSetup.configure(with("junction.journal.h2.path = \"" + dir + "\""));
    assertEquals("jdbc-journal", c.getString("pekko.persistence.journal.plugin"));
    assertEquals("jdbc-snapshot-store", c.getString("pekko.persistence.snapshot-store.plugin"));
    for (String p :
        List.of(
            "jdbc-journal", "jdbc-snapshot-store", "jdbc-read-journal", "jdbc-durable-state-store"))
      assertEquals("slick", c.getString(p + ".use-shared-db"));
    String url = c.getString("pekko-persistence-jdbc.shared-databases.slick.db.url");
    assertEquals(
        "jdbc:h2:file:" + dir.resolve("junction") + ";WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE", url);
    assertEquals(
        "slick.jdbc.H2Profile$",
        c.getString("pekko-persistence-jdbc.shared-databases.slick.profile"));
  }

  @Test
  void theFaultInjectingJournalIsConfiguredOnlyWhenFaultsAreOn() {
    String path = "junction.journal.h2.path = \"" + dir + "\"\n";
    Config off = JournalSetup.configure(with(path));
    assertEquals(PipelinedJournal.class.getName(), off.getString("jdbc-journal.class"));
    Config on = JournalSetup.configure(with(path + "junction.faults.enabled = on"));
    assertEquals(FaultyJournal.class.getName(), on.getString("jdbc-journal.class"));
    assertEquals("slick", on.getString("jdbc-journal.use-shared-db"), "the rest is unchanged");
  }

  @Test
  void theWritePipelineIsOffByDefaultAndCanBeTurnedOn() {
    String path = "junction.journal.h2.path = \"" + dir + "\"\n";
    Config off = JournalSetup.configure(with(path));
    assertFalse(off.getBoolean("jdbc-journal.pipeline"));
    assertEquals(PipelinedJournal.class.getName(), off.getString("jdbc-journal.class"));
    assertTrue(
        JournalSetup.configure(with(path + "junction.journal.pipeline = on"))
            .getBoolean("jdbc-journal.pipeline"));
    ConfigProblems problems = new ConfigProblems();
    JournalSetup.configure(with(path + "junction.journal.pipeline = sometimes"), problems);
    assertEquals(
        List.of("junction.journal.pipeline"),
        problems.all().stream().map(ConfigProblems.Problem::path).toList());
  }

  @Test
  void postgresKindChangesOnlyProfileUrlDriverAndCredentials() {
    Config c =
        JournalSetup.configure(
            with(
                """
                junction.journal.kind = postgres
                junction.journal.postgres { url = "jdbc:postgresql://db:5432/j", user = u, password-env = PATH }
                """));
    assertEquals(
        "slick.jdbc.PostgresProfile$",
        c.getString("pekko-persistence-jdbc.shared-databases.slick.profile"));
    assertEquals(
        "jdbc:postgresql://db:5432/j",
        c.getString("pekko-persistence-jdbc.shared-databases.slick.db.url"));
    assertEquals(
        "org.postgresql.Driver",
        c.getString("pekko-persistence-jdbc.shared-databases.slick.db.driver"));
    assertEquals(
        System.getenv("PATH"),
        c.getString("pekko-persistence-jdbc.shared-databases.slick.db.password"));
  }

  @Test
  void reportsEveryJournalProblemWithItsPath() {
    ConfigProblems problems = new ConfigProblems();
    JournalSetup.configure(
        with("junction.journal { kind = mongo, pool-size = 0, colour = red }"), problems);
    List<String> paths = problems.all().stream().map(ConfigProblems.Problem::path).toList();
    assertTrue(paths.contains("junction.journal.kind"), paths.toString());
    assertTrue(paths.contains("junction.journal.pool-size"), paths.toString());
    assertTrue(paths.contains("junction.journal.colour"), paths.toString());
    assertThrows(
        ConfigProblems.InvalidConfigException.class,
        () -> JournalSetup.configure(with("junction.journal.kind = mongo")));
  }

  @Test
  void missingPostgresPasswordVariableIsAProblem() {
    ConfigProblems problems = new ConfigProblems();
    JournalSetup.configure(
        with(
            "junction.journal { kind = postgres, postgres.password-env = JUNCTION_NO_SUCH_VAR_42 }"),
        problems);
    assertEquals("junction.journal.postgres.password-env", problems.all().get(0).path());
  }

  @Test
  void schemaCreationIsIdempotentOnH2() throws Exception {
    Config c = JournalSetup.configure(with("junction.journal.h2.path = \"" + dir + "\""));
    JournalSetup.createSchema(c);
    JournalSetup.createSchema(
        c); // the shipped script alone fails here (index without IF NOT EXISTS)
    String url = c.getString("pekko-persistence-jdbc.shared-databases.slick.db.url");
    try (Connection conn = DriverManager.getConnection(url, "", "")) {
      conn.createStatement().execute("SELECT COUNT(*) FROM \"event_journal\"");
      conn.createStatement().execute("SELECT COUNT(*) FROM \"snapshot\"");
      // payloads live in the row, never in H2's LOB store (JournalSetup.inlinePayloads says why)
      var types =
          conn.createStatement()
              .executeQuery(
                  "SELECT TABLE_NAME, COLUMN_NAME, DATA_TYPE FROM INFORMATION_SCHEMA.COLUMNS"
                      + " WHERE COLUMN_NAME LIKE '%payload'");
      int payloads = 0;
      while (types.next()) {
        payloads++;
        assertEquals(
            "BINARY VARYING",
            types.getString(3),
            types.getString(1) + "." + types.getString(2) + " is " + types.getString(3));
      }
      assertEquals(5, payloads, "event and snapshot payload and metadata, durable-state payload");
      conn.createStatement().execute("SHUTDOWN");
    }
  }

  @Test
  void onlyPayloadBlobColumnsBecomeVarbinary() {
    assertEquals(
        "\"event_payload\" VARBINARY NOT NULL, \"meta_payload\" VARBINARY, \"note\" BLOB",
        JournalSetup.inlinePayloads(
            "\"event_payload\" BLOB NOT NULL, \"meta_payload\" BLOB, \"note\" BLOB"));
  }

  @Test
  void everyCreateStatementOfBothScriptsBecomesIfNotExists() {
    String pg =
        "CREATE TABLE public.x(a INT);\nCREATE UNIQUE INDEX i ON x(a);\n"
            + "CREATE INDEX CONCURRENTLY j on x (a);\nCREATE SEQUENCE IF NOT EXISTS s;";
    assertEquals(
        List.of(
            "CREATE TABLE IF NOT EXISTS public.x(a INT)",
            "CREATE UNIQUE INDEX IF NOT EXISTS i ON x(a)",
            "CREATE INDEX CONCURRENTLY IF NOT EXISTS j on x (a)",
            "CREATE SEQUENCE IF NOT EXISTS s"),
        JournalSetup.statements(pg));
  }
}
