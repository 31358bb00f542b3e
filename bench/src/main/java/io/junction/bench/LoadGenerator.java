package io.junction.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

/**
 * Pipelined load generator for length-prefixed echo servers. For each connection count C it
 * keeps {@code inflight} frames in flight in total ({@code inflight / C} per connection, at least
 * one), warms up, measures, then drains so every frame sent is accounted for. One selector
 * thread drives all connections, to take as little CPU from the server as possible.
 *
 * <p>Prints one {@code RESULT key=value ...} line per run (parsed by tcp-echo.sh). Exit code 1 if
 * any run saw a wrong, missing or reordered echo.
 */
public final class LoadGenerator {
  private LoadGenerator() {}

  public static void main(String[] argv) throws IOException {
    Args args = new Args(argv, "target", "connections", "inflight", "size", "warmup", "duration",
        "drain-timeout", "label");
    InetSocketAddress target = Args.hostPort(args.get("target", "127.0.0.1:7002"));
    String label = args.get("label", "target");
    int inflight = args.getInt("inflight", 64);
    Payloads payloads = new Payloads(args.getInt("size", 1024));
    long warmupNs = args.getLong("warmup", 5) * 1_000_000_000L;
    long durationNs = args.getLong("duration", 10) * 1_000_000_000L;
    long drainNs = args.getLong("drain-timeout", 5) * 1_000_000_000L;
    boolean failed = false;
    for (String c : args.get("connections", "1,16").split(",")) {
      int conns = Integer.parseInt(c.trim());
      int window = Math.max(1, inflight / conns);
      try {
        LoadConnection.Stats stats = new LoadConnection.Stats();
        double seconds = run(target, conns, window, payloads, stats, warmupNs, durationNs, drainNs);
        System.out.println(result(label, target, conns, window, payloads.size(), stats, seconds, "ok"));
      } catch (IOException | RuntimeException e) {
        failed = true;
        System.out.println(result(label, target, conns, window, payloads.size(), new LoadConnection.Stats(), 0,
            "FAILED: " + e.getMessage()));
      }
      System.out.flush();
    }
    System.exit(failed ? 1 : 0);
  }

  private static double run(InetSocketAddress target, int conns, int window, Payloads payloads,
      LoadConnection.Stats stats, long warmupNs, long durationNs, long drainNs) throws IOException {
    List<SocketChannel> channels = new ArrayList<>();
    try (Selector selector = Selector.open()) {
      List<LoadConnection> all = new ArrayList<>();
      for (int i = 0; i < conns; i++) {
        SocketChannel ch = SocketChannel.open();
        channels.add(ch);
        ch.socket().connect(target, 5000);
        ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
        ch.configureBlocking(false);
        LoadConnection lc = new LoadConnection(i, ch, window, payloads, stats);
        all.add(lc);
        lc.fill(ch.register(selector, SelectionKey.OP_READ, lc));
      }
      long start = System.nanoTime();
      long measureFrom = start + warmupNs;
      long measureTo = measureFrom + durationNs;
      loop(selector, () -> System.nanoTime() >= measureFrom);
      stats.reset();
      stats.measuring = true;
      long began = System.nanoTime();
      loop(selector, () -> System.nanoTime() >= measureTo);
      long elapsed = System.nanoTime() - began;
      stats.measuring = false;
      all.forEach(LoadConnection::stopSending);
      long drainTo = System.nanoTime() + drainNs;
      loop(selector, () -> outstanding(all) == 0 || System.nanoTime() >= drainTo);
      long lost = outstanding(all);
      if (lost > 0) {
        throw new IOException(lost + " frames never echoed within the drain timeout");
      }
      return elapsed / 1e9;
    } finally {
      for (SocketChannel ch : channels) {
        ch.close();
      }
    }
  }

  private static long outstanding(List<LoadConnection> all) {
    long sum = 0;
    for (LoadConnection lc : all) {
      sum += lc.outstanding();
    }
    return sum;
  }

  private static void loop(Selector selector, java.util.function.BooleanSupplier done) throws IOException {
    while (!done.getAsBoolean()) {
      selector.select(50); // short timeout so phase ends are noticed even if the target stalls
      Iterator<SelectionKey> it = selector.selectedKeys().iterator();
      while (it.hasNext()) {
        SelectionKey key = it.next();
        it.remove();
        LoadConnection lc = (LoadConnection) key.attachment();
        if (key.isReadable()) {
          lc.onReadable(key);
        } else if (key.isWritable()) {
          lc.fill(key);
        }
      }
    }
  }

  private static String result(String label, InetSocketAddress target, int conns, int window, int size,
      LoadConnection.Stats s, double seconds, String status) {
    double fps = seconds > 0 ? s.frames / seconds : 0;
    return String.format(Locale.ROOT,
        "RESULT label=%s target=%s:%d connections=%d window=%d inflight=%d size=%d frames=%d seconds=%.2f"
            + " frames_per_s=%.0f mb_per_s=%.2f p50_us=%.1f p99_us=%.1f p999_us=%.1f max_us=%.1f status=%s",
        label, target.getHostString(), target.getPort(), conns, window, window * conns, size, s.frames, seconds,
        fps, fps * size / 1e6, s.latency.percentile(0.50) / 1e3, s.latency.percentile(0.99) / 1e3,
        s.latency.percentile(0.999) / 1e3, s.latency.max() / 1e3, status.replace(' ', '_'));
  }
}
