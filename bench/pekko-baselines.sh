#!/usr/bin/env bash
# Where does TCP echo time go? Runs the same load against, in one run:
#   raw     the JDK NIO echo server (bench/src/.../RawEchoServer)
#   classic a bare classic Pekko IO echo (bench/pekko/PekkoClassicEcho.java, no framing)
#   streams a bare Pekko Streams TCP echo with Framing.lengthField (bench/pekko/PekkoStreamsEcho.java)
#   junction the node's `frames` endpoint (./junction run must be listening on 7002, or --start-node)
# Usage: bench/pekko-baselines.sh [--start-node] [--warmup S] [--duration S]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"; root="$(dirname "$here")"
warmup=5; duration=8; start_node=0
while [ $# -gt 0 ]; do case "$1" in
  --start-node) start_node=1 ;; --warmup) warmup=$2; shift ;; --duration) duration=$2; shift ;;
  *) echo "unknown option $1" >&2; exit 2 ;; esac; shift; done
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
(cd "$root" && ./junction version >/dev/null)   # builds the node jar if needed
(cd "$here" && mvn -B -q -Dstyle.color=never package >/dev/null)
jar="$root/target/junction-0.1.0-SNAPSHOT-all.jar"; bench="$here/target/junction-bench.jar"
out="$(mktemp -d)"; javac -nowarn -d "$out" -cp "$jar" "$here"/pekko/*.java
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 1 300); do (echo >/dev/tcp/127.0.0.1/$1) 2>/dev/null && return 0; sleep 0.2; done; echo "port $1 never opened" >&2; return 1; }
declare -A port
port[raw]=$(free_port); java -cp "$bench" io.junction.bench.RawEchoServer --port "${port[raw]}" >/dev/null 2>&1 & pids+=($!)
port[classic]=$(free_port); java -cp "$jar:$out" PekkoClassicEcho "${port[classic]}" >/dev/null 2>&1 & pids+=($!)
port[streams]=$(free_port); java -cp "$jar:$out" PekkoStreamsEcho "${port[streams]}" >/dev/null 2>&1 & pids+=($!)
port[junction]=7002
if [ "$start_node" = 1 ]; then (cd "$root" && exec java -jar "$jar" run >/dev/null 2>&1) & pids+=($!); fi
for t in raw classic streams junction; do wait_port "${port[$t]}"; done
echo "machine: nproc=$(nproc) cpu='$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)' load='$(cut -d' ' -f1-3 /proc/loadavg)'"
printf '%-9s %6s %12s %10s %10s\n' target conns frames/s p50_us p99_us
for c in 1 16; do
  for t in raw classic streams junction; do
    line=$(java -cp "$bench" io.junction.bench.LoadGenerator --target "127.0.0.1:${port[$t]}" \
      --connections "$c" --warmup "$warmup" --duration "$duration" | grep '^RESULT')
    fps=$(sed -E 's/.*frames_per_s=([0-9]+).*/\1/' <<<"$line")
    p50=$(sed -E 's/.*p50_us=([0-9.]+).*/\1/' <<<"$line"); p99=$(sed -E 's/.*p99_us=([0-9.]+).*/\1/' <<<"$line")
    printf '%-9s %6s %12s %10s %10s\n' "$t" "$c" "$fps" "$p50" "$p99"
  done
done
