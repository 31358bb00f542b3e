package io.junction.cluster;

import io.junction.testing.H2TcpServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** The cluster contract over one H2 TCP server (a self-contained local cluster). */
class ClusterQueueH2Test extends ClusterQueueContract {
  private H2TcpServer h2;

  @Override
  String startJournal(Path dir) throws Exception {
    h2 = H2TcpServer.start(Files.createDirectories(dir.resolve("h2")));
    return "kind = h2, h2.url = \"" + h2.url("junction") + "\"";
  }

  @Override
  Map<String, String> journalEnv() {
    return Map.of();
  }

  @Override
  void stopJournal() {
    if (h2 != null) h2.close();
  }
}
