package io.junction.ftp;

import java.io.File;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.ftpserver.FtpServer;
import org.apache.ftpserver.FtpServerFactory;
import org.apache.ftpserver.filesystem.nativefs.NativeFileSystemFactory;
import org.apache.ftpserver.filesystem.nativefs.impl.NativeFileSystemView;
import org.apache.ftpserver.filesystem.nativefs.impl.NativeFtpFile;
import org.apache.ftpserver.ftplet.Authority;
import org.apache.ftpserver.ftplet.DefaultFtplet;
import org.apache.ftpserver.ftplet.FileSystemView;
import org.apache.ftpserver.ftplet.FtpException;
import org.apache.ftpserver.ftplet.FtpFile;
import org.apache.ftpserver.ftplet.FtpRequest;
import org.apache.ftpserver.ftplet.FtpSession;
import org.apache.ftpserver.ftplet.Ftplet;
import org.apache.ftpserver.ftplet.FtpletResult;
import org.apache.ftpserver.ftplet.User;
import org.apache.ftpserver.ftplet.UserManager;
import org.apache.ftpserver.listener.Listener;
import org.apache.ftpserver.listener.ListenerFactory;
import org.apache.ftpserver.ssl.SslConfigurationFactory;
import org.apache.ftpserver.usermanager.PropertiesUserManagerFactory;
import org.apache.ftpserver.usermanager.impl.BaseUser;
import org.apache.ftpserver.usermanager.impl.ConcurrentLoginPermission;
import org.apache.ftpserver.usermanager.impl.WritePermission;

/**
 * Apache FtpServer on 127.0.0.1 and an ephemeral port for tests: user {@code alice} (writable) and
 * {@code reader} (read-only), both with password {@code secret}; optional explicit or implicit TLS;
 * it counts connections, records the commands it received, and can drop the next downloads after a
 * number of bytes or corrupt them in transit. It computes MD5 digests (FEAT lists MD5), as Apache
 * FtpServer does.
 */
final class EmbeddedFtpServer implements AutoCloseable {
  static final String USER = "alice";
  static final String READER = "reader";
  static final String PASSWORD = "secret";

  private final FtpServer server;
  private final Listener listener;
  private final Path home;
  private final AtomicInteger connections = new AtomicInteger();
  private final AtomicInteger dropsLeft = new AtomicInteger();
  private final AtomicLong dropAfter = new AtomicLong();
  private final AtomicInteger corruptionsLeft = new AtomicInteger();
  private final AtomicInteger uploadCorruptionsLeft = new AtomicInteger();
  // The command the server is executing on this thread: drops and corruption apply to RETR's data,
  // not to the file reads of MD5 (FtpServer runs a command on one thread, ftplets around it).
  private static final ThreadLocal<String> CURRENT = new ThreadLocal<>();
  private final Set<String> commands = ConcurrentHashMap.newKeySet();

  private EmbeddedFtpServer(
      Path home, String address, Path keystore, String keystorePassword, boolean implicit)
      throws Exception {
    this(home, address, 0, keystore, keystorePassword, implicit);
  }

  private EmbeddedFtpServer(
      Path home, String address, int port, Path keystore, String keystorePassword, boolean implicit)
      throws Exception {
    this.home = home;
    Files.createDirectories(home);
    FtpServerFactory factory = new FtpServerFactory();
    ListenerFactory listenerFactory = new ListenerFactory();
    listenerFactory.setServerAddress(address);
    listenerFactory.setPort(port);
    if (keystore != null) {
      SslConfigurationFactory ssl = new SslConfigurationFactory();
      ssl.setKeystoreFile(keystore.toFile());
      ssl.setKeystorePassword(keystorePassword);
      ssl.setKeyPassword(keystorePassword);
      ssl.setKeystoreType("PKCS12");
      listenerFactory.setSslConfiguration(ssl.createSslConfiguration());
      listenerFactory.setImplicitSsl(implicit);
    }
    listener = listenerFactory.createListener();
    factory.addListener("default", listener);
    UserManager users = new PropertiesUserManagerFactory().createUserManager();
    users.save(user(USER, true));
    users.save(user(READER, false));
    factory.setUserManager(users);
    factory.setFileSystem(new DroppingFileSystem());
    Map<String, Ftplet> ftplets = new HashMap<>(); // FtpServer clears it on stop
    ftplets.put(
        "counter",
        new DefaultFtplet() {
          @Override
          public FtpletResult onConnect(FtpSession session) {
            connections.incrementAndGet();
            return FtpletResult.DEFAULT;
          }

          @Override
          public FtpletResult beforeCommand(FtpSession session, FtpRequest request)
              throws FtpException, IOException {
            String command = request.getCommand().toUpperCase(java.util.Locale.ROOT);
            commands.add(command);
            CURRENT.set(command);
            return super.beforeCommand(session, request);
          }

          @Override
          public FtpletResult afterCommand(
              FtpSession session, FtpRequest request, org.apache.ftpserver.ftplet.FtpReply reply)
              throws FtpException, IOException {
            CURRENT.remove();
            return super.afterCommand(session, request, reply);
          }
        });
    factory.setFtplets(ftplets);
    server = factory.createServer();
    server.start();
  }

