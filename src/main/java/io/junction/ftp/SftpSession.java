package io.junction.ftp;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.common.DisconnectReason;
import net.schmizz.sshj.sftp.FileAttributes;
import net.schmizz.sshj.sftp.FileMode;
import net.schmizz.sshj.sftp.OpenMode;
import net.schmizz.sshj.sftp.RemoteResourceInfo;
import net.schmizz.sshj.sftp.SFTPClient;
import net.schmizz.sshj.sftp.SFTPException;
import net.schmizz.sshj.transport.TransportException;
import net.schmizz.sshj.transport.verification.OpenSSHKnownHosts;
import net.schmizz.sshj.userauth.UserAuthException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A {@link RemoteSession} over sshj: SFTP with a verified host key. */
final class SftpSession implements RemoteSession {
  private static final Logger log = LoggerFactory.getLogger(SftpSession.class);

  /** Requests in flight per transfer: enough to fill the pipe, small enough to bound memory. */
  private static final int IN_FLIGHT = 16;

  /** Bytes per write request; 32 KiB is what every SFTP server accepts. */
  private static final int WRITE_CHUNK = 32 * 1024;

  private final SSHClient ssh;
  private final SFTPClient sftp;
  private final String server;
  private Closeable transfer;

  private SftpSession(SSHClient ssh, SFTPClient sftp, String server) {
    this.ssh = ssh;
    this.sftp = sftp;
    this.server = server;
  }

  static SftpSession open(RemoteSettings s) throws IOException {
    if (s.knownHostsFile() == null && s.hostKeyFingerprint() == null) {
      throw new RemoteException.HostNotTrusted(
          "no known-hosts-file or host-key-fingerprint configured; unknown host keys are refused",
          s.server(),
          null);
    }
    SSHClient ssh = new SSHClient();
    try {
      if (s.knownHostsFile() != null) {
        ssh.addHostKeyVerifier(new OpenSSHKnownHosts(s.knownHostsFile().toFile()));
      }
      if (s.hostKeyFingerprint() != null) ssh.addHostKeyVerifier(s.hostKeyFingerprint());
      ssh.setConnectTimeout(millis(s.connectTimeout()));
      // Request timeouts, not a socket read timeout: sshj's reader thread would die on idle.
      ssh.getTransport().setTimeoutMs(millis(s.dataTimeout()));
      ssh.connect(s.host(), s.port());
      if (s.privateKeyFile() != null) {
        String key = s.privateKeyFile().toString();
        ssh.authPublickey(
            s.username(),
            s.privateKeyPassphrase() == null
                ? ssh.loadKeys(key)
                : ssh.loadKeys(key, s.privateKeyPassphrase().reveal().toCharArray()));
      } else {
        ssh.authPassword(s.username(), s.password() == null ? "" : s.password().reveal());
      }
      SFTPClient sftp = ssh.newSFTPClient();
      sftp.getSFTPEngine().setTimeoutMs(millis(s.dataTimeout()));
      return new SftpSession(ssh, sftp, s.server());
    } catch (UserAuthException e) {
      disconnect(ssh);
      throw new RemoteException.AuthenticationFailed(
          "authentication refused for user '" + s.username() + "'", s.server(), e);
    } catch (TransportException e) {
      disconnect(ssh);
      if (e.getDisconnectReason() == DisconnectReason.HOST_KEY_NOT_VERIFIABLE) {
        throw new RemoteException.HostNotTrusted(
            "host key not in known hosts and not the configured fingerprint", s.server(), e);
      }
      throw new RemoteException.TransferFailed("cannot connect: " + e, s.server(), null, e);
    } catch (IOException e) {
      disconnect(ssh);
      throw new RemoteException.TransferFailed("cannot connect: " + e, s.server(), null, e);
    }
  }

