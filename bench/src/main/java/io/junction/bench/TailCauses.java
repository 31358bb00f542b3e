package io.junction.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the slowest 1% of a paced load's messages were in flight with: lines up the samples {@code
 * QueueBench --trace} kept (arrival and latency of each message at or over the p99) with the stops
 * of the node's JVM and of the client's (their {@code -Xlog:safepoint} files, decorated with {@code
 * timemillis}) and with the database's slow statements (PostgreSQL's log, {@code
 * log_min_duration_statement}) and with the client's hiccups (its wake-ups 2 ms or more late, in the
 * trace file), and prints one {@code TAIL} line: how many of those messages had a node stop, a
 * client stop, a slow statement or a client hiccup overlap their time in flight, and how many had
 * none.
 *
 * <p>A message in flight for 10 ms overlaps a stop by chance too when stops are frequent, so each
 * share is printed beside a control: the same messages' windows moved 250 ms earlier and later. A
 * cause is only a cause where its share is well above its control.
 *
 * <pre>
 * java -cp bench.jar io.junction.bench.TailCauses --trace tail.txt --node-gc gc-node.log \
 *     --client-gc client-gc.log [--db-log postgres-server.log] [--min-stop-ms 1] [--label L]
 * </pre>
 */
public final class TailCauses {
  private static final Pattern SAFEPOINT =
      Pattern.compile("\\[(\\d+)ms\\].*Safepoint \".*Total: (\\d+) ns");
  // log_line_prefix '%m [%p] ': "2026-11-27 08:10:00.123 UTC [1234] LOG:  duration: 25.1 ms  ..."
  private static final Pattern STATEMENT =
      Pattern.compile(
          "^(\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3} \\S+) .*duration: ([0-9.]+) ms");
  private static final DateTimeFormatter DB_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS z", Locale.ROOT);
  private static final long CONTROL_SHIFT_US = 250_000;

  private TailCauses() {}

  /** An interval in epoch microseconds. */
  record Span(long from, long to) {
    boolean overlaps(long a, long b) {
      return from < b && to > a;
    }
  }

  public static void main(String[] argv) throws IOException {
    Args a = new Args(argv, "trace", "node-gc", "client-gc", "db-log", "min-stop-ms", "label");
    long minStopUs = (long) (Double.parseDouble(a.get("min-stop-ms", "1")) * 1000);
    List<long[]> slow = new ArrayList<>();
    String header = "";
    List<Span> hiccups = new ArrayList<>();
    for (String line : Files.readAllLines(Path.of(a.get("trace", "")))) {
      if (line.startsWith("#")) header = line.substring(1).trim();
      else if (line.startsWith("h ")) {
        String[] f = line.split(" ");
        hiccups.add(new Span(Long.parseLong(f[1]), Long.parseLong(f[2])));
      } else if (!line.isBlank()) {
        String[] f = line.trim().split(" ");
        long arrival = Long.parseLong(f[0]);
        slow.add(new long[] {arrival - Long.parseLong(f[1]), arrival});
      }
    }
    List<Span> node = stops(a.get("node-gc", ""), minStopUs);
    List<Span> client = stops(a.get("client-gc", ""), minStopUs);
    List<Span> db = statements(a.get("db-log", ""));
    int none = 0;
    for (long[] m : slow)
      if (!hit(node, m, 0) && !hit(client, m, 0) && !hit(db, m, 0) && !hit(hiccups, m, 0)) none++;
    System.out.printf(
        Locale.ROOT,
        "TAIL label=%s %s: %d messages in flight with: a node stop >= %s ms %s, a client stop %s,"
            + " a slow db statement %s, a client hiccup >= 2 ms %s, none of these %s%n",
        a.get("label", "?"),
        header,
        slow.size(),
        a.get("min-stop-ms", "1"),
        a.get("node-gc", "").isEmpty() ? "n/a" : share(node, slow),
        share(client, slow),
        a.get("db-log", "").isEmpty() ? "n/a" : share(db, slow),
        share(hiccups, slow),
        percent(none, slow.size()));
  }

  /** "N (P%, control C%)": messages overlapping a span, and the same with windows moved. */
  private static String share(List<Span> spans, List<long[]> slow) {
    int hits = 0, control = 0;
    for (long[] m : slow) {
      if (hit(spans, m, 0)) hits++;
      if (hit(spans, m, -CONTROL_SHIFT_US)) control++;
      if (hit(spans, m, CONTROL_SHIFT_US)) control++;
    }
    return String.format(
        Locale.ROOT,
        "%d (%s, control %s)",
        hits,
        percent(hits, slow.size()),
        percent(control, 2L * slow.size()));
  }

  private static boolean hit(List<Span> spans, long[] m, long shift) {
    for (Span s : spans) if (s.overlaps(m[0] + shift, m[1] + shift)) return true;
    return false;
  }

  private static String percent(long n, long of) {
    return of == 0 ? "n/a" : String.format(Locale.ROOT, "%.0f%%", 100.0 * n / of);
  }

  /** Safepoints of at least {@code minUs}: the log line is written as the stop ends. */
  private static List<Span> stops(String file, long minUs) throws IOException {
    List<Span> spans = new ArrayList<>();
    if (file.isEmpty() || !Files.exists(Path.of(file))) return spans;
    for (String line : Files.readAllLines(Path.of(file))) {
      Matcher m = SAFEPOINT.matcher(line);
      if (!m.find()) continue;
      long end = Long.parseLong(m.group(1)) * 1000;
      long us = Long.parseLong(m.group(2)) / 1000;
      if (us >= minUs) spans.add(new Span(end - us, end));
    }
    return spans;
  }

  /** Statements the database logged with their duration: the line is written as one ends. */
  private static List<Span> statements(String file) throws IOException {
    List<Span> spans = new ArrayList<>();
    if (file.isEmpty() || !Files.exists(Path.of(file))) return spans;
    for (String line : Files.readAllLines(Path.of(file))) {
      Matcher m = STATEMENT.matcher(line);
      if (!m.find()) continue;
      long end =
          ZonedDateTime.parse(m.group(1), DB_TIME).toInstant().toEpochMilli() * 1000;
      long us = (long) (Double.parseDouble(m.group(2)) * 1000);
      spans.add(new Span(end - us, end));
    }
    return spans;
  }
}
