#!/usr/bin/env bash
# Recovery time of a deep durable queue: fill queue `deep` with N messages of 1 KiB over the HTTP
# API (8 producers, no consumer; bounded by --fill-seconds), stop the node (SIGTERM), start it
# again and time how long until the queue answers with its full depth. H2 journal (the default).
#
#   bench/queue-recovery.sh --messages 100000 --fill-seconds 240
#   bench/queue-recovery.sh --messages 1000000 --window 1000 --fill-seconds 1200
#
# Options: --messages N (100000)  --fill-seconds S (300)  --size BYTES (1024)  --heap SIZE (4g)
#          --node-wait S (300)  --window N (16: publishes in flight per producer; the fast client
#          sends what is due as one batch POST, so a bigger window means bigger batches)
#          --node-opts 'JVM/-D options' (extra node JVM options, e.g. a queue-defaults override)
#          --journal h2|pg (h2: the embedded default; pg: a throwaway PostgreSQL cluster, see
#          postgres-lib.sh)
# Everything binds 127.0.0.1; every process this script starts is stopped on exit.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$BENCH_DIR")
JAR="$BENCH_DIR/target/junction-bench.jar"
MESSAGES=100000
FILL_SECONDS=300
SIZE=1024
HEAP=4g
NODE_WAIT=300
WINDOW=16
NODE_OPTS=""
JOURNAL=h2

while [[ $# -gt 0 ]]; do
  case "$1" in
    --messages) MESSAGES=$2; shift 2 ;;
    --fill-seconds) FILL_SECONDS=$2; shift 2 ;;
    --size) SIZE=$2; shift 2 ;;
    --heap) HEAP=$2; shift 2 ;;
    --node-wait) NODE_WAIT=$2; shift 2 ;;
    --window) WINDOW=$2; shift 2 ;;
    --node-opts) NODE_OPTS=$2; shift 2 ;;
    --journal) JOURNAL=$2; shift 2 ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "unknown option: $1 (try --help)" >&2; exit 2 ;;
  esac
done

OUT="$BENCH_DIR/results/recovery-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$OUT"
SUMMARY="$OUT/summary.txt"
DATA=$(mktemp -d /tmp/junction-queue-recovery.XXXXXX)
chmod 755 "$DATA" # the postgres user must reach its data directory inside
WORK=$DATA
NODE_PGID=""
stop_node() {
  [[ -n "$NODE_PGID" ]] || return 0
  kill -TERM -- "-$NODE_PGID" 2>/dev/null || true
  for _ in $(seq 1 300); do kill -0 -- "-$NODE_PGID" 2>/dev/null || break; sleep 0.2; done
  kill -KILL -- "-$NODE_PGID" 2>/dev/null || true
  NODE_PGID=""
}
cleanup() { stop_node; if declare -F stop_postgres > /dev/null; then stop_postgres; fi; rm -rf "$DATA"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
say() { echo "$*" | tee -a "$SUMMARY"; }
# free_port, start_postgres, stop_postgres
source "$BENCH_DIR/postgres-lib.sh"
JOURNAL_ENV=()

now_ms() { date +%s%3N; }

start_node() { # log
  (cd "$ROOT" && exec env "${JOURNAL_ENV[@]}" JUNCTION_DATA_DIR="$DATA" \
     JUNCTION_JAVA_OPTS="-Xms1g -Xmx$HEAP -Djunction.http.port=0 -Djunction.endpoints.people.port=0 -Djunction.endpoints.frames.port=0 -Djunction.endpoints.datagrams.port=0 -Djunction.endpoints.lines.port=0 $NODE_OPTS" \
     setsid ./junction run) > "$1" 2>&1 &
  NODE_PGID=$!
  wait_logged_port "$1" http "$NODE_PGID" node; NODE_PORT=$LOGGED_PORT
}
node_pid() { pgrep -g "$NODE_PGID" java | head -1; }
# Heap in use as the JVM reports it, then live data after a full GC (jcmd GC.run), and RSS.
node_heap() {
  local pid used live
  pid=$(node_pid)
  used=$(jcmd "$pid" GC.heap_info 2>/dev/null | sed -n 's/.*total \([0-9]*\)K, used \([0-9]*\)K.*/\2/p' | head -1)
  jcmd "$pid" GC.run > /dev/null 2>&1 || true
  live=$(jcmd "$pid" GC.heap_info 2>/dev/null | sed -n 's/.*total \([0-9]*\)K, used \([0-9]*\)K.*/\2/p' | head -1)
  echo "heap used $(( ${used:-0} / 1024 )) MiB, live after full GC $(( ${live:-0} / 1024 )) MiB, RSS $(ps -o rss= -p "$pid" | awk '{printf "%.0f", $1/1024}') MiB"
}
depth() { curl -s -m 60 "http://127.0.0.1:$NODE_PORT/v1/queues/deep" | sed -n 's/.*"depth":\([0-9]*\).*/\1/p'; }

say "machine: nproc=$(nproc) cpu='$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')' loadavg='$(cut -d' ' -f1-3 /proc/loadavg)'"
say "run: messages=$MESSAGES fill-seconds=$FILL_SECONDS size=$SIZE heap=$HEAP window=$WINDOW journal=$JOURNAL node-opts='$NODE_OPTS'"
mvn -B -q -f "$BENCH_DIR/pom.xml" package -DskipTests > "$OUT/build.log" 2>&1 || { cat "$OUT/build.log"; exit 1; }
(cd "$ROOT" && ./junction --help) > "$OUT/node-build.log" 2>&1 || { cat "$OUT/node-build.log"; exit 1; }

case "$JOURNAL" in
  h2) ;;
  pg)
    start_postgres
    JOURNAL_ENV=(JUNCTION_JOURNAL_KIND=postgres JUNCTION_PG_URL="jdbc:postgresql://127.0.0.1:$PG_PORT/junction"
      JUNCTION_PG_USER=junction JUNCTION_PG_PASSWORD="$PG_PASSWORD") ;;
  *) echo "--journal h2|pg, was $JOURNAL" >&2; exit 2 ;;
