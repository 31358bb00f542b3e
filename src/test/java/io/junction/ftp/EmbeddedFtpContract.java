package io.junction.ftp;

import java.nio.file.Path;

/**
 * {@link RemoteTransferContract} against the embedded Apache FtpServer, whatever its mode (plain,
 * explicit or implicit FTPS, active data connections): subclasses start {@link #server} and say how
 * to reach it; the server-side checks the contract asks for are the same for all of them.
 */
abstract class EmbeddedFtpContract extends RemoteTransferContract {
  EmbeddedFtpServer server;

  @Override
  void stopServer() {
    if (server != null) server.close();
  }

  @Override
  Path home() {
    return server.home();
  }

  @Override
  int activeSessions() {
    return server.activeSessions();
  }

  @Override
  int totalConnections() {
    return server.totalConnections();
  }

  @Override
  void dropDownloads(long bytes, int times) {
    server.dropDownloads(bytes, times);
  }
}
