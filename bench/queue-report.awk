# Table and Junction/RabbitMQ (and, when it ran, Junction/NATS) ratios from queue-bench.sh's
# RESULT lines. The baselines (rabbitmq, nats) get no ratio row of their own.
function field(line, key) {
  if (match(line, " " key "=[^ ]*")) return substr(line, RSTART + length(key) + 2, RLENGTH - length(key) - 2)
  return ""
}
function ms(us) { return sprintf("%.1f", us / 1000) }
# One block of ratios against baseline b (a label) in round R, for every label that is no baseline.
function ratios(R, b, title,    i, j, x, k, q, kr, qr, line) {
  print ""
  print title
  for (i = 1; i <= nl; i++) {
    if (labels[i] == "rabbitmq" || labels[i] == "nats") continue
    for (j = 1; j <= ns; j++) {
      k = R SUBSEP labels[i] SUBSEP shapes[j]; q = R SUBSEP b SUBSEP shapes[j]
      if (!(k in have) || !(q in have)) continue
      line = sprintf("%-12s %-6s throughput x%s", labels[i], shapes[j], (tput[q] > 0) ? sprintf("%.2f", tput[k] / tput[q]) : "n/a")
      for (x = 1; x <= nr; x++) {
        kr = k SUBSEP rates[x]; qr = q SUBSEP rates[x]
        if ((kr in lst) && (qr in lst) && p99[qr] > 0) line = line sprintf("   p99@%s x%.2f%s", rates[x], p99[kr] / p99[qr], lst[kr] == "saturated" ? " (saturated)" : "")
      }
      print line
    }
  }
}
# The server side's CPU per message (queue-bench.sh's CPU lines: milliseconds over the load).
/^CPU / {
  k = field($0, "round") SUBSEP field($0, "label") SUBSEP field($0, "shape")
  if (field($0, "mode") == "latency") k = k SUBSEP field($0, "rate")
  if (field($0, "published") > 0) cpu[k] = sprintf("%.0f", field($0, "server_cpu_ms") * 1000 / field($0, "published"))
  next
}
/^RESULT / {
  rd = field($0, "round"); if (rd == "") rd = 1
  if (!(rd in seenRound)) { seenRound[rd] = 1; rounds[++nrd] = rd }
  l = rd SUBSEP field($0, "label"); m = field($0, "mode"); s = field($0, "shape"); r = field($0, "rate")
  lb = field($0, "label")
  if (!(lb in seenLabel)) { seenLabel[lb] = 1; labels[++nl] = lb }
  if (!(s in seenShape)) { seenShape[s] = 1; shapes[++ns] = s }
  k = l SUBSEP s
  have[k] = 1
  if (m == "throughput") { tput[k] = field($0, "consumed_per_s"); tst[k] = field($0, "status"); next }
  if (!(r in seenRate)) { seenRate[r] = 1; rates[++nr] = r }
  k = k SUBSEP r
  p50[k] = field($0, "p50_us"); p99[k] = field($0, "p99_us"); got[k] = field($0, "consumed_per_s"); lst[k] = field($0, "status")
}
END {
  for (rr = 1; rr <= nrd; rr++) {
  R = rounds[rr]
  if (rr > 1) print ""

  print (nrd > 1 ? "round " rounds[rr] ": " : "") "throughput: messages published (durable), consumed and acked per second"
  printf "%-12s %-6s %12s %14s  %s\n", "system", "shape", "msg/s", "server us/msg", "status"
  for (i = 1; i <= nl; i++) for (j = 1; j <= ns; j++) {
    k = R SUBSEP labels[i] SUBSEP shapes[j]
    if (k in tput) printf "%-12s %-6s %12s %14s  %s\n", labels[i], shapes[j], tput[k], (k in cpu) ? cpu[k] : "-", tst[k]
  }
  for (x = 1; x <= nr; x++) {
    print ""
    print "end-to-end latency at " rates[x] " msg/s (open loop): ms from scheduled send to consumer"
    printf "%-12s %-6s %10s %10s %12s %14s  %s\n", "system", "shape", "p50 ms", "p99 ms", "achieved/s", "server us/msg", "status"
    for (i = 1; i <= nl; i++) for (j = 1; j <= ns; j++) {
      k = R SUBSEP labels[i] SUBSEP shapes[j] SUBSEP rates[x]
      if (k in lst) printf "%-12s %-6s %10s %10s %12s %14s  %s\n", labels[i], shapes[j], ms(p50[k]), ms(p99[k]), got[k], (k in cpu) ? cpu[k] : "-", lst[k]
    }
  }
  ratios(R, "rabbitmq", "ratios Junction/RabbitMQ (throughput >= 1 and p99 <= 1 meet the targets)")
  if ("nats" in seenLabel) ratios(R, "nats", "ratios Junction/NATS JetStream (NATS acknowledges before fsync: bench/README.md)")
  }
}
