# Table and overheads from cluster-bench.sh's RESULT lines: per round, each target's throughput
# and latency, then the cluster's overhead against the single node and the cross-node hop's cost.
function field(line, key) {
  if (match(line, " " key "=[^ ]*")) return substr(line, RSTART + length(key) + 2, RLENGTH - length(key) - 2)
  return ""
}
function ms(us) { return sprintf("%.1f", us / 1000) }
function pct(a, b) { return (b > 0) ? sprintf("%+.0f%%", 100 * (a - b) / b) : "n/a" }
/^RESULT / {
  rd = field($0, "round"); if (rd == "") rd = 1
  if (!(rd in seen)) { seen[rd] = 1; rounds[++n] = rd }
  k = rd SUBSEP field($0, "label") SUBSEP field($0, "mode")
  tput[k] = field($0, "consumed_per_s"); p50[k] = field($0, "p50_us"); p99[k] = field($0, "p99_us")
  st[k] = field($0, "status"); shape[k] = field($0, "shape"); rate[k] = field($0, "rate")
}
END {
  split("single host remote", t, " ")
  for (i = 1; i <= n; i++) {
    R = rounds[i]
    if (i > 1) print ""
    print (n > 1 ? "round " R ": " : "") "target   throughput msg/s (shape)   latency p50 ms  p99 ms (rate)   status"
    for (j = 1; j <= 3; j++) {
      a = R SUBSEP t[j] SUBSEP "throughput"; b = R SUBSEP t[j] SUBSEP "latency"
      printf "%-8s %12s (%s) %16s %7s (%s/s)   %s/%s\n", t[j], tput[a], shape[a], ms(p50[b]), ms(p99[b]), rate[b], st[a], st[b]
    }
    s = R SUBSEP "single"; h = R SUBSEP "host"; r = R SUBSEP "remote"
    printf "cluster overhead (host vs single): throughput %s, p50 %s, p99 %s\n", \
      pct(tput[h SUBSEP "throughput"], tput[s SUBSEP "throughput"]), \
      pct(p50[h SUBSEP "latency"], p50[s SUBSEP "latency"]), pct(p99[h SUBSEP "latency"], p99[s SUBSEP "latency"])
    printf "cross-node hop (remote vs host): throughput %s, p50 %+.1f ms, p99 %+.1f ms\n", \
      pct(tput[r SUBSEP "throughput"], tput[h SUBSEP "throughput"]), \
      (p50[r SUBSEP "latency"] - p50[h SUBSEP "latency"]) / 1000, (p99[r SUBSEP "latency"] - p99[h SUBSEP "latency"]) / 1000
  }
}
