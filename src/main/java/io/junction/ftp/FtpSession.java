package io.junction.ftp;

import java.io.Closeable;
import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import javax.net.ssl.SSLException;
import org.apache.commons.net.ftp.FTP;
import org.apache.commons.net.ftp.FTPClient;
import org.apache.commons.net.ftp.FTPFile;
import org.apache.commons.net.ftp.FTPReply;
import org.apache.commons.net.ftp.FTPSClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A {@link RemoteSession} over Apache Commons Net: FTP, and FTPS explicit or implicit. */
final class FtpSession implements RemoteSession {
  private static final Logger log = LoggerFactory.getLogger(FtpSession.class);

  private final FTPClient client;
  private final String server;
  private Closeable transfer;
  private Optional<FtpDigests.Method> digests; // from FEAT, asked at most once per session

  private FtpSession(FTPClient client, String server) {
    this.client = client;
    this.server = server;
  }

  static FtpSession open(RemoteSettings s) throws IOException {
    FTPClient client = s.protocol().isTls() ? FtpsTrust.client(s) : new FTPClient();
    client.setConnectTimeout(millis(s.connectTimeout()));
    // Applies to the control socket once connected: a silent server cannot hang a transfer.
    client.setDefaultTimeout(millis(s.dataTimeout()));
    client.setDataTimeout(s.dataTimeout());
    client.setBufferSize(s.bufferSize());
    client.setControlEncoding(StandardCharsets.UTF_8.name());
    FtpSession session = new FtpSession(client, s.server());
    try {
      client.connect(s.host(), s.port());
      if (!FTPReply.isPositiveCompletion(client.getReplyCode())) {
        throw new RemoteException.TransferFailed(
            "server refused the connection: " + session.reply(), s.server(), null, null);
      }
      String password = s.password() == null ? "" : s.password().reveal();
      if (!client.login(s.username(), password)) {
        throw new RemoteException.AuthenticationFailed(
            "login refused for user '" + s.username() + "': " + session.reply(), s.server(), null);
      }
      if (client instanceof FTPSClient ftps) {
        ftps.execPBSZ(0);
        ftps.execPROT("P"); // encrypt the data connections too, not only the control one
      }
      if (s.passive()) client.enterLocalPassiveMode();
      else client.enterLocalActiveMode();
      client.setFileType(s.binary() ? FTP.BINARY_FILE_TYPE : FTP.ASCII_FILE_TYPE);
      return session;
    } catch (RemoteException e) {
      session.close();
      throw e;
    } catch (SSLException e) {
      session.close();
      throw new RemoteException.HostNotTrusted(
          "TLS handshake failed (certificate not trusted or no common protocol): " + e.getMessage(),
          s.server(),
          e);
    } catch (IOException e) {
      session.close();
      throw new RemoteException.TransferFailed("cannot connect: " + e, s.server(), null, e);
    }
  }

