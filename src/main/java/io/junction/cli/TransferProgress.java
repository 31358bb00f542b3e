package io.junction.cli;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * Counts the bytes of one transfer. On a terminal it redraws a progress bar (bytes, rate, ETA) at
 * most five times a second; otherwise it stays quiet until the one summary line at the end. Updated
 * only from the one thread that carries the bytes at a time.
 */
final class TransferProgress {
  private static final long REDRAW_NANOS = 200_000_000L;
  private final String label;
  private volatile long total; // -1 when unknown
  private final boolean terminal;
  private final PrintWriter err;
  private final long start = System.nanoTime();
  private volatile long bytes; // read by the CLI thread after the stream completed
  private long lastDraw;

  TransferProgress(String label, long total, boolean terminal, PrintWriter err) {
    this.label = label;
    this.total = total;
    this.terminal = terminal;
    this.err = err;
  }

  /**
   * A (resumed) download attempt starts: the file has {@code total} bytes, {@code done} of them are
   * already here.
   */
  void restart(long total, long done) {
    this.total = total;
    this.bytes = done;
  }

  /** Counts {@code n} more bytes transferred and redraws the bar now and then. */
  void add(long n) {
    bytes += n;
    long now = System.nanoTime();
    if (terminal && now - lastDraw > REDRAW_NANOS) {
      lastDraw = now;
      err.print("\r" + bar(now));
      err.flush();
    }
  }

  private String bar(long now) {
    double seconds = Math.max(1e-3, (now - start) / 1e9);
    double rate = bytes / seconds;
    StringBuilder sb = new StringBuilder(label).append(' ');
    if (total > 0) {
      int filled = (int) Math.min(30, 30 * bytes / total);
      sb.append('[').append("#".repeat(filled)).append(" ".repeat(30 - filled)).append("] ");
      sb.append(String.format(Locale.ROOT, "%3d%% ", 100 * bytes / total));
    }
    sb.append(size(bytes));
    if (total > 0) sb.append(" / ").append(size(total));
    sb.append("  ").append(size((long) rate)).append("/s");
    if (total > 0 && rate > 0) {
      long eta = (long) ((total - bytes) / rate);
      sb.append(String.format(Locale.ROOT, "  ETA %d:%02d", eta / 60, eta % 60));
    }
    return sb.toString();
  }

  /** The final line: the bar completed on a terminal, or one summary line. */
  String summary() {
    double seconds = Math.max(1e-3, (System.nanoTime() - start) / 1e9);
    if (terminal) {
      err.println("\r" + bar(System.nanoTime()));
      err.flush();
    }
    return String.format(
        Locale.ROOT,
        "%s: %d bytes (%s) in %.2f s, %s/s",
        label,
        bytes,
        size(bytes),
        seconds,
        size((long) (bytes / seconds)));
  }

  static String size(long n) {
    if (n < 1024) return n + " B";
    if (n < 1024 * 1024) return String.format(Locale.ROOT, "%.1f KiB", n / 1024.0);
    if (n < 1024L * 1024 * 1024) return String.format(Locale.ROOT, "%.1f MiB", n / 1048576.0);
    return String.format(Locale.ROOT, "%.2f GiB", n / 1073741824.0);
  }
}
