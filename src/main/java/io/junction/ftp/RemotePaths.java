package io.junction.ftp;

import java.nio.file.Path;

/**
 * Checks paths before they reach a server or the local disk.
 *
 * <p>Every remote path is {@linkplain #requireClean clean}: no NUL or control characters (a CR or
 * LF in an FTP path would inject a command). Names built from message fields go through {@link
 * #resolve}, which also refuses {@code ..} segments and absolute paths. Names that come from a
 * server go through {@link #localTarget} before becoming a local file.
 */
public final class RemotePaths {
  private RemotePaths() {}

  /** Returns {@code path} if it is non-empty and free of NUL and control characters. */
  public static String requireClean(String path) {
    if (path == null || path.isEmpty()) throw new UnsafePathException("empty path");
    for (int i = 0; i < path.length(); i++) {
      char ch = path.charAt(i);
      if (ch < 0x20 || ch == 0x7f) {
        throw new UnsafePathException(
            "path contains control character 0x"
                + Integer.toHexString(ch)
                + " at index "
                + i
                + ": "
                + printable(path));
      }
    }
    return path;
  }

  /** Returns {@code name} if it is a clean relative path without {@code ..} segments. */
  public static String requireRelative(String name) {
    requireClean(name);
    if (name.startsWith("/") || name.startsWith("\\") || name.matches("^[A-Za-z]:.*")) {
      throw new UnsafePathException("absolute path where a relative one is required: " + name);
    }
    for (String segment : name.split("[/\\\\]", -1)) {
      if (segment.equals("..")) {
        throw new UnsafePathException("'..' segment in path: " + name);
      }
    }
    return name;
  }

  /** Joins a configured base directory and a relative name built from untrusted input. */
  public static String resolve(String baseDir, String relativeName) {
    requireRelative(relativeName);
    requireClean(baseDir);
    return baseDir.endsWith("/") ? baseDir + relativeName : baseDir + "/" + relativeName;
  }

  /**
   * The local file for a remote name inside {@code dir}; refuses names that are not one plain
   * segment (separators, {@code .}, {@code ..}, control characters), so a hostile server cannot
   * make a download escape {@code dir}.
   */
  public static Path localTarget(Path dir, String remoteName) {
    requireClean(remoteName);
    if (remoteName.contains("/")
        || remoteName.contains("\\")
        || remoteName.equals(".")
        || remoteName.equals("..")
        || remoteName.contains(":")) {
      throw new UnsafePathException("unsafe remote file name: " + printable(remoteName));
    }
    Path base = dir.toAbsolutePath().normalize();
    Path target = base.resolve(remoteName).normalize();
    if (!base.equals(target.getParent())) {
      throw new UnsafePathException("remote file name escapes " + base + ": " + remoteName);
    }
    return target;
  }

  /** The last segment of a remote path ({@code "a/b.txt"} gives {@code "b.txt"}). */
  public static String fileName(String path) {
    String p = stripTrailingSlash(path);
    return p.substring(p.lastIndexOf('/') + 1);
  }

  /** The directory part of a remote path, or "" when there is none. */
  public static String parent(String path) {
    String p = stripTrailingSlash(path);
    int i = p.lastIndexOf('/');
    return i < 0 ? "" : i == 0 ? "/" : p.substring(0, i);
  }

  /** {@code dir/name}, without doubling the slash. */
  static String child(String dir, String name) {
    if (dir.isEmpty() || dir.equals(".")) return name;
    return dir.endsWith("/") ? dir + name : dir + "/" + name;
  }

  private static String stripTrailingSlash(String p) {
    return p.length() > 1 && p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
  }

  private static String printable(String s) {
    StringBuilder sb = new StringBuilder();
    for (char ch : s.toCharArray()) {
      if (ch < 0x20 || ch == 0x7f) sb.append(String.format("\\x%02x", (int) ch));
      else sb.append(ch);
    }
    return sb.toString();
  }
}