  static EmbeddedFtpServer plain(Path home) throws Exception {
    return new EmbeddedFtpServer(home, "127.0.0.1", null, null, false);
  }

  /** Plain FTP on another loopback address, e.g. {@code ::1}. */
  /** Plain FTP on 127.0.0.1 and {@code port}: one started again where an earlier one listened. */
  static EmbeddedFtpServer plain(Path home, int port) throws Exception {
    return new EmbeddedFtpServer(home, "127.0.0.1", port, null, null, false);
  }

  static EmbeddedFtpServer plain(Path home, String address) throws Exception {
    return new EmbeddedFtpServer(home, address, null, null, false);
  }

  static EmbeddedFtpServer explicitTls(Path home, Path keystore, String password) throws Exception {
    return new EmbeddedFtpServer(home, "127.0.0.1", keystore, password, false);
  }

  /** TLS from the first byte (FTPS implicit, RFC 4217's predecessor), no AUTH TLS. */
  static EmbeddedFtpServer implicitTls(Path home, Path keystore, String password) throws Exception {
    return new EmbeddedFtpServer(home, "127.0.0.1", keystore, password, true);
  }

  /** Every command verb received so far (upper case), e.g. {@code PORT}, {@code EPRT}. */
  Set<String> commands() {
    return Set.copyOf(commands);
  }

  private BaseUser user(String name, boolean writable) {
    BaseUser user = new BaseUser();
    user.setName(name);
    user.setPassword(PASSWORD);
    user.setHomeDirectory(home.toString());
    List<Authority> authorities = new ArrayList<>();
    authorities.add(new ConcurrentLoginPermission(50, 50));
    if (writable) authorities.add(new WritePermission());
    user.setAuthorities(authorities);
    return user;
  }

  int port() {
    return listener.getPort();
  }

  Path home() {
    return home;
  }

  int activeSessions() {
    return listener.getActiveSessions().size();
  }

  int totalConnections() {
    return connections.get();
  }

  /** The next {@code times} downloads break off with an error after {@code bytes} bytes. */
  void dropDownloads(long bytes, int times) {
    dropAfter.set(bytes);
    dropsLeft.set(times);
  }

  /** The next {@code times} uploads are stored with their first byte changed, at the full size. */
  void corruptUploads(int times) {
    uploadCorruptionsLeft.set(times);
  }

  /** The next {@code times} downloads arrive with their first byte changed, at the full size. */
  void corruptDownloads(int times) {
    corruptionsLeft.set(times);
  }

  @Override
  public void close() {
    server.stop();
  }

  /** The native file system, except that downloads can be made to fail part way. */
  private final class DroppingFileSystem extends NativeFileSystemFactory {
    @Override
    public FileSystemView createFileSystemView(User user) throws FtpException {
      return new NativeFileSystemView(user, false) {
        @Override
        public FtpFile getFile(String name) {
          NativeFtpFile file = (NativeFtpFile) super.getFile(name);
          return new DroppingFile(file.getAbsolutePath(), file.getPhysicalFile(), user);
        }
      };
    }
  }

  private final class DroppingFile extends NativeFtpFile {
    DroppingFile(String name, File file, User user) {
      super(name, file, user);
    }

    @Override
    public java.io.OutputStream createOutputStream(long offset) throws IOException {
      java.io.OutputStream out = super.createOutputStream(offset);
      if (!"STOR".equals(CURRENT.get())
          || uploadCorruptionsLeft.getAndUpdate(n -> Math.max(0, n - 1)) == 0) return out;
      return new java.io.FilterOutputStream(out) {
        private boolean changed;

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
          if (len > 0 && !changed) {
            byte[] copy = java.util.Arrays.copyOfRange(b, off, off + len);
            copy[0] ^= 0x55;
            changed = true;
            out.write(copy, 0, len);
          } else {
            out.write(b, off, len);
          }
        }
      };
    }

    @Override
    public InputStream createInputStream(long offset) throws IOException {
      InputStream in = super.createInputStream(offset);
      if (!"RETR".equals(CURRENT.get())) return in;
      if (corruptionsLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        return new FilterInputStream(in) {
          private boolean changed;

          @Override
          public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0 && !changed) {
              b[off] ^= 0x55;
              changed = true;
            }
            return n;
          }
        };
      }
      if (dropsLeft.getAndUpdate(n -> Math.max(0, n - 1)) == 0) return in;
      long limit = dropAfter.get();
      return new FilterInputStream(in) {
        private long sent;

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
          if (sent >= limit) throw new IOException("simulated connection drop");
          int n = super.read(b, off, (int) Math.min(len, limit - sent));
          if (n > 0) sent += n;
          return n;
        }
      };
    }
  }
}
