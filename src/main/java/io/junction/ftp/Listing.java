package io.junction.ftp;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * A cursor over a remote directory, optionally recursive (depth first), holding at most one
 * directory's entries in memory; the resource behind {@code Ftp.ls}.
 */
final class Listing implements AutoCloseable {
  private final RemoteSession session;
  private final boolean recursive;
  private final Deque<String> pendingDirs = new ArrayDeque<>();
  private final Deque<RemoteFile> entries = new ArrayDeque<>();
  private final Set<String> visited = new HashSet<>();

  private Listing(RemoteSession session, String dir, boolean recursive) {
    this.session = session;
    this.recursive = recursive;
    pendingDirs.push(dir);
  }

  static Listing open(RemoteSettings settings, String dir, boolean recursive) throws IOException {
    return new Listing(RemoteSession.open(settings), dir, recursive);
  }

  /** The next entry, listing the next directory when the current one is used up. */
  Optional<RemoteFile> next() throws IOException {
    while (entries.isEmpty()) {
      if (pendingDirs.isEmpty()) return Optional.empty();
      String dir = pendingDirs.pop();
      // A server can show a link loop as a directory; never list the same path twice.
      if (!visited.add(dir)) continue;
      entries.addAll(session.list(dir));
    }
    RemoteFile next = entries.poll();
    if (recursive && next.isDirectory()) pendingDirs.push(next.path());
    return Optional.of(next);
  }

  @Override
  public void close() {
    session.close();
  }
}
