package io.junction.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.junction.queue.QueueEntity.*;
import io.junction.testing.PostgresCluster;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The queue on a real PostgreSQL journal (a throwaway cluster): the schema is created idempotently,
 * messages survive a restart in order, snapshots keep the journal bounded.
 */
@Tag("interop")
class QueuePostgresTest extends QueueJournalContract {
  private static final String PASSWORD_ENV = "JUNCTION_TEST_PG_PASSWORD";
  private static PostgresCluster pg;
  private static Config config;

  @BeforeAll
  static void startPostgres() throws Exception {
    pg = PostgresCluster.start();
    Config raw =
        ConfigFactory.parseString(
                """
                junction.journal {
                  kind = postgres
                  postgres { url = "%s", user = "%s", password-env = %s }
                }
                """
                    .formatted(pg.jdbcUrl(), pg.user(), PASSWORD_ENV))
            .withFallback(ConfigFactory.load());
    config = JournalSetup.configure(raw, var -> var.equals(PASSWORD_ENV) ? pg.password() : null);
    // Every start runs it: the second run must find everything in place and change nothing.
    JournalSetup.createSchema(config);
    JournalSetup.createSchema(config);
  }

  @AfterAll
  static void stopPostgres() throws Exception {
    if (pg != null) pg.close();
  }

  @Test
  void schemaCreationIsIdempotentAndCreatesTheJournalTables() throws Exception {
    JournalSetup.createSchema(config);
    List<String> tables = new ArrayList<>();
    try (Connection c = pg.connect();
        ResultSet rs =
            c.createStatement()
                .executeQuery(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")) {
      while (rs.next()) tables.add(rs.getString(1));
    }
    assertEquals(List.of("durable_state", "event_journal", "event_tag", "snapshot"), tables);
  }

  @Override
  Config journal() {
    return config;
  }

  @Override
  Connection connect() throws Exception {
    return pg.connect();
  }

  @Override
  String name() {
    return "pg";
  }
}
