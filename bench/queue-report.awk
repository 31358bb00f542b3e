# Table and Junction/RabbitMQ ratios from queue-bench.sh's RESULT lines.
function field(line, key,   m) {
  if (match(line, " " key "=[^ ]*")) return substr(line, RSTART + length(key) + 2, RLENGTH - length(key) - 2)
  return ""
}
/^RESULT / {
  l = field($0, "label"); m = field($0, "mode"); s = field($0, "shape")
  if (!(l in seenLabel)) { seenLabel[l] = 1; labels[++nl] = l }
  if (!(s in seenShape)) { seenShape[s] = 1; shapes[++ns] = s }
  k = l SUBSEP s
  st[k] = st[k] (st[k] == "" ? "" : ",") field($0, "status")
  if (m == "throughput") { tput[k] = field($0, "consumed_per_s"); pub[k] = field($0, "published_per_s") }
  else { rate = field($0, "rate"); p50[k] = field($0, "p50_us"); p99[k] = field($0, "p99_us"); lrate[k] = field($0, "consumed_per_s") }
}
END {
  printf "%-12s %-6s %14s %14s | %10s %10s %12s | %s\n", "system", "shape", "consumed/s", "published/s", "p50 ms", "p99 ms", "achieved/s", "status"
  printf "%-12s %-6s %14s %14s | %10s %10s %12s |\n", "", "", "(throughput)", "", "@" rate "/s", "@" rate "/s", "(paced run)"
  for (i = 1; i <= nl; i++) for (j = 1; j <= ns; j++) {
    k = labels[i] SUBSEP shapes[j]
    if (!(k in st)) continue
    printf "%-12s %-6s %14s %14s | %10.2f %10.2f %12s | %s\n", labels[i], shapes[j], tput[k], pub[k], p50[k] / 1000, p99[k] / 1000, lrate[k], st[k]
  }
  print ""
  print "ratios Junction/RabbitMQ (throughput: >= 1 meets the target; p99: <= 1 meets the target)"
  for (i = 1; i <= nl; i++) {
    if (labels[i] == "rabbitmq") continue
    for (j = 1; j <= ns; j++) {
      k = labels[i] SUBSEP shapes[j]; r = "rabbitmq" SUBSEP shapes[j]
      if (!(k in st) || !(r in st)) continue
      t = (tput[r] > 0) ? sprintf("%.2f", tput[k] / tput[r]) : "n/a"
      q = (p99[r] > 0) ? sprintf("%.2f", p99[k] / p99[r]) : "n/a"
      printf "%-12s %-6s throughput x%s   p99 x%s\n", labels[i], shapes[j], t, q
    }
  }
}
