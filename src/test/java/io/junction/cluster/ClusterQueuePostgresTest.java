package io.junction.cluster;

import io.junction.testing.PostgresCluster;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Tag;

/** The cluster contract over PostgreSQL, the production journal (a throwaway server). */
@Tag("interop")
class ClusterQueuePostgresTest extends ClusterQueueContract {
  private PostgresCluster pg;

  @Override
  String startJournal(Path dir) throws Exception {
    pg = PostgresCluster.start();
    return "kind = postgres, postgres { url = \""
        + pg.jdbcUrl()
        + "\", user = "
        + PostgresCluster.USER
        + ", password-env = JUNCTION_PG_PASSWORD }";
  }

  @Override
  Map<String, String> journalEnv() {
    return Map.of("JUNCTION_PG_PASSWORD", pg.password());
  }

  @Override
  void stopJournal() throws Exception {
    if (pg != null) pg.close();
  }
}