  @Override
  public InputStream read(String path, long offset) throws IOException {
    InputStream raw =
        call(
            path,
            () -> {
              client.setRestartOffset(offset);
              return client.retrieveFileStream(path);
            });
    if (raw == null) throw failure("cannot read", path);
    transfer = raw;
    return new FilterInputStream(raw) {
      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        return call(path, () -> super.read(b, off, len));
      }

      @Override
      public void close() throws IOException {
        finish(raw, path, "download incomplete");
      }
    };
  }

  @Override
  public OutputStream write(String path, boolean append) throws IOException {
    OutputStream raw =
        call(path, () -> append ? client.appendFileStream(path) : client.storeFileStream(path));
    if (raw == null) throw failure("cannot write", path);
    transfer = raw;
    return new FilterOutputStream(raw) {
      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        call(
            path,
            () -> {
              raw.write(b, off, len);
              return null;
            });
      }

      @Override
      public void close() throws IOException {
        finish(raw, path, "upload incomplete");
      }
    };
  }

  /** Closes the data connection and reads the transfer's final reply: 226 or it failed. */
  private void finish(Closeable raw, String path, String what) throws IOException {
    transfer = null;
    boolean ok =
        call(
            path,
            () -> {
              raw.close();
              return client.completePendingCommand();
            });
    if (!ok) throw new RemoteException.TransferFailed(what + ": " + reply(), server, path, null);
  }

  @Override
  public List<RemoteFile> list(String dir) throws IOException {
    FTPFile[] files = call(dir, () -> client.mlistDir(dir));
    int code = client.getReplyCode();
    if (code == 500 || code == 501 || code == 502 || code == 504) {
      files = call(dir, () -> client.listFiles(dir)); // server without MLSD: parse LIST
      code = client.getReplyCode();
    }
    if (!FTPReply.isPositiveCompletion(code)) throw failure("cannot list", dir);
    List<RemoteFile> result = new ArrayList<>(files.length);
    for (FTPFile f : files) {
      if (f == null || f.getName() == null) continue;
      String name = f.getName();
      if (name.equals(".") || name.equals("..")) continue;
      if (name.contains("/") || name.chars().anyMatch(ch -> ch < 0x20 || ch == 0x7f)) {
        log.warn("Skipping unsafe name in listing of {} on {}", dir, server);
        continue;
      }
      Instant modified = f.getTimestampInstant() == null ? Instant.EPOCH : f.getTimestampInstant();
      RemoteFile.Type type =
          f.isFile()
              ? RemoteFile.Type.FILE
              : f.isDirectory() ? RemoteFile.Type.DIRECTORY : RemoteFile.Type.OTHER;
      result.add(new RemoteFile(name, RemotePaths.child(dir, name), f.getSize(), modified, type));
    }
    return result;
  }

  @Override
  public void mkdirs(String dir) throws IOException {
    String home = call(dir, client::printWorkingDirectory);
    // Absolute prefixes, so that changing directory to test existence cannot shift later ones.
    String prefix = dir.startsWith("/") || home == null ? (dir.startsWith("/") ? "/" : "") : home;
    for (String segment : dir.split("/")) {
      if (segment.isEmpty()) continue;
      String current = RemotePaths.child(prefix, segment);
      prefix = current;
      // CWD tells whether it exists; MKD on an existing directory is an error on most servers.
      if (!call(current, () -> client.changeWorkingDirectory(current))
          && !call(current, () -> client.makeDirectory(current))) {
        throw failure("cannot create directory", current);
      }
    }
    if (home != null) call(dir, () -> client.changeWorkingDirectory(home));
  }

  @Override
  public void move(String from, String to) throws IOException {
    if (call(from, () -> client.rename(from, to))) return;
    // Some servers refuse to rename onto an existing file: remove it, then try once more.
    if (call(to, () -> client.deleteFile(to)) && call(from, () -> client.rename(from, to))) return;
    throw failure("cannot rename to " + to, from);
  }

  @Override
  public void remove(String path) throws IOException {
    if (!call(path, () -> client.deleteFile(path))) throw failure("cannot remove", path);
  }

  @Override
  public long size(String path) throws IOException {
    String size = call(path, () -> client.getSize(path));
    if (size == null || client.getReplyCode() != FTPReply.FILE_STATUS) {
      throw failure("cannot get size", path);
    }
    try {
      return Long.parseLong(size.trim());
    } catch (NumberFormatException e) {
      throw new RemoteException("unparsable SIZE reply: " + reply(), server, path, false, e);
    }
  }

  @Override
  public Optional<String> digestAlgorithm() throws IOException {
    return digestMethod().map(FtpDigests.Method::algorithm);
  }

  @Override
  public Optional<String> digest(String path) throws IOException {
    Optional<FtpDigests.Method> m = digestMethod();
    if (m.isEmpty()) return Optional.empty();
    Optional<String> hex = call(path, () -> FtpDigests.query(client, m.get(), path));
    if (hex.isEmpty())
      log.info("{} gave no {} of {}: {}", server, m.get().command(), path, reply());
    return hex;
  }

  private Optional<FtpDigests.Method> digestMethod() throws IOException {
    if (digests == null) {
      digests = call(null, () -> FtpDigests.offered(client));
      if (digests.isPresent() && !call(null, () -> FtpDigests.select(client, digests.get()))) {
        log.info("{} refused OPTS HASH {}: {}", server, digests.get().algorithm(), reply());
        digests = Optional.empty();
      }
    }
    return digests;
  }

  @Override
  public void close() {
    if (transfer != null) {
      closeQuietly(transfer); // abort: drop the data connection, no final reply to wait for
      transfer = null;
    } else if (client.isConnected()) {
      try {
        client.logout();
      } catch (IOException | RuntimeException e) {
        log.debug("QUIT failed on {}: {}", server, e.toString());
      }
    }
    if (client.isConnected()) {
      try {
        client.disconnect();
      } catch (IOException | RuntimeException e) {
        log.debug("disconnect failed on {}: {}", server, e.toString());
      }
    }
  }

  /** Maps the last reply to the most specific exception (FTP's 550 covers several causes). */
  private RemoteException failure(String what, String path) {
    int code = client.getReplyCode();
    String message = what + ": " + reply();
    String lower = message.toLowerCase(Locale.ROOT);
    if (code == FTPReply.NOT_LOGGED_IN) {
      return new RemoteException.AuthenticationFailed(message, server, null);
    }
    if (code == 550 || code == 553 || code == 450 || code == 532) {
      if (lower.contains("permission") || lower.contains("denied") || lower.contains("access")) {
        return new RemoteException.PermissionDenied(message, server, path, null);
      }
      if (code == 550 || code == 450) {
        return new RemoteException.NotFound(message, server, path, null);
      }
    }
    if (FTPReply.isNegativeTransient(code)) {
      return new RemoteException.TransferFailed(message, server, path, null);
    }
    return new RemoteException(message, server, path, false, null);
  }

  private String reply() {
    String r = client.getReplyString();
    return r == null ? "(no reply)" : r.strip().replaceAll("[\\r\\n]+", " ");
  }

  private interface IoCall<T> {
    T call() throws IOException;
  }

  /** Runs one client call; socket-level failures become retryable {@code TransferFailed}. */
  private <T> T call(String path, IoCall<T> body) throws IOException {
    try {
      return body.call();
    } catch (RemoteException e) {
      throw e;
    } catch (IOException e) {
      throw new RemoteException.TransferFailed("connection failed: " + e, server, path, e);
    }
  }

  private static void closeQuietly(Closeable c) {
    try {
      c.close();
    } catch (IOException | RuntimeException e) {
      // Aborting: the connection is being dropped anyway.
    }
  }

  private static int millis(Duration d) {
    return (int) Math.min(Integer.MAX_VALUE, d.toMillis());
  }
}