  @Override
  public InputStream read(String path, long offset) throws IOException {
    net.schmizz.sshj.sftp.RemoteFile file =
        call("cannot read", path, () -> sftp.open(path, EnumSet.of(OpenMode.READ)));
    transfer = file;
    InputStream in = file.new ReadAheadRemoteFileInputStream(IN_FLIGHT, offset);
    return new FilterInputStream(in) {
      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        return call("download failed", path, () -> in.read(b, off, len));
      }

      @Override
      public void close() throws IOException {
        transfer = null;
        call("download incomplete", path, () -> closeBoth(in, file));
      }
    };
  }

  @Override
  public OutputStream write(String path, boolean append) throws IOException {
    Set<OpenMode> modes =
        append
            ? EnumSet.of(OpenMode.WRITE, OpenMode.CREAT, OpenMode.APPEND)
            : EnumSet.of(OpenMode.WRITE, OpenMode.CREAT, OpenMode.TRUNC);
    net.schmizz.sshj.sftp.RemoteFile file =
        call("cannot write", path, () -> sftp.open(path, modes));
    transfer = file;
    long start = append ? call("cannot write", path, file::length) : 0L;
    // Coalesces small stream elements into fewer, larger write requests.
    OutputStream out =
        new BufferedOutputStream(file.new RemoteFileOutputStream(start, IN_FLIGHT), WRITE_CHUNK);
    return new FilterOutputStream(out) {
      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        call(
            "upload failed",
            path,
            () -> {
              // Slices, so one large element never becomes an oversized request.
              for (int done = 0; done < len; done += WRITE_CHUNK) {
                out.write(b, off + done, Math.min(WRITE_CHUNK, len - done));
              }
              return null;
            });
      }

      @Override
      public void close() throws IOException {
        transfer = null;
        // Closing the stream waits for the server to acknowledge every write.
        call("upload incomplete", path, () -> closeBoth(out, file));
      }
    };
  }

  @Override
  public List<RemoteFile> list(String dir) throws IOException {
    List<RemoteResourceInfo> entries = call("cannot list", dir, () -> sftp.ls(dir));
    List<RemoteFile> result = new ArrayList<>(entries.size());
    for (RemoteResourceInfo e : entries) {
      String name = e.getName();
      if (name.equals(".") || name.equals("..")) continue;
      if (name.contains("/") || name.chars().anyMatch(ch -> ch < 0x20 || ch == 0x7f)) {
        log.warn("Skipping unsafe name in listing of {} on {}", dir, server);
        continue;
      }
      FileAttributes a = e.getAttributes();
      RemoteFile.Type type =
          a.getType() == FileMode.Type.REGULAR
              ? RemoteFile.Type.FILE
              : a.getType() == FileMode.Type.DIRECTORY
                  ? RemoteFile.Type.DIRECTORY
                  : RemoteFile.Type.OTHER;
      result.add(
          new RemoteFile(
              name,
              RemotePaths.child(dir, name),
              a.getSize(),
              Instant.ofEpochSecond(a.getMtime()),
              type));
    }
    return result;
  }

  @Override
  public void mkdirs(String dir) throws IOException {
    call(
        "cannot create directory",
        dir,
        () -> {
          sftp.mkdirs(dir);
          return null;
        });
  }

  @Override
  public void move(String from, String to) throws IOException {
    call(
        "cannot rename to " + to,
        from,
        () -> {
          // SFTP v3 rename refuses an existing target; replacing is remove-then-rename (not
          // atomic).
          if (sftp.statExistence(to) != null) sftp.rm(to);
          sftp.rename(from, to);
          return null;
        });
  }

  @Override
  public void remove(String path) throws IOException {
    call(
        "cannot remove",
        path,
        () -> {
          sftp.rm(path);
          return null;
        });
  }

  @Override
  public long size(String path) throws IOException {
    return call("cannot get size", path, () -> sftp.size(path));
  }

  @Override
  public void close() {
    if (transfer != null) {
      // Aborting: dropping the connection releases the remote handle; a CLOSE request on a
      // possibly dead transport could only wait for the timeout.
      transfer = null;
    } else {
      try {
        sftp.close();
      } catch (IOException | RuntimeException e) {
        log.debug("closing SFTP channel on {} failed: {}", server, e.toString());
      }
    }
    disconnect(ssh);
  }

  private static Void closeBoth(Closeable stream, Closeable file) throws IOException {
    try {
      stream.close();
    } finally {
      file.close();
    }
    return null;
  }

  private static void disconnect(SSHClient ssh) {
    try {
      ssh.disconnect();
    } catch (IOException | RuntimeException e) {
      log.debug("SSH disconnect failed: {}", e.toString());
    }
  }

  private interface IoCall<T> {
    T call() throws IOException;
  }

  /** Runs one SFTP call and maps its failure to the most specific {@link RemoteException}. */
  private <T> T call(String what, String path, IoCall<T> body) throws IOException {
    try {
      return body.call();
    } catch (RemoteException e) {
      throw e;
    } catch (SFTPException e) {
      String message = what + ": " + e.getStatusCode() + " " + e.getMessage();
      throw switch (e.getStatusCode()) {
        case NO_SUCH_FILE, NO_SUCH_PATH -> new RemoteException.NotFound(message, server, path, e);
        case PERMISSION_DENIED, WRITE_PROTECT ->
            new RemoteException.PermissionDenied(message, server, path, e);
        case OP_UNSUPPORTED,
            BAD_MESSAGE,
            INVALID_FILENAME,
            FILE_IS_A_DIRECTORY,
            NOT_A_DIRECTORY,
            NO_SPACE_ON_FILESYSTEM,
            QUOTA_EXCEEDED ->
            new RemoteException(message, server, path, false, e);
        default -> new RemoteException.TransferFailed(message, server, path, e);
      };
    } catch (IOException e) {
      throw new RemoteException.TransferFailed(what + ": " + e, server, path, e);
    } catch (RuntimeException e) {
      // sshj can throw unchecked exceptions from a transport that broke under it.
      throw new RemoteException.TransferFailed(what + ": " + e, server, path, e);
    }
  }

  private static int millis(Duration d) {
    return (int) Math.min(Integer.MAX_VALUE, d.toMillis());
  }
}