esac
start_node "$OUT/node-fill.log"
t0=$(now_ms)
timeout $((FILL_SECONDS + 120)) java -Xmx1g -cp "$JAR" io.junction.bench.QueueBench --system junction \
  --target "127.0.0.1:$NODE_PORT" --queue deep --producers 8 --consumers 0 --size "$SIZE" --window "$WINDOW" \
  --warmup 0 --duration "$FILL_SECONDS" --max-backlog 1000000000000 --max-messages "$MESSAGES" \
  --drain-timeout 0 --keep-queue yes --label fill 2>>"$OUT/client.err" | tee -a "$OUT/fill.txt" || true
t1=$(now_ms)
D=$(depth)
say "filled: depth=$D in $(( (t1 - t0) / 1000 )) s ($(( D * 1000 / (t1 - t0 + 1) )) msg/s average, 8 producers x $WINDOW in flight)"
say "fill journal metrics: $(curl -s "http://127.0.0.1:$NODE_PORT/metrics" | grep -E '^junction_queue_(journal|snapshot).*deep' | sed 's/{.*}//' | tr '\n' ' ')"
say "node heap after fill: $(node_heap)"
say "fill node log: $(grep -c -i -E 'snapshot.*(fail|error)|failed to save snapshot' "$OUT/node-fill.log" || true) snapshot failures, $(grep -c -E 'WARN|ERROR' "$OUT/node-fill.log" || true) WARN/ERROR lines"
stop_node
if [[ $JOURNAL == h2 ]]; then
  say "journal on disk: $(du -sh "$DATA/journal" | cut -f1) ($(ls -la "$DATA"/journal/ | awk 'NR>1{printf "%s %s; ", $9, $5}'))"
else
  say "PostgreSQL data directory: $(du -sh "$DATA/pg/data" | cut -f1)"
fi

t2=$(now_ms)
start_node "$OUT/node-recover.log"
t3=$(now_ms)
R=""
for _ in $(seq 1 600); do
  R=$(depth || true)
  [[ -n "$R" ]] && break
  sleep 0.2
done
t4=$(now_ms)
say "restart: node start to HTTP listening $(( t3 - t2 )) ms; then queue recovered (answers depth=$R) after $(( t4 - t3 )) ms; total $(( t4 - t2 )) ms"
[[ "$R" == "$D" ]] || say "WARNING: depth after restart $R != $D before"
say "node after recovery: $(node_heap)"
grep -E "recovered:|snapshot|OutOfMemory|ERROR" "$OUT/node-recover.log" | head -5 | tee -a "$SUMMARY"
