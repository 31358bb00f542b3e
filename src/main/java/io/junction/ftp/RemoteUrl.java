package io.junction.ftp;

import java.net.URI;
import java.net.URISyntaxException;

/**
 * A parsed {@code ftp://user@host:port/path}, {@code ftps://...} (explicit TLS), {@code
 * ftps+implicit://...} or {@code sftp://...} URL: settings with defaults, and the remote path.
 *
 * <p>A password in the URL is refused (it would show in shell history and process lists): add it
 * with {@link RemoteSettings#withPassword}. The path is used as written, percent-decoded; {@code
 * ftp://host/} gives {@code "/"}.
 */
public record RemoteUrl(RemoteSettings settings, String path) {

  public static RemoteUrl parse(String url) {
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("not a valid URL: " + e.getReason());
    }
    if (uri.getScheme() == null || uri.getHost() == null) {
      throw new IllegalArgumentException(
          "expected ftp://, ftps://, ftps+implicit:// or sftp://user@host[:port]/path");
    }
    Protocol protocol =
        switch (uri.getScheme().toLowerCase(java.util.Locale.ROOT)) {
          case "ftp" -> Protocol.FTP;
          case "ftps", "ftpes" -> Protocol.FTPS_EXPLICIT;
          case "ftps+implicit" -> Protocol.FTPS_IMPLICIT;
          case "sftp" -> Protocol.SFTP;
          default -> throw new IllegalArgumentException("unsupported scheme: " + uri.getScheme());
        };
    String userInfo = uri.getUserInfo();
    if (userInfo != null && userInfo.contains(":")) {
      throw new IllegalArgumentException(
          "passwords in URLs are not accepted; give the password by environment variable or file");
    }
    String user = userInfo == null || userInfo.isEmpty() ? "anonymous" : userInfo;
    String path = uri.getPath() == null || uri.getPath().isEmpty() ? "/" : uri.getPath();
    RemotePaths.requireClean(path);
    int port = uri.getPort() < 0 ? 0 : uri.getPort();
    return new RemoteUrl(RemoteSettings.of(protocol, uri.getHost(), port, user), path);
  }
}
