package io.junction.queue;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.junction.testing.ChildNode;
import io.junction.testing.PostgresCluster;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;

/**
 * {@link QueueCrashTest}'s kill -9 scenario with the node journaling to a real PostgreSQL (a
 * throwaway cluster), the password passed the production way: an environment variable.
 */
@Tag("interop")
class QueuePostgresCrashTest extends QueueCrashTest {
  private static PostgresCluster pg;

  @BeforeAll
  static void startPostgres() throws Exception {
    pg = PostgresCluster.start();
  }

  @AfterAll
  static void stopPostgres() throws Exception {
    if (pg == null) return;
    try (PostgresCluster cluster = pg;
        Connection c = cluster.connect();
        ResultSet rs =
            c.createStatement()
                .executeQuery(
                    "SELECT (SELECT COUNT(*) FROM event_journal WHERE persistence_id = 'Queue|crash')"
                        + " + (SELECT COUNT(*) FROM snapshot WHERE persistence_id = 'Queue|crash')")) {
      rs.next();
      // the scenario really ran on PostgreSQL, not on a fallback journal
      assertTrue(rs.getLong(1) > 0, "no journal rows for Queue|crash in PostgreSQL");
    }
  }

  @Override
  protected ChildNode startNode(Path dir) throws Exception {
    String journal =
        """
        journal {
          pipeline = on
          kind = postgres
          postgres { url = "%s", user = "%s", password-env = JUNCTION_PG_PASSWORD }
        }
        """
            .formatted(pg.jdbcUrl(), pg.user());
    return ChildNode.start(
        dir, config(dir, journal), Map.of("JUNCTION_PG_PASSWORD", pg.password()));
  }
}
