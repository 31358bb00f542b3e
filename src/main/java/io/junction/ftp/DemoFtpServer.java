package io.junction.ftp;

import com.typesafe.config.Config;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.ftpserver.FtpServer;
import org.apache.ftpserver.FtpServerFactory;
import org.apache.ftpserver.ftplet.FtpException;
import org.apache.ftpserver.ftplet.UserManager;
import org.apache.ftpserver.listener.Listener;
import org.apache.ftpserver.listener.ListenerFactory;
import org.apache.ftpserver.usermanager.PropertiesUserManagerFactory;
import org.apache.ftpserver.usermanager.impl.BaseUser;
import org.apache.ftpserver.usermanager.impl.WritePermission;

/**
 * The demo FTP server (embedded Apache FtpServer): one writable account on one plain-FTP port, a
 * development convenience so the demo config can archive files without external services. Not for
 * production: plain FTP sends the password in clear text.
 *
 * <p>{@link #start} and {@link #stop} block briefly (bind, unbind): call them on {@code
 * junction.blocking-io-dispatcher} or at startup.
 */
public final class DemoFtpServer {

  /** Settings of {@code junction.demo-ftp} (see junction-ftp.conf). */
  public record Settings(
      boolean enabled, String host, int port, String user, String password, Path home) {
    public Settings {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("junction.demo-ftp.port out of range: " + port);
      }
      if (user == null || user.isEmpty()) {
        throw new IllegalArgumentException("junction.demo-ftp.user must not be empty");
      }
    }

    /** Reads {@code junction.demo-ftp} from the node's config. */
    public static Settings fromConfig(Config config) {
      Config c = config.getConfig("junction.demo-ftp");
      return new Settings(
          c.getBoolean("enabled"),
          c.getString("host"),
          c.getInt("port"),
          c.getString("user"),
          c.getString("password"),
          Path.of(c.getString("home")));
    }

    @Override
    public String toString() {
      return "Settings[enabled="
          + enabled
          + ", host="
          + host
          + ", port="
          + port
          + ", user="
          + user
          + ", password=******, home="
          + home
          + "]";
    }
  }

  private final FtpServer server;
  private final Listener listener;

  private DemoFtpServer(FtpServer server, Listener listener) {
    this.server = server;
    this.listener = listener;
  }

  /** Creates the home directory if missing and starts listening; port 0 picks a free port. */
  public static DemoFtpServer start(Settings settings) throws IOException {
    Files.createDirectories(settings.home());
    FtpServerFactory factory = new FtpServerFactory();
    ListenerFactory listenerFactory = new ListenerFactory();
    listenerFactory.setServerAddress(settings.host());
    listenerFactory.setPort(settings.port());
    Listener listener = listenerFactory.createListener();
    factory.addListener("default", listener);
    UserManager users = new PropertiesUserManagerFactory().createUserManager();
    BaseUser user = new BaseUser();
    user.setName(settings.user());
    user.setPassword(settings.password());
    user.setHomeDirectory(settings.home().toAbsolutePath().toString());
    user.setAuthorities(new ArrayList<>(List.of(new WritePermission())));
    try {
      users.save(user);
      factory.setUserManager(users);
      FtpServer server = factory.createServer();
      server.start();
      return new DemoFtpServer(server, listener);
    } catch (FtpException e) {
      throw new IOException(
          "cannot start demo FTP server on "
              + settings.host()
              + ":"
              + settings.port()
              + ": "
              + e.getMessage(),
          e);
    }
  }

  /** The port actually listened on. */
  public int port() {
    return listener.getPort();
  }

  public boolean isStopped() {
    return server.isStopped();
  }

  /** Stops listening and closes every session. */
  public void stop() {
    server.stop();
  }
}
