#!/usr/bin/env bash
# HTTP publish, side by side: wrk POSTs to Junction's `POST /v1/publish/discard` (parsed,
# wrapped in an envelope, handed to the destination and acknowledged) and to a bare pekko-http
# route that reads the body and answers 202 (bench/pekko/PekkoHttpHello.java), same load.
# Needs wrk (apt-get install wrk).
# Usage: bench/http-publish.sh [--start-node] [--port P] [--duration S] [--connections N] [--rounds R]
#   --start-node  start a node of our own: HTTP only, on a free port, data in a temp dir (so it
#                 cannot collide with a demo node or another run); otherwise 127.0.0.1:--port (8080)
#   --rounds R    measure both targets R times, alternating, and report each round and the median
#                 ratio (on a shared machine one round's ratio swings by ±30%)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"; root="$(dirname "$here")"
duration=10; conns=64; start_node=0; port=8080; rounds=1
while [ $# -gt 0 ]; do case "$1" in
  --start-node) start_node=1 ;; --duration) duration=$2; shift ;; --connections) conns=$2; shift ;;
  --port) port=$2; shift ;; --rounds) rounds=$2; shift ;;
  *) echo "unknown option $1" >&2; exit 2 ;; esac; shift; done
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 2; }
out="$(mktemp -d)"
pids=(); cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$out"; }
trap cleanup EXIT
(cd "$root" && ./junction version >/dev/null)
jar="$root/target/junction-0.1.0-SNAPSHOT-all.jar"
javac -nowarn -d "$out" -cp "$jar" "$here/pekko/PekkoHttpHello.java"
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 1 300); do (echo >/dev/tcp/127.0.0.1/$1) 2>/dev/null && return 0; sleep 0.2; done; echo "port $1 never opened" >&2; return 1; }
hello=$(free_port); java -cp "$jar:$out" PekkoHttpHello "$hello" >/dev/null 2>&1 & pids+=($!)
if [ "$start_node" = 1 ]; then
  port=$(free_port)
  printf 'junction { data-dir = "%s/data", http.port = %s }\n' "$out" "$port" > "$out/node.conf"
  (cd "$root" && exec java -jar "$jar" run --config "$out/node.conf" > "$out/node.log" 2>&1) & pids+=($!)
fi
wait_port "$hello"; wait_port "$port"
lua="$out/post.lua"
printf 'wrk.method = "POST"\nwrk.body = string.rep("x", 100)\nwrk.headers["Content-Type"] = "text/plain"\n' > "$lua"
echo "machine: nproc=$(nproc) cpu='$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)' load='$(cut -d' ' -f1-3 /proc/loadavg)'"
run() { # label url
  wrk -t2 -c"$conns" -d5s -s "$lua" "$2" >/dev/null   # warm-up
  wrk -t2 -c"$conns" -d"${duration}s" --latency -s "$lua" "$2" > "$out/$1.txt"
  rps=$(awk '/Requests\/sec/ {print $2}' "$out/$1.txt"); p99=$(awk '$1=="99%" {print $2}' "$out/$1.txt")
  non2xx=$(awk '/Non-2xx/ {print $NF}' "$out/$1.txt"); echo "$1 $rps $p99 ${non2xx:-0}"
}
printf '%-6s %-10s %12s %10s %8s\n' round target req/s p99 non-2xx
ratios=()
for round in $(seq 1 "$rounds"); do
  a=$(run pekko-http "http://127.0.0.1:$hello/"); b=$(run junction "http://127.0.0.1:$port/v1/publish/discard")
  for l in "$a" "$b"; do read -r n r p e <<<"$l"; printf '%-6s %-10s %12s %10s %8s\n' "$round" "$n" "$r" "$p" "$e"; done
  ra=$(cut -d' ' -f2 <<<"$a"); rb=$(cut -d' ' -f2 <<<"$b")
  ratios+=("$(python3 -c "print(round($rb/$ra, 2))")"); echo "round $round ratio junction/pekko-http req/s: ${ratios[-1]}"
done
echo "median ratio junction/pekko-http req/s over $rounds round(s): $(printf '%s\n' "${ratios[@]}" | sort -n | awk '{v[NR]=$1} END {print (NR%2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2)}')"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
