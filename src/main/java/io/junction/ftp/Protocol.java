package io.junction.ftp;

/** The file transfer protocols Junction speaks, each with its well-known port. */
public enum Protocol {
  /** Plain FTP: credentials and data travel in clear text; for trusted networks only. */
  FTP(21),
  /** FTP upgraded to TLS with AUTH TLS on the control port before login (RFC 4217). */
  FTPS_EXPLICIT(21),
  /** FTP over a TLS connection from the first byte (legacy, port 990). */
  FTPS_IMPLICIT(990),
  /** SSH File Transfer Protocol (SFTP version 3 over SSH 2). */
  SFTP(22);

  private final int defaultPort;

  Protocol(int defaultPort) {
    this.defaultPort = defaultPort;
  }

  public int defaultPort() {
    return defaultPort;
  }

  public boolean isTls() {
    return this == FTPS_EXPLICIT || this == FTPS_IMPLICIT;
  }

  /** The config spelling: {@code ftp}, {@code ftps}, {@code ftps-implicit} or {@code sftp}. */
  public String configName() {
    return switch (this) {
      case FTP -> "ftp";
      case FTPS_EXPLICIT -> "ftps";
      case FTPS_IMPLICIT -> "ftps-implicit";
      case SFTP -> "sftp";
    };
  }

  /** Parses the config spelling; throws {@link IllegalArgumentException} naming the choices. */
  public static Protocol fromConfigName(String name) {
    for (Protocol p : values()) {
      if (p.configName().equalsIgnoreCase(name)) return p;
    }
    throw new IllegalArgumentException(
        "unknown protocol '" + name + "' (expected ftp, ftps, ftps-implicit or sftp)");
  }
}
