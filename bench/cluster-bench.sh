#!/usr/bin/env bash
# Three cluster nodes against one node on the same machine, same journal kind (an H2 TCP server):
# queue throughput and latency at a fixed rate for the same load, and the cost of a cross-node
# hop (the load sent through the node hosting the queue vs through one that does not). On one
# machine this measures overhead, not scale-out. See bench/README.md ("Cluster overhead").
#
#   bench/cluster-bench.sh                            # defaults, about 6 minutes
#   bench/cluster-bench.sh --rounds 2 --duration 20
#   bench/cluster-bench.sh --cluster 127.0.0.1:8081,127.0.0.1:8082,127.0.0.1:8083   # a running
#       cluster (deploy/docker-compose.yml; export JUNCTION_API_TOKEN), no single-node loads
#
# Options: --shape PxC (4x4 for throughput)  --rate R (1000 msg/s, 1x1, for latency)
#          --warmup S (10)  --duration S (15)  --window N (16)  --size BYTES (1024)
#          --node-wait S (180)  --rounds N (1: every load on every target, interleaved, N times)
#          --cluster H:P,H:P,... (HTTP API of an existing cluster's nodes: nothing is started)
#          --single H:P (an existing single node to compare with; with --cluster only)
# Loads run with bench/queue-bench.sh's client (io.junction.bench.QueueBench, --api fast):
# producers and consumers of one fresh queue, all through the target node's HTTP API.
# Targets: single (cluster off), host (the cluster node hosting the queue's shard), remote (a
# cluster node that does not host it: publish and consume each cross one node-to-node hop).
# Needs java 17 and maven. Everything binds 127.0.0.1; every process started here is stopped on
# exit, whatever the exit path.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$BENCH_DIR")
JAR="$BENCH_DIR/target/junction-bench.jar"
NODE_JAR="$ROOT/target/junction-0.1.0-SNAPSHOT-all.jar"

SHAPE=4x4
RATE=1000
WARMUP=10
DURATION=15
WINDOW=16
SIZE=1024
NODE_WAIT=180
ROUNDS=1
CLUSTER=""
SINGLE=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --shape) SHAPE=$2; shift 2 ;;
    --rate) RATE=$2; shift 2 ;;
    --warmup) WARMUP=$2; shift 2 ;;
    --duration) DURATION=$2; shift 2 ;;
    --window) WINDOW=$2; shift 2 ;;
    --size) SIZE=$2; shift 2 ;;
    --node-wait) NODE_WAIT=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    --cluster) CLUSTER=$2; shift 2 ;;
    --single) SINGLE=$2; shift 2 ;;
    -h|--help) sed -n '2,24p' "$0"; exit 0 ;;
    *) echo "unknown option: $1 (try --help)" >&2; exit 2 ;;
  esac
done

OUT="$BENCH_DIR/results/cluster-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$OUT"
SUMMARY="$OUT/summary.txt"
WORK=$(mktemp -d /tmp/junction-cluster-bench.XXXXXX)

STARTED=() # process group ids, each server in its own
stop_groups() {
  local pgid alive
  for pgid in "${STARTED[@]:-}"; do [[ -n "$pgid" ]] && kill -TERM -- "-$pgid" 2>/dev/null || true; done
  for _ in $(seq 1 150); do
    alive=0
    for pgid in "${STARTED[@]:-}"; do [[ -n "$pgid" ]] && kill -0 -- "-$pgid" 2>/dev/null && alive=1; done
    [[ $alive == 0 ]] && break
    sleep 0.2
  done
  for pgid in "${STARTED[@]:-}"; do [[ -n "$pgid" ]] && kill -KILL -- "-$pgid" 2>/dev/null || true; done
  STARTED=()
}
cleanup() { stop_groups; rm -rf "$WORK"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { echo "$*" | tee -a "$SUMMARY"; }
accepts() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
GIVEN=()
free_port() { # VAR: a loopback port nobody listens on now, not already handed out by this run
  local p
  for _ in $(seq 1 200); do
    p=$((20000 + RANDOM % 30000))
    [[ " ${GIVEN[*]:-} " == *" $p "* ]] && continue
    if ! ss -Htan "( sport = :$p )" 2>/dev/null | grep -q .; then GIVEN+=("$p"); printf -v "$1" '%s' "$p"; return 0; fi
  done
  echo "no free port found" >&2; return 1
}
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }

