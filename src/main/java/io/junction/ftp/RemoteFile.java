package io.junction.ftp;

import java.time.Instant;

/**
 * One directory entry on a remote server: its bare name, its full remote path, size in bytes, last
 * modification time ({@link Instant#EPOCH} when the server does not say) and type.
 */
public record RemoteFile(String name, String path, long size, Instant modified, Type type) {

  /** What a directory entry is; symbolic links and devices are {@link #OTHER}. */
  public enum Type {
    FILE,
    DIRECTORY,
    OTHER
  }

  public boolean isFile() {
    return type == Type.FILE;
  }

  public boolean isDirectory() {
    return type == Type.DIRECTORY;
  }
}
