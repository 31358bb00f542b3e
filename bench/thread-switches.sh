#!/usr/bin/env bash
# Where a running JVM's threads spend their context switches and CPU, pool by pool, over a window:
# how many thread hand-offs a message costs (docs/PERFORMANCE.md, tenth session).
#
#   bench/thread-switches.sh PID [SECONDS (10)] [OTHER_PID ...]
#
# Reads /proc/PID/task/*/{status,stat} at the start and the end of the window, names each thread
# with jstack (pool threads' numeric suffixes dropped, so a pool is one line) and prints, per pool:
# threads, voluntary switches/s (a thread parking: waiting for work or a lock), involuntary
# switches/s (preempted) and CPU% of one core. OTHER_PIDs (e.g. PostgreSQL's backends) are
# listed by their command name. Run it during a load, e.g. a queue-bench latency load.
set -euo pipefail
pid=${1:?usage: thread-switches.sh PID [SECONDS] [OTHER_PID ...]}
secs=${2:-10}
shift $(( $# >= 2 ? 2 : 1 ))
others=("$@")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

snapshot() { # one line per thread: pid tid voluntary involuntary cpu-ticks comm
  local p t
  for p in "$pid" "${others[@]}"; do
    for t in /proc/"$p"/task/*; do
      { awk -v p="$p" -v t="${t##*/}" '/^voluntary_ctxt_switches/ {v = $2}
          /^nonvoluntary_ctxt_switches/ {n = $2} END {printf "%s %s %s %s ", p, t, v, n}' "$t/status"
        awk '{sub(/^.*\) /, ""); print $12 + $13}' "$t/stat" | tr -d '\n'
        echo " $(cat "$t/comm")"; } 2>/dev/null || true # a thread that ended meanwhile
    done
  done
}

snapshot > "$tmp/a"
sleep "$secs" # the measured window
snapshot > "$tmp/b"
jstack "$pid" | sed -n 's/^"\([^"]*\)".* nid=0x\([0-9a-f]*\).*/\2 \1/p' > "$tmp/names"

python3 - "$tmp" "$secs" "$(getconf CLK_TCK)" "$pid" <<'EOF'
import collections, re, sys
tmp, secs, tck, jvm = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
def read(f):
    rows = {}
    for line in open(f"{tmp}/{f}"):
        p = line.split(None, 5)
        if len(p) == 6:
            rows[(p[0], p[1])] = (int(p[2]), int(p[3]), int(p[4]), p[5].strip())
    return rows
names = {}
for line in open(f"{tmp}/names"):
    nid, name = line.rstrip("\n").split(" ", 1)
    names[str(int(nid, 16))] = name
a, b = read("a"), read("b")
pools = collections.defaultdict(lambda: [0, 0, 0, 0])
for key, (v, n, c, comm) in b.items():
    if key not in a:
        continue
    v0, n0, c0, _ = a[key]
    pid, tid = key
    name = names.get(tid, comm) if pid == jvm else f"pid {pid} {comm}"
    name = re.sub(r"[-#]\d+$", "", name)
    row = pools[name]
    row[0] += 1; row[1] += v - v0; row[2] += n - n0; row[3] += c - c0
total = sum(r[1] for r in pools.values())
print(f"window {secs:.0f} s; voluntary switches/s, all listed threads: {total / secs:,.0f}")
print(f"{'pool':<58} {'threads':>7} {'vol/s':>8} {'invol/s':>8} {'cpu%':>6}")
for name, (t, v, n, c) in sorted(pools.items(), key=lambda kv: -kv[1][1]):
    if v + n:
        print(f"{name[:58]:<58} {t:>7} {v / secs:>8,.0f} {n / secs:>8,.0f} {100 * c / tck / secs:>6.1f}")
EOF