CPU_MODEL=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
say "machine: nproc=$(nproc) cpu='$CPU_MODEL' mem=$(free -g | awk '/Mem:/{print $2}')GiB loadavg='$(loadavg)'"
say "java: $(java -version 2>&1 | head -1)"
say "run: shape=$SHAPE rate=$RATE warmup=${WARMUP}s duration=${DURATION}s window=$WINDOW size=$SIZE rounds=$ROUNDS"
say "results: $OUT"

# A node listening beyond loopback (the compose cluster) wants the API token.
AUTH=()
[[ -n "${JUNCTION_API_TOKEN:-}" ]] && AUTH=(-H "Authorization: Bearer $JUNCTION_API_TOKEN")
api() { curl -fsS "${AUTH[@]}" "http://$1$2"; } # host:port path

echo "building the bench jar${CLUSTER:+ (nodes given: none started)}..."
mvn -B -q -f "$BENCH_DIR/pom.xml" package -DskipTests > "$OUT/build.log" 2>&1 || { cat "$OUT/build.log"; exit 1; }

declare -A HTTP # target name -> host:port of its HTTP API
start_local() {
  (cd "$ROOT" && ./junction --help) > "$OUT/node-build.log" 2>&1 || { cat "$OUT/node-build.log"; exit 1; }
  # the journal: one H2 TCP server, one database for the single node, one for the cluster
  free_port H2_PORT
  mkdir -p "$WORK/h2"
  setsid java -Xmx512m -cp "$NODE_JAR" org.h2.tools.Server -tcp -tcpPort "$H2_PORT" \
    -baseDir "$WORK/h2" -ifNotExists > "$OUT/h2.log" 2>&1 &
  STARTED+=("$!")
  for _ in $(seq 1 300); do accepts "$H2_PORT" && break; sleep 0.2; done
  accepts "$H2_PORT" || { say "ERROR: H2 server not up"; exit 1; }
  start_node single single
  local c1
  free_port c1
  # n1 first: it forms the cluster (its own address is the seed) and creates the schema.
  start_node n1 cluster JUNCTION_CLUSTER_ENABLED=on JUNCTION_CLUSTER_PORT="$c1" JUNCTION_CLUSTER_SEED_NODES="127.0.0.1:$c1"
  wait_http single
  wait_http n1
  for n in n2 n3; do
    local cp
    free_port cp
    start_node "$n" cluster JUNCTION_CLUSTER_ENABLED=on JUNCTION_CLUSTER_PORT="$cp" JUNCTION_CLUSTER_SEED_NODES="127.0.0.1:$c1"
  done
  wait_http n2
  wait_http n3
  say "single: HTTP ${HTTP[single]}; cluster: n1 ${HTTP[n1]}, n2 ${HTTP[n2]}, n3 ${HTTP[n3]}; journal: H2 TCP 127.0.0.1:$H2_PORT"
}
# the demo config, every listener on a free port, the journal on the H2 server
start_node() { # name, database, extra env assignments...
  local name=$1 db=$2; shift 2
  local log="$OUT/node-$name.log" port
  free_port port
  (cd "$ROOT" && exec env "$@" JUNCTION_NODE_NAME="$name" JUNCTION_DATA_DIR="$WORK/node-$name" \
     JUNCTION_HTTP_PORT="$port" JUNCTION_JOURNAL_KIND=h2 \
     JUNCTION_H2_URL="jdbc:h2:tcp://127.0.0.1:$H2_PORT/./$db;WRITE_DELAY=0" \
     setsid java -Xms256m -Xmx768m -Djunction.endpoints.people.port=0 -Djunction.endpoints.frames.port=0 \
       -Djunction.endpoints.datagrams.port=0 -Djunction.endpoints.lines.port=0 \
       -Djunction.demo-ftp.enabled=off -jar "$NODE_JAR" run --config conf/application.conf) > "$log" 2>&1 &
  STARTED+=("$!")
  HTTP[$name]="127.0.0.1:$port"
  echo "starting $name (HTTP $port, log $log)"
}
wait_http() { # name
  for _ in $(seq 1 $((NODE_WAIT * 5))); do
    api "${HTTP[$1]}" /v1/health > /dev/null 2>&1 && return 0
    sleep 0.2
  done
  say "ERROR: $1 did not answer on ${HTTP[$1]} within ${NODE_WAIT}s"; tail -20 "$OUT/node-$1.log" 2>/dev/null; exit 1
}

