package io.junction.testing;

import java.nio.file.Path;
import java.sql.SQLException;
import org.h2.tools.Server;

/**
 * An H2 TCP server in the test JVM on an ephemeral loopback port: one journal that several node
 * processes share (what {@code deploy/local-cluster.sh} runs with {@code org.h2.tools.Server}).
 */
public final class H2TcpServer implements AutoCloseable {
  private final Server server;

  private H2TcpServer(Server server) {
    this.server = server;
  }

  /** Starts serving databases under {@code baseDir}, creating them on first connection. */
  public static H2TcpServer start(Path baseDir) throws SQLException {
    Server s =
        Server.createTcpServer(
                "-tcp", "-tcpPort", "0", "-baseDir", baseDir.toString(), "-ifNotExists")
            .start();
    return new H2TcpServer(s);
  }

  public int port() {
    return server.getPort();
  }

  /** The JDBC URL of database {@code name}, durable on commit (WRITE_DELAY=0). */
  public String url(String name) {
    return "jdbc:h2:tcp://127.0.0.1:" + port() + "/./" + name + ";WRITE_DELAY=0";
  }

  @Override
  public void close() {
    server.stop();
  }
}
