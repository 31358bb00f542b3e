package io.junction.queue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.junction.config.ConfigProblems;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import org.junit.jupiter.api.io.TempDir;

/**
 * The queue on the real embedded H2 file journal: survives a restart, keeps the journal bounded.
 */
class QueueJournalH2Test extends QueueJournalContract {

  @TempDir Path dir;
  private Config config;

  @Override
  Config journal() {
    config =
        JournalSetup.configure(
            ConfigFactory.load()
                .withValue(
                    "junction.journal.h2.path", ConfigValueFactory.fromAnyRef(dir.toString())));
    JournalSetup.createSchema(config);
    return config;
  }

  @Override
  Connection connect() throws Exception {
    JournalSetup.Database db = JournalSetup.database(config, new ConfigProblems());
    return DriverManager.getConnection(db.url(), db.user(), db.password());
  }

  // DB_CLOSE_ON_EXIT=FALSE keeps the database open in this JVM: close it so the temp dir can go.
  @Override
  void journalDone(Config config) {
    try (Connection c = connect()) {
      c.createStatement().execute("SHUTDOWN");
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Override
  String name() {
    return "h2";
  }
}