NODES=()
if [[ -z "$CLUSTER" ]]; then
  start_local
  NODES=(n1 n2 n3)
else
  i=0
  for t in ${CLUSTER//,/ }; do i=$((i + 1)); HTTP[n$i]=$t; NODES+=("n$i"); wait_http "n$i"; done
  [[ -n "$SINGLE" ]] && { HTTP[single]=$SINGLE; wait_http single; }
fi
# every node's own cluster address (GET /v1/cluster "self"), to find which one hosts a queue
declare -A SELF
up=0
for _ in $(seq 1 $((NODE_WAIT * 2))); do
  up=$(api "${HTTP[n1]}" /v1/cluster | grep -o '"status":"Up"' | wc -l || true)
  [[ $up -ge ${#NODES[@]} ]] && break
  sleep 0.5
done
[[ $up -ge ${#NODES[@]} ]] || { say "ERROR: the cluster has $up Up members, expected ${#NODES[@]}"; exit 1; }
for n in "${NODES[@]}"; do
  SELF[$n]=$(api "${HTTP[$n]}" /v1/cluster | sed -n 's/.*"self":"\([^"]*\)".*/\1/p')
  say "$n: HTTP ${HTTP[$n]}, cluster ${SELF[$n]}"
done

# The node hosting queue $1: the queue is created through n1, then located.
host_of() {
  local addr="" n
  # bounded retries: a loaded node may answer 503 (request timeout) while the shard starts
  for _ in $(seq 1 30); do
    if api "${HTTP[n1]}" "/v1/queues/$1" > /dev/null 2>&1; then
      addr=$(api "${HTTP[n1]}" "/v1/cluster/queues/$1" 2>/dev/null | sed -n 's/.*"node":"\([^"]*\)".*/\1/p')
      [[ -n "$addr" ]] && break
    fi
    sleep 1
  done
  for n in "${NODES[@]}"; do [[ ${SELF[$n]} == "$addr" ]] && { echo "$n"; return 0; }; done
  echo "queue $1 not located (node '$addr')" >&2; return 1
}

: > "$OUT/results.txt"
run_one() { # target-label node mode(throughput|latency) queue
  local p=${SHAPE%x*} c=${SHAPE#*x} extra=()
  if [[ $3 == latency ]]; then p=1; c=1; extra=(--rate "$RATE"); fi
  echo "load (round $ROUND): $3 via $1 ($2) ..."
  timeout $((WARMUP + DURATION + 120)) java -Xms256m -Xmx1g -cp "$JAR" io.junction.bench.QueueBench \
    --system junction --api fast --target "${HTTP[$2]}" --label "$1" --queue "$4" \
    --producers "$p" --consumers "$c" --window "$WINDOW" --size "$SIZE" \
    --warmup "$WARMUP" --duration "$DURATION" "${extra[@]}" \
    2> >(tee -a "$OUT/client.err" >&2) | sed -u "s/^RESULT /RESULT round=$ROUND /" | tee -a "$OUT/results.txt" \
    || say "WARNING: $3 via $1 did not finish"
  echo "loadavg after: $(loadavg)" >> "$OUT/results.txt"
}

for ROUND in $(seq 1 "$ROUNDS"); do
  for mode in throughput latency; do
    [[ -n "${HTTP[single]:-}" ]] && run_one single single "$mode" "bench-$mode-single-$ROUND-$RANDOM"
    q="bench-$mode-host-$ROUND-$RANDOM"
    if host=$(host_of "$q"); then run_one host "$host" "$mode" "$q"; else say "WARNING: $q not located, host load skipped"; fi
    q="bench-$mode-remote-$ROUND-$RANDOM"
    host=$(host_of "$q") || { say "WARNING: $q not located, remote load skipped"; continue; }
    remote=n1; [[ $host == n1 ]] && remote=n2
    echo "queue $q is hosted by $host; load through $remote" >> "$OUT/results.txt"
    run_one remote "$remote" "$mode" "$q"
  done
done
stop_groups

say ""
say "loadavg at the end: $(loadavg)"
awk -f "$BENCH_DIR/cluster-report.awk" "$OUT/results.txt" | tee -a "$SUMMARY"
