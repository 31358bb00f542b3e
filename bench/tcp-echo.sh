#!/usr/bin/env bash
# Side-by-side TCP echo benchmark: raw JDK NIO baseline vs a Junction `frames` endpoint
# (4-byte big-endian length-prefixed frames, echoed). See bench/README.md.
#
#   bench/tcp-echo.sh                      # target 127.0.0.1:7002, node already running
#   bench/tcp-echo.sh --start-node         # start ./junction run from the repo root first
#   bench/tcp-echo.sh --target-raw         # self-test: a second raw server plays the target
#
# Options: --target HOST:PORT  --target-pid PID  --warmup S (5)  --duration S (10)
#          --connections LIST (1,16)  --inflight N (64)  --size BYTES (1024)
#          --rounds N (1: raw and target alternate N times; the table shows the median)
#          --idle-count N (10000)  --no-idle  --node-wait S (180)
# Every process this script starts is stopped on exit, whatever the exit path.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$BENCH_DIR")
JAR="$BENCH_DIR/target/junction-bench.jar"

TARGET=127.0.0.1:7002
TARGET_PID=""
START_NODE=0
TARGET_RAW=0
WARMUP=5
DURATION=10
CONNECTIONS=1,16
INFLIGHT=64
SIZE=1024
IDLE_COUNT=10000
IDLE=1
NODE_WAIT=180
ROUNDS=1

while [[ $# -gt 0 ]]; do
  case "$1" in
    --target) TARGET=$2; shift 2 ;;
    --target-pid) TARGET_PID=$2; shift 2 ;;
    --start-node) START_NODE=1; shift ;;
    --target-raw) TARGET_RAW=1; shift ;;
    --warmup) WARMUP=$2; shift 2 ;;
    --duration) DURATION=$2; shift 2 ;;
    --connections) CONNECTIONS=$2; shift 2 ;;
    --inflight) INFLIGHT=$2; shift 2 ;;
    --size) SIZE=$2; shift 2 ;;
    --idle-count) IDLE_COUNT=$2; shift 2 ;;
    --no-idle) IDLE=0; shift ;;
    --node-wait) NODE_WAIT=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "unknown option: $1 (try --help)" >&2; exit 2 ;;
  esac
done
if [[ $START_NODE == 1 && $TARGET_RAW == 1 ]]; then
  echo "--start-node and --target-raw are exclusive" >&2; exit 2
fi

OUT="$BENCH_DIR/results/$(date +%Y%m%d-%H%M%S)"
mkdir -p "$OUT"
SUMMARY="$OUT/summary.txt"

