package io.junction.ftp;

import java.io.IOException;

/**
 * A remote file operation failed; the message names the server ({@code host:port}, never a
 * password) and the remote path. Subclasses say why; {@link #isRetryable()} says whether trying
 * again can help (a dropped connection can, wrong credentials cannot).
 */
public class RemoteException extends IOException {
  private static final long serialVersionUID = 1L;

  private final String server;
  private final String path;
  private final boolean retryable;

  RemoteException(String what, String server, String path, boolean retryable, Throwable cause) {
    super(what + " (server " + server + (path == null ? "" : ", path " + path) + ")", cause);
    this.server = server;
    this.path = path;
    this.retryable = retryable;
  }

  /** {@code host:port} of the server that failed. */
  public String server() {
    return server;
  }

  /** The remote path involved, or null for connection-level failures. */
  public String path() {
    return path;
  }

  public boolean isRetryable() {
    return retryable;
  }

  /** The server refused the username, password or key; never retried. */
  public static final class AuthenticationFailed extends RemoteException {
    private static final long serialVersionUID = 1L;

    AuthenticationFailed(String what, String server, Throwable cause) {
      super(what, server, null, false, cause);
    }
  }

  /** The server's host key or certificate could not be verified; never retried. */
  public static final class HostNotTrusted extends RemoteException {
    private static final long serialVersionUID = 1L;

    HostNotTrusted(String what, String server, Throwable cause) {
      super(what, server, null, false, cause);
    }
  }

  /** The file or directory does not exist. */
  public static final class NotFound extends RemoteException {
    private static final long serialVersionUID = 1L;

    NotFound(String what, String server, String path, Throwable cause) {
      super(what, server, path, false, cause);
    }
  }

  /** The server refused the operation on this path for this account. */
  public static final class PermissionDenied extends RemoteException {
    private static final long serialVersionUID = 1L;

    PermissionDenied(String what, String server, String path, Throwable cause) {
      super(what, server, path, false, cause);
    }
  }

  /**
   * The connection or transfer broke (timeout, dropped connection, transient server error,
   * incomplete transfer); trying again may succeed.
   */
  public static final class TransferFailed extends RemoteException {
    private static final long serialVersionUID = 1L;

    TransferFailed(String what, String server, String path, Throwable cause) {
      super(what, server, path, true, cause);
    }
  }
}
