package io.junction.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Opens N idle connections to a target, holds them, and reports what they cost the target
 * process: RSS and heap used after a full GC, before and after, per connection. Prints one
 * {@code IDLE key=value ...} line. Connections that the target closed (an idle timeout, say) are
 * counted and excluded from the per-connection figures.
 *
 * <pre>
 * java -cp junction-bench.jar io.junction.bench.IdleConnections --target 127.0.0.1:7002 --pid 1234
 * </pre>
 */
public final class IdleConnections {
  private IdleConnections() {}

  public static void main(String[] argv) throws Exception {
    Args args = new Args(argv, "target", "pid", "count", "settle", "hold", "connect-budget", "label");
    InetSocketAddress target = Args.hostPort(args.get("target", "127.0.0.1:7002"));
    long pid = args.getLong("pid", -1);
    int count = args.getInt("count", 10_000);
    long settleMs = args.getLong("settle", 2) * 1000;
    long holdMs = args.getLong("hold", 0) * 1000;
    long budgetMs = args.getLong("connect-budget", 120) * 1000;
    String label = args.get("label", "target");
    if (pid <= 0) {
      throw new IllegalArgumentException("--pid of the target process is required");
    }
    TargetProbe probe = new TargetProbe(pid);
    warnAboutLimits(probe, count);

    long heapBefore = probe.heapUsedAfterGcKb();
    long rssBefore = probe.rssKb();
    long fdsBefore = probe.openFds();
    List<SocketChannel> channels = new ArrayList<>(count);
    try {
      String openError = open(target, count, budgetMs, channels);
      awaitAccepted(probe, fdsBefore + channels.size(), 30_000);
      Thread.sleep(settleMs + holdMs); // let the target finish per-connection setup (actors, buffers)
      int aliveBefore = alive(channels);
      long heapAfter = probe.heapUsedAfterGcKb();
      long rssAfter = probe.rssKb();
      long fdDelta = probe.openFds() - fdsBefore;
      int alive = Math.min(aliveBefore, alive(channels));
      System.out.println(String.format(Locale.ROOT,
          "IDLE label=%s target=%s:%d pid=%d requested=%d opened=%d alive=%d fd_delta=%d rss_before_kb=%d"
              + " rss_after_kb=%d heap_before_kb=%d heap_after_kb=%d rss_per_conn_b=%s heap_per_conn_b=%s open_error=%s",
          label, target.getHostString(), target.getPort(), pid, count, channels.size(), alive, fdDelta,
          rssBefore, rssAfter, heapBefore, heapAfter, perConn(rssAfter - rssBefore, alive),
          perConn(heapAfter - heapBefore, alive), openError == null ? "none" : openError.replace(' ', '_')));
    } finally {
      for (SocketChannel ch : channels) {
        ch.close();
      }
    }
  }

  /** Opens up to count connections within the time budget; returns the first error, if any. */
  private static String open(InetSocketAddress target, int count, long budgetMs, List<SocketChannel> into) {
    long deadline = System.currentTimeMillis() + budgetMs;
    for (int i = 0; i < count; i++) {
      if (System.currentTimeMillis() > deadline) {
        return "connect budget of " + budgetMs / 1000 + " s exhausted";
      }
      SocketChannel ch = null;
      try {
        ch = SocketChannel.open();
        ch.socket().connect(target, 5000);
        ch.configureBlocking(false);
        into.add(ch);
      } catch (IOException e) {
        closeQuietly(ch);
        System.err.println("IdleConnections: stopped after " + into.size() + " connections: " + e);
        return e.getClass().getSimpleName() + ":" + e.getMessage();
      }
    }
    return null;
  }

  private static void closeQuietly(SocketChannel ch) {
    if (ch != null) {
      try {
        ch.close();
      } catch (IOException ignored) {
        // nothing more to release
      }
    }
  }

  /** Waits (bounded) until the target holds one descriptor per connection we opened. */
  private static void awaitAccepted(TargetProbe probe, long fds, long timeoutMs) throws Exception {
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (probe.openFds() < fds && System.currentTimeMillis() < deadline) {
      Thread.sleep(100);
    }
    if (probe.openFds() < fds) {
      System.err.println("IdleConnections: target holds " + probe.openFds() + " fds, expected >= " + fds
          + " (not all accepted yet, or it closed some)");
    }
  }

  /** Non-blocking probe of every connection: -1 or an error means the target closed it. */
  private static int alive(List<SocketChannel> channels) {
    ByteBuffer one = ByteBuffer.allocate(1);
    int alive = 0;
    for (SocketChannel ch : channels) {
      try {
        one.clear();
        if (ch.read(one) >= 0) {
          alive++;
        }
      } catch (IOException e) {
        // reset by the target: not alive
      }
    }
    return alive;
  }

  private static String perConn(long deltaKb, int conns) {
    return conns == 0 ? "n/a" : Long.toString(deltaKb * 1024 / conns);
  }

  private static void warnAboutLimits(TargetProbe probe, int count) throws IOException {
    var os = ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof com.sun.management.UnixOperatingSystemMXBean unix && unix.getMaxFileDescriptorCount() < count + 64) {
      System.err.println("IdleConnections: WARNING this process may open only " + unix.getMaxFileDescriptorCount()
          + " files; run 'ulimit -n " + (count + 1024) + "' first");
    }
    if (probe.maxOpenFiles() < count + 64) {
      System.err.println("IdleConnections: WARNING the target may open only " + probe.maxOpenFiles()
          + " files; start it under a higher 'ulimit -n'");
    }
    Path range = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
    if (Files.isReadable(range)) {
      // readString trusts the reported size, which is 0 on procfs; readAllLines streams.
      String[] r = Files.readAllLines(range).get(0).trim().split("\\s+");
      int ports = Integer.parseInt(r[1]) - Integer.parseInt(r[0]) + 1;
      if (ports < count) {
        System.err.println("IdleConnections: WARNING only " + ports + " ephemeral ports (" + range + ")");
      }
    }
  }
}
