package io.junction.ftp;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.List;
import java.util.Optional;
import java.util.function.LongConsumer;

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

  /**
   * Uploads the local file {@code local} to {@code path} (replacing it), reporting each block of
   * bytes sent to {@code progress} and feeding them to {@code digest} unless it is null; returns
   * the bytes sent once the server confirmed the file. Copies through {@link #write} in large
   * blocks: far cheaper than a {@code FileIO} stream (no per-chunk allocation, one copy fewer).
   * Sending with {@code FileChannel.transferTo} (sendfile) into an NIO data socket was tried: less
   * CPU, but slower on loopback against vsftpd.
   */
  default long upload(Path local, String path, LongConsumer progress, MessageDigest digest)
      throws IOException {
    byte[] buffer = new byte[UPLOAD_BLOCK];
    long sent = 0;
    try (InputStream in = Files.newInputStream(local)) {
      OutputStream out = write(path, false);
      for (int n; (n = in.read(buffer)) > 0; ) {
        out.write(buffer, 0, n);
        if (digest != null) digest.update(buffer, 0, n);
        sent += n;
        progress.accept(n);
      }
      out.close(); // completes the transfer; on a failure above, close() of the session aborts it
    }
    return sent;
  }

  /** Block size of {@link #upload}: large enough that per-call costs vanish. */
  int UPLOAD_BLOCK = 256 * 1024;

  List<RemoteFile> list(String dir) throws IOException;

  void mkdirs(String dir) throws IOException;

  /** Renames {@code from} to {@code to}, replacing an existing file at {@code to}. */
  void move(String from, String to) throws IOException;

  void remove(String path) throws IOException;

  long size(String path) throws IOException;

  /**
   * The algorithm (a {@code MessageDigest} name) of the file digests this server computes, if it
   * offers any ({@link FtpDigests}); SFTP servers do not.
   */
  default Optional<String> digestAlgorithm() throws IOException {
    return Optional.empty();
  }

  /**
   * The server's digest of {@code path} (lower-case hex, {@link #digestAlgorithm()}), or empty if
   * it offers none or did not answer with one.
   */
  default Optional<String> digest(String path) throws IOException {
    return Optional.empty();
  }

  @Override
  void close();
}
