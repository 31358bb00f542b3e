# Turns the RESULT/IDLE lines of tcp-echo.sh into a side-by-side table.
# Variables: raw (baseline label), tgt (target label).
function kv(line, key,    m) {
  if (match(line, " " key "=[^ ]*")) return substr(line, RSTART + length(key) + 2, RLENGTH - length(key) - 2)
  return ""
}
function ratio(a, b) { return (b + 0 > 0 && a != "") ? sprintf("%.2f", a / b) : "-" }
/^RESULT / {
  l = kv($0, "label"); c = kv($0, "connections")
  if (!(c in seen)) { order[++n] = c; seen[c] = 1 }
  k = ++rounds[l, c]
  row[l, c, k] = $0
  win[c] = kv($0, "window")
}
/^IDLE / { idle[kv($0, "label")] = $0 }
# Median round by frames/s, so one round disturbed by a neighbour does not decide the table.
function pick(l, c,    k, m, i, j, t, v) {
  m = rounds[l, c]
  for (i = 1; i <= m; i++) v[i] = kv(row[l, c, i], "frames_per_s") + 0
  for (i = 2; i <= m; i++) for (j = i; j > 1 && v[j - 1] > v[j]; j--) { t = v[j]; v[j] = v[j - 1]; v[j - 1] = t }
  for (i = 1; i <= m; i++) if (kv(row[l, c, i], "frames_per_s") + 0 == v[int((m + 1) / 2)]) return row[l, c, i]
}
END {
  for (key in rounds) {
    split(key, parts, SUBSEP); l = parts[1]; c = parts[2]; r = pick(l, c)
    fps[l, c] = kv(r, "frames_per_s"); mbs[l, c] = kv(r, "mb_per_s")
    p50[l, c] = kv(r, "p50_us"); p99[l, c] = kv(r, "p99_us"); st[l, c] = kv(r, "status")
    if (rounds[l, c] > 1) {
      lo = ""; hi = ""
      for (i = 1; i <= rounds[l, c]; i++) {
        f = kv(row[l, c, i], "frames_per_s") + 0
        if (lo == "" || f < lo) lo = f
        if (hi == "" || f > hi) hi = f
      }
      st[l, c] = st[l, c] " (median of " rounds[l, c] "; frames/s " lo ".." hi ")"
    }
  }
  printf "%-6s %-10s %12s %10s %10s %10s  %s\n", "conns", "target", "frames/s", "MB/s", "p50 us", "p99 us", "status"
  for (i = 1; i <= n; i++) {
    c = order[i]
    for (j = 1; j <= 2; j++) {
      l = (j == 1) ? raw : tgt
      if ((l, c) in fps)
        printf "%-6s %-10s %12s %10s %10s %10s  %s\n", c, l, fps[l, c], mbs[l, c], p50[l, c], p99[l, c], st[l, c]
    }
    if ((tgt, c) in fps)
      printf "%-6s %-10s %12s %10s %10s %10s\n", c, tgt "/" raw, ratio(fps[tgt, c], fps[raw, c]),
        ratio(mbs[tgt, c], mbs[raw, c]), ratio(p50[tgt, c], p50[raw, c]), ratio(p99[tgt, c], p99[raw, c])
  }
  print "(frames/s and MB/s: echoed payload per second, higher is better; p50/p99: round trip, lower is better;"
  print " window = frames in flight per connection: 64/connections)"
  if (length(idle) == 0) exit
  print ""
  printf "%-10s %8s %8s %14s %14s %22s %22s\n", "idle", "opened", "alive", "heap B/conn", "RSS B/conn", "heap KiB before>after", "RSS KiB before>after"
  for (j = 1; j <= 2; j++) {
    l = (j == 1) ? raw : tgt
    if (!(l in idle)) continue
    s = idle[l]
    printf "%-10s %8s %8s %14s %14s %22s %22s\n", l, kv(s, "opened"), kv(s, "alive"), kv(s, "heap_per_conn_b"),
      kv(s, "rss_per_conn_b"), kv(s, "heap_before_kb") ">" kv(s, "heap_after_kb"), kv(s, "rss_before_kb") ">" kv(s, "rss_after_kb")
    e = kv(s, "open_error"); if (e != "none") print "  " l ": stopped opening: " e
  }
  print "(heap = used after a forced full GC; per-connection = (after - before) / alive connections)"
}