# --- process bookkeeping: each child gets its own process group (setsid), killed on exit ---
STARTED=()
cleanup() {
  local pgid
  for pgid in "${STARTED[@]:-}"; do
    [[ -n "$pgid" ]] && kill -TERM -- "-$pgid" 2>/dev/null || true
  done
  for _ in $(seq 1 50); do
    local alive=0
    for pgid in "${STARTED[@]:-}"; do
      [[ -n "$pgid" ]] && kill -0 -- "-$pgid" 2>/dev/null && alive=1
    done
    [[ $alive == 0 ]] && return 0
    sleep 0.2
  done
  for pgid in "${STARTED[@]:-}"; do
    [[ -n "$pgid" ]] && kill -KILL -- "-$pgid" 2>/dev/null || true
  done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { echo "$*" | tee -a "$SUMMARY"; }

# --- file descriptors: 10k idle connections need 10k fds here and in the target ---
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
FDS=$(ulimit -n)
if [[ $IDLE == 1 && $FDS != unlimited && $FDS -lt $((IDLE_COUNT + 1024)) ]]; then
  say "WARNING: ulimit -n is $FDS (hard limit $(ulimit -Hn)); the idle test wants $((IDLE_COUNT + 1024))."
  say "         It will report how many connections it managed to open."
fi

# --- machine: on a small box the generator competes with the server for the same cores ---
CPU_MODEL=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
say "machine: nproc=$(nproc) cpu='$CPU_MODEL' loadavg='$(cut -d' ' -f1-3 /proc/loadavg)' fds=$FDS"
say "java: $(java -version 2>&1 | head -1)"
say "run: rounds=$ROUNDS warmup=${WARMUP}s duration=${DURATION}s connections=$CONNECTIONS inflight=$INFLIGHT size=$SIZE idle=$IDLE_COUNT"
say "results: $OUT"

echo "building bench jar..."
mvn -B -q -f "$BENCH_DIR/pom.xml" package -DskipTests > "$OUT/build.log" 2>&1 || { cat "$OUT/build.log"; exit 1; }

# Starts a raw echo server on a free port; sets RAW_PORT and RAW_PID.
start_raw() {
  local log="$OUT/$1.log"
  # --exit-after is a second safety net should this script be killed with -9.
  setsid java -Xms64m -Xmx512m -cp "$JAR" io.junction.bench.RawEchoServer --port 0 \
    --exit-after $(( (WARMUP + DURATION + 20) * 8 * ROUNDS + 900 )) > "$log" 2>&1 &
  local pid=$!
  STARTED+=("$pid")
  for _ in $(seq 1 150); do
    if grep -q '^LISTENING' "$log"; then
      RAW_PORT=$(sed -n 's/^LISTENING port=\([0-9]*\).*/\1/p' "$log")
      RAW_PID=$pid
      return 0
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "raw echo server did not start:" >&2; cat "$log" >&2; exit 1
}

accepts() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

# PID of the process listening on a port (same user only), or empty.
listener_pid() {
  ss -Htlnp "sport = :$1" 2>/dev/null | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2 || true
}

start_raw raw
BASE_PORT=$RAW_PORT
BASE_PID=$RAW_PID
say "raw baseline: 127.0.0.1:$BASE_PORT pid $BASE_PID"

TARGET_LABEL=junction
TARGET_HOST=${TARGET%:*}
TARGET_PORT=${TARGET##*:}
if [[ $TARGET_RAW == 1 ]]; then
  start_raw raw-b
  TARGET_LABEL=raw-b
  TARGET_HOST=127.0.0.1
  TARGET_PORT=$RAW_PORT
  TARGET_PID=$RAW_PID
elif [[ $START_NODE == 1 ]]; then
  if accepts "$TARGET_HOST" "$TARGET_PORT"; then
    say "ERROR: $TARGET_HOST:$TARGET_PORT already accepts connections (another node?); not starting one."
    exit 1
  fi
  [[ -x "$ROOT/junction" ]] || { say "ERROR: $ROOT/junction launcher not found"; exit 1; }
  echo "starting node: ./junction run (log $OUT/node.log)"
  (cd "$ROOT" && exec setsid ./junction run) > "$OUT/node.log" 2>&1 &
  NODE_PGID=$!
  STARTED+=("$NODE_PGID")
  for _ in $(seq 1 $((NODE_WAIT * 5))); do
    accepts "$TARGET_HOST" "$TARGET_PORT" && break
    kill -0 "$NODE_PGID" 2>/dev/null || { say "ERROR: node exited; see $OUT/node.log"; tail -20 "$OUT/node.log"; exit 1; }
    sleep 0.2
  done
  accepts "$TARGET_HOST" "$TARGET_PORT" || { say "ERROR: node not accepting on $TARGET within ${NODE_WAIT}s"; exit 1; }
fi

TARGET_UP=1
if ! accepts "$TARGET_HOST" "$TARGET_PORT"; then
  TARGET_UP=0
  say "WARNING: target $TARGET_HOST:$TARGET_PORT does not accept connections; measuring the baseline only."
fi
if [[ $TARGET_UP == 1 && -z "$TARGET_PID" ]]; then
  TARGET_PID=$(listener_pid "$TARGET_PORT")
fi
say "target ($TARGET_LABEL): $TARGET_HOST:$TARGET_PORT pid ${TARGET_PID:-unknown}"

GEN=(java -Xms128m -Xmx256m -cp "$JAR" io.junction.bench.LoadGenerator --connections "$CONNECTIONS"
  --inflight "$INFLIGHT" --size "$SIZE" --warmup "$WARMUP" --duration "$DURATION")
# Hard bound on each generator run: all phases plus connect and drain slack.
GEN_TIMEOUT=$(( (WARMUP + DURATION + 20) * $(tr ',' '\n' <<< "$CONNECTIONS" | wc -l) + 30 ))

run_load() { # label host port
  echo "load: $1 ($2:$3) ..."
  timeout "$GEN_TIMEOUT" "${GEN[@]}" --target "$2:$3" --label "$1" | tee -a "$OUT/results.txt" || true
}
run_idle() { # label host port pid
  echo "idle: $1 ($2:$3, pid $4, $IDLE_COUNT connections) ..."
  timeout 300 java -Xmx256m -cp "$JAR" io.junction.bench.IdleConnections --target "$2:$3" --pid "$4" \
    --count "$IDLE_COUNT" --label "$1" 2> >(tee -a "$OUT/idle.err" >&2) | tee -a "$OUT/results.txt" || true
}

: > "$OUT/results.txt"
# Alternating rounds spread slow drift (other work on the machine) over both sides.
for _ in $(seq 1 "$ROUNDS"); do
  run_load raw 127.0.0.1 "$BASE_PORT"
  if [[ $TARGET_UP == 1 ]]; then run_load "$TARGET_LABEL" "$TARGET_HOST" "$TARGET_PORT"; fi
done
if [[ $IDLE == 1 ]]; then
  run_idle raw 127.0.0.1 "$BASE_PORT" "$BASE_PID"
  if [[ $TARGET_UP == 1 && -n "$TARGET_PID" ]]; then
    run_idle "$TARGET_LABEL" "$TARGET_HOST" "$TARGET_PORT" "$TARGET_PID"
  elif [[ $TARGET_UP == 1 ]]; then
    say "idle test of the target skipped: its PID is unknown (pass --target-pid)"
  fi
fi

say ""
awk -v raw=raw -v tgt="$TARGET_LABEL" -f "$BENCH_DIR/report.awk" "$OUT/results.txt" | tee -a "$SUMMARY"
if grep -q 'status=FAILED' "$OUT/results.txt"; then
  say "FAILED: at least one run saw a wrong, missing or reordered echo (see status column)"
  exit 1
fi
