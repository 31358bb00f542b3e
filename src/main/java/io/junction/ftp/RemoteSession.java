package io.junction.ftp;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;

/**
 * One logged-in connection to a server, used by one stream or operation at a time. Every method
 * blocks: call them only on {@code junction.blocking-io-dispatcher}.
 *
 * <p>Failures are {@link RemoteException}s. The streams from {@link #read} and {@link #write}
 * finish their transfer on {@code close()} and throw there if the server reports it incomplete;
 * {@link #close()} aborts whatever is in flight and disconnects, and never throws.
 */
interface RemoteSession extends AutoCloseable {

  static RemoteSession open(RemoteSettings settings) throws IOException {
    return settings.protocol() == Protocol.SFTP
        ? SftpSession.open(settings)
        : FtpSession.open(settings);
  }

  InputStream read(String path, long offset) throws IOException;

  OutputStream write(String path, boolean append) throws IOException;

  List<RemoteFile> list(String dir) throws IOException;

  void mkdirs(String dir) throws IOException;

  /** Renames {@code from} to {@code to}, replacing an existing file at {@code to}. */
  void move(String from, String to) throws IOException;

  void remove(String path) throws IOException;

  long size(String path) throws IOException;

  @Override
  void close();
}
