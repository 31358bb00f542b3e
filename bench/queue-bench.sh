#!/usr/bin/env bash
# Durable queues side by side: Junction's HTTP queue API on the H2 journal, on a PostgreSQL
# journal, RabbitMQ (durable queue, persistent messages, publisher confirms, manual acks,
# prefetch) and, on request, NATS JetStream (file storage, work-queue stream, PubAcks, explicit
# acks; it acknowledges before fsync: see bench/README.md), with the same load shapes, in one run.
# See bench/README.md ("Durable queues").
#
#   bench/queue-bench.sh                          # Junction (H2, PostgreSQL) and RabbitMQ
#   bench/queue-bench.sh --systems junction-h2,rabbitmq --duration 10
#   bench/queue-bench.sh --systems junction-h2,junction-pg,rabbitmq,nats
#
# Options: --systems LIST (junction-h2,junction-pg,rabbitmq; also nats)  --shapes LIST (1x1,8x8)
#          --rates LIST (5000,1000: one paced latency run per rate and shape)  --warmup S (10)  --duration S (15)
#          --window N (16 publishes awaiting confirmation per producer)  --batch N (100)
#          --max-backlog N (5000)  --size BYTES (1024)  --node-wait S (180)
#          --api fast|classic|ws|stomp (Junction clients: batch publish + streamed consume, the
#            request-per-publish + polled lease of earlier runs, one WebSocket per producer and
#            per consumer, or one STOMP connection per producer and per consumer: the nodes then
#            start with their STOMP listener, as in variant stomp)
#          --connections N (4 per producer, sharing its window; fast only)
#          --rounds N (1: every load on every system, interleaved, N times)
#          --throughput yes|no (yes: also the unpaced throughput loads)
#          --node-opts 'OPTS' (extra JVM options for every Junction node)
# Junction systems: junction-h2, junction-pg, and variants named junction-h2-<v>[-<v>...] or
# junction-pg-<v>[-<v>...]
# with v one of zgc (-XX:+UseZGC), shen (-XX:+UseShenandoahGC), g1p (G1 with a 20 ms pause goal),
# par / serial (the Parallel / Serial collector),
# p5 (G1 with a 5 ms pause goal), mn64 / mn32 (a fixed 64 / 32 MiB young generation), big (-Xms1g:
# the heap at its 1 GiB maximum from the start, so a larger young generation), dbd (queues
# with the opt-in deliver-before-durable, docs/QUEUES.md), pipe (junction.journal.pipeline = on:
# the queue serves while its write commits), nosnap (no snapshots, so no pruning
# either), seN (snapshot-every = N instead of auto), c1m / c4m (H2 page cache of 1 / 4 MiB), rt1 /
# rt5 (H2 keeps dead chunks 1 / 5 s, not 45), fj2 (default and internal dispatchers at 2 threads),
# aff / aff10 (the default dispatcher on Pekko's spinning AffinityPool), onepool (Pekko's internal
# dispatcher an alias of the default one), j25 (the node on the JDK in JDK25_HOME, default
# /usr/lib/jvm/temurin-25-jdk-amd64), base (the node of the checkout in BASE_ROOT, e.g. a clone of
# the commit before a change, side by side), ws (the same node, its loads with --api ws whatever
# --api says, so both clients run in one run), stomp (the node with its STOMP listener on a free
# port, -Djunction.stomp.enabled=on -Djunction.stomp.port=0, read from its log; its loads with
# --api stomp --stomp-port PORT whatever --api says: SEND with a receipt per message, the RECEIPT
# as publisher confirm, SUBSCRIBE with ack:client-individual); e.g. junction-h2-shen-dbd,
# junction-pg-j25-zgc, junction-h2-base, junction-pg-se100, junction-pg-ws, junction-h2-stomp.
# Each node logs its collections and safepoints (every stop-the-world
# pause, whatever the collector) to gc-<system>.log in the results.
# Needs: java 17, maven, PostgreSQL (/usr/lib/postgresql/*/bin) and rabbitmq-server installed
# (apt-get install -y postgresql rabbitmq-server); for nats, Debian's nats-server, which the script
# installs itself (apt-get, as root) when it is missing. Everything binds 127.0.0.1 only; every
# process this script starts is stopped on exit, whatever the exit path.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$BENCH_DIR")
JAR="$BENCH_DIR/target/junction-bench.jar"

SYSTEMS=junction-h2,junction-pg,rabbitmq
SHAPES=1x1,8x8
RATES=5000,1000
WARMUP=10
DURATION=15
WINDOW=16
BATCH=100
MAX_BACKLOG=5000
SIZE=1024
JDK25_HOME=${JDK25_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
NODE_WAIT=180
API=fast
ROUNDS=1
CONNECTIONS=4
THROUGHPUT=yes
NODE_OPTS=""

while [[ $# -gt 0 ]]; do
  case "$1" in
    --systems) SYSTEMS=$2; shift 2 ;;
    --shapes) SHAPES=$2; shift 2 ;;
    --rates) RATES=$2; shift 2 ;;
    --warmup) WARMUP=$2; shift 2 ;;
    --duration) DURATION=$2; shift 2 ;;
    --window) WINDOW=$2; shift 2 ;;
    --batch) BATCH=$2; shift 2 ;;
    --max-backlog) MAX_BACKLOG=$2; shift 2 ;;
    --size) SIZE=$2; shift 2 ;;
    --node-wait) NODE_WAIT=$2; shift 2 ;;
    --api) API=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    --connections) CONNECTIONS=$2; shift 2 ;;
    --throughput) THROUGHPUT=$2; shift 2 ;;
    --node-opts) NODE_OPTS=$2; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d'; exit 0 ;;
    *) echo "unknown option: $1 (try --help)" >&2; exit 2 ;;
  esac
done

OUT="$BENCH_DIR/results/queue-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$OUT"
SUMMARY="$OUT/summary.txt"
WORK=$(mktemp -d /tmp/junction-queue-bench.XXXXXX)
chmod 755 "$WORK" # the postgres user must reach its data directory inside

# --- process bookkeeping: each server runs in its own process group, stopped on exit ---
STARTED=()      # process group ids
EXTRA_PIDS=()   # daemons that leave their group (epmd started by RabbitMQ)
stop_groups() {
  local pgid alive
  for pgid in "${STARTED[@]:-}"; do
    [[ -n "$pgid" ]] && kill -TERM -- "-$pgid" 2>/dev/null || true
  done
  for _ in $(seq 1 100); do
    alive=0
    for pgid in "${STARTED[@]:-}"; do
      [[ -n "$pgid" ]] && kill -0 -- "-$pgid" 2>/dev/null && alive=1
    done
    [[ $alive == 0 ]] && break
    sleep 0.2
  done
  for pgid in "${STARTED[@]:-}"; do
    [[ -n "$pgid" ]] && kill -KILL -- "-$pgid" 2>/dev/null || true
  done
  STARTED=()
}
cleanup() {
  declare -F stop_postgres > /dev/null && stop_postgres # defined once postgres-lib.sh is sourced
  stop_groups
  local pid
  for pid in "${EXTRA_PIDS[@]:-}"; do
    [[ -n "$pid" ]] && kill -TERM "$pid" 2>/dev/null || true
  done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { echo "$*" | tee -a "$SUMMARY"; }
# free_port, start_postgres, stop_postgres
source "$BENCH_DIR/postgres-lib.sh"
# CPU time (clock ticks, user + system) of every process in the given process groups, from
# /proc/PID/stat (the command name in parentheses may hold spaces: fields are counted after it).
CLK_TCK=$(getconf CLK_TCK)
group_ticks() {
  # (a process that exits between the glob and cat makes cat fail: not an error here)
  { cat /proc/[0-9]*/stat 2>/dev/null || true; } | awk -v groups=" $* " '
    { sub(/^.*\) /, ""); if (index(groups, " " $3 " ")) t += $12 + $13 } END { print t + 0 }'
}
declare -A SERVER_GROUPS # system -> the process groups doing its server side's work
# The stop-the-world pauses in a JVM's -Xlog:safepoint file: "count total-ms max-ms >=5 >=10 >=50".
safepoints() {
  awk '/Safepoint ".*Total: [0-9]+ ns/ {
      match($0, /Total: [0-9]+ ns/); t = substr($0, RSTART + 7, RLENGTH - 10) / 1e6
      n++; sum += t; if (t > max) max = t; if (t >= 5) o5++; if (t >= 10) o10++; if (t >= 50) o50++
    }
    END { printf "%d %.1f %.1f %d %d %d\n", n, sum, max, o5, o10, o50 }' "$1"
}
accepts() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
wait_port() { # port seconds pid what
  for _ in $(seq 1 $(($2 * 5))); do
    accepts "$1" && return 0
    kill -0 "$3" 2>/dev/null || { say "ERROR: $4 exited; see $OUT"; return 1; }
    sleep 0.2
  done
  say "ERROR: $4 not accepting on 127.0.0.1:$1 within $2 s"; return 1
}

CPU_MODEL=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
say "machine: nproc=$(nproc) cpu='$CPU_MODEL' mem=$(free -g | awk '/Mem:/{print $2}')GiB loadavg='$(cut -d' ' -f1-3 /proc/loadavg)'"
say "java: $(java -version 2>&1 | head -1)"
say "run: systems=$SYSTEMS shapes=$SHAPES rates=$RATES warmup=${WARMUP}s duration=${DURATION}s window=$WINDOW batch=$BATCH max-backlog=$MAX_BACKLOG size=$SIZE api=$API connections=$CONNECTIONS rounds=$ROUNDS throughput=$THROUGHPUT node-opts='$NODE_OPTS'"
say "results: $OUT"

echo "building bench jar..."
mvn -B -q -f "$BENCH_DIR/pom.xml" package -DskipTests > "$OUT/build.log" 2>&1 || { cat "$OUT/build.log"; exit 1; }

: > "$OUT/results.txt"
run_one() { # label system port run(throughput|RATE) shape
  local p=${5%x*} c=${5#*x} mode=throughput rate="" extra=()
  if [[ $4 != throughput ]]; then rate=$4; mode=latency; extra=(--rate "$rate"); fi
  echo "load (round $ROUND): $1 $mode ${p}x${c} ..."
  # Write back what the previous load left dirty in the page cache before this one starts: the kernel
  # otherwise does it 30 s later (vm.dirty_expire_centisecs), in the middle of the next system's
  # load, and every fsync of that system waits behind it (docs/PERFORMANCE.md, "The stall that
  # followed RabbitMQ").
  sync
  echo "load start: $(date +%T) $1 $mode ${p}x${c}" >> "$OUT/results.txt"
  local ticks0 line
  ticks0=$(group_ticks ${SERVER_GROUPS[$1]})
  # the client's own stop-the-world pauses: they delay what it measures, whichever system it loads
  local client_gc="$OUT/client-gc-$1-$mode-${rate:-0}-$5-r$ROUND.log"
  local trace="$OUT/tail-$1-$mode-${rate:-0}-$5-r$ROUND.txt"
  [[ $mode == latency ]] || trace=""
  timeout $((WARMUP + DURATION + 120)) java -Xms256m -Xmx1g -Xlog:safepoint:file="$client_gc":uptime,timemillis -cp "$JAR" io.junction.bench.QueueBench \
    --system "$2" --target "127.0.0.1:$3" --label "$1" --queue "bench-$mode-${rate:-0}-$5-$ROUND-$RANDOM" \
    --producers "$p" --consumers "$c" --window "$WINDOW" --batch "$BATCH" --size "$SIZE" \
    --warmup "$WARMUP" --duration "$DURATION" --max-backlog "$MAX_BACKLOG" "${extra[@]}" \
    --api "${CLIENT_API[$1]:-$API}" --connections "$CONNECTIONS" ${CLIENT_OPTS[$1]:-} ${trace:+--trace "$trace"} \
    2> >(tee -a "$OUT/client.err" >&2) | sed -u "s/^RESULT /RESULT round=$ROUND /" | tee -a "$OUT/results.txt" \
    || say "WARNING: $1 $mode ${rate:-} $5 did not finish"
  # The server side's CPU per message over the whole load (warm-up and drain included, as the
  # published count): the node and, on PostgreSQL, the database's processes; the broker's.
  line=$(grep "^RESULT round=$ROUND label=$1 " "$OUT/results.txt" | grep " mode=$mode shape=$5 rate=${rate:-0} " | tail -1 || true)
  if [[ $line =~ \ published=([0-9]+) ]] && (( BASH_REMATCH[1] > 0 )); then
    echo "CPU round=$ROUND label=$1 mode=$mode shape=$5 rate=${rate:-0} server_cpu_ms=$(( ($(group_ticks ${SERVER_GROUPS[$1]}) - ticks0) * 1000 / CLK_TCK )) published=${BASH_REMATCH[1]}" >> "$OUT/results.txt"
  fi
  echo "loadavg after: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/results.txt"
  if [[ -f $client_gc ]]; then
    local n sum max o5
    read -r n sum max o5 _ < <(safepoints "$client_gc")
    echo "client pauses ($1 $mode ${rate:-} $5 round $ROUND): $n safepoints, $sum ms in all, max $max ms, >=5 ms: $o5" >> "$OUT/results.txt"
  fi
  # What the slowest 1% were in flight with: node and client stops, slow statements, the client's
  # hiccups (TailCauses)
  if [[ -n $trace && -f $trace ]]; then
    local db_log="" node_gc=""
    [[ $1 == junction-pg* && -f $WORK/pg/server.log ]] && db_log=$WORK/pg/server.log
    [[ -f $OUT/gc-$1.log ]] && node_gc=$OUT/gc-$1.log
    java -cp "$JAR" io.junction.bench.TailCauses --label "$1 $mode ${rate:-0} $5 round=$ROUND" --trace "$trace" \
      ${node_gc:+--node-gc "$node_gc"} --client-gc "$client_gc" ${db_log:+--db-log "$db_log"} >> "$OUT/results.txt" \
      || say "WARNING: TailCauses failed for $trace"
  fi
  if [[ $2 == junction ]]; then # journal writes, messages per write, snapshots (cumulative)
    { echo "# after round $ROUND $1 $mode ${rate:-} $5"; curl -s "http://127.0.0.1:$3/metrics" | grep -E '^junction_queue_(journal|snapshot)|^junction_http_requests_total|^junction_stomp_' || true; } >> "$OUT/journal-$1.txt"
  fi
}

if [[ ,$SYSTEMS, == *,junction-* ]]; then
  echo "building the node jar if it is stale (./junction --help)..."
  (cd "$ROOT" && ./junction --help) > "$OUT/node-build.log" 2>&1 || { cat "$OUT/node-build.log"; exit 1; }
fi

# --- Junction: ./junction run (the demo node) with every listener on a free port, fresh data dir ---
start_node() { # label, extra JVM option, extra env assignments...
  local label=$1 jopt=$2; shift 2
  local log="$OUT/node-$label.log"
  echo "starting node ($label): ./junction run in ${NODE_ROOT:-$ROOT} (log $log)"
  (cd "${NODE_ROOT:-$ROOT}" && exec env "$@" JUNCTION_DATA_DIR="$WORK/node-$label" \
     JUNCTION_JAVA_OPTS="-Xms256m -Xmx1g -Xlog:gc,safepoint:file=$OUT/gc-$label.log:uptime,timemillis -Djunction.http.port=0 -Djunction.endpoints.people.port=0 -Djunction.endpoints.frames.port=0 -Djunction.endpoints.datagrams.port=0 -Djunction.endpoints.lines.port=0 $NODE_OPTS $jopt" \
     setsid ./junction run) > "$log" 2>&1 &
  local pgid=$!
  STARTED+=("$pgid")
  NODE_PGID=$pgid
  wait_logged_port "$log" http "$pgid" "$label"; NODE_PORT=$LOGGED_PORT
  STOMP_PORT=""
  if [[ $jopt == *-Djunction.stomp.enabled=on* ]]; then
    wait_logged_port "$log" stomp "$pgid" "$label"; STOMP_PORT=$LOGGED_PORT
  fi
  say "node ($label): HTTP 127.0.0.1:$NODE_PORT${STOMP_PORT:+, STOMP 127.0.0.1:$STOMP_PORT}"
}


# --- RabbitMQ: own node name, data dir, config and ports, loopback only ---
start_rabbitmq() {
  local server=/usr/lib/rabbitmq/bin/rabbitmq-server
  [[ -x $server ]] || { say "ERROR: install rabbitmq-server (apt-get install rabbitmq-server)"; exit 1; }
  local dir="$WORK/rabbitmq"
  mkdir -p "$dir"
  RABBIT_PORT=$(free_port)
  local dist
  dist=$(free_port)
  echo "[]." > "$dir/enabled_plugins"
  printf 'listeners.tcp.default = 127.0.0.1:%s\nloopback_users.guest = true\n' "$RABBIT_PORT" > "$dir/rabbitmq.conf"
  local epmd_before
  epmd_before=$(pgrep -x epmd || true)
  (cd "$dir" && exec env HOME="$dir" RABBITMQ_NODENAME="junction-bench-$$@localhost" \
     RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 RABBITMQ_NODE_PORT="$RABBIT_PORT" RABBITMQ_DIST_PORT="$dist" \
     RABBITMQ_MNESIA_BASE="$dir/mnesia" RABBITMQ_LOG_BASE="$dir/log" RABBITMQ_PID_FILE="$dir/pid" \
     RABBITMQ_CONFIG_FILE="$dir/rabbitmq.conf" RABBITMQ_ENABLED_PLUGINS_FILE="$dir/enabled_plugins" \
     RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}" \
     ERL_EPMD_ADDRESS=127.0.0.1 setsid "$server") > "$OUT/rabbitmq.log" 2>&1 &
  local pgid=$!
  STARTED+=("$pgid")
  RABBIT_PGID=$pgid
  wait_port "$RABBIT_PORT" 120 "$pgid" rabbitmq || exit 1
  # epmd daemonizes out of the group: stop it at the end if this run started it
  if [[ -z "$epmd_before" ]]; then EXTRA_PIDS+=("$(pgrep -x epmd || true)"); fi
  say "rabbitmq: $(dpkg-query -W -f='${Version}' rabbitmq-server 2>/dev/null || echo '?') on 127.0.0.1:$RABBIT_PORT (classic durable queue, persistent, confirms)"
}

# --- NATS JetStream: Debian's nats-server, store in the run's temp dir, loopback only ---
start_nats() {
  local server
  server=$(command -v nats-server || echo /usr/sbin/nats-server)
  if [[ ! -x $server ]]; then
    [[ $(id -u) == 0 ]] || { say "ERROR: install nats-server (apt-get install nats-server)"; exit 1; }
    echo "installing nats-server (apt-get install -y nats-server, log nats-install.log)..."
    { apt-get install -y nats-server || { apt-get update && apt-get install -y nats-server; }; } \
      > "$OUT/nats-install.log" 2>&1 || { say "ERROR: installing nats-server failed, see $OUT/nats-install.log"; exit 1; }
    server=$(command -v nats-server || echo /usr/sbin/nats-server)
  fi
  local dir="$WORK/nats"
  mkdir -p "$dir"
  NATS_PORT=$(free_port)
  # -sd: JetStream's file store (in $dir/store/jetstream), removed with $WORK at the end
  (cd "$dir" && exec setsid "$server" -a 127.0.0.1 -p "$NATS_PORT" -js -sd "$dir/store") > "$OUT/nats.log" 2>&1 &
  local pgid=$!
  STARTED+=("$pgid")
  NATS_PGID=$pgid
  wait_port "$NATS_PORT" 60 "$pgid" nats-server || exit 1
  say "nats: $("$server" --version | sed 's/^nats-server: //') on 127.0.0.1:$NATS_PORT (JetStream file store, 1 replica, work-queue stream; PubAck before fsync)"
}

# Every system is started first and stays up; then each load runs on every system in turn, round
# after round. On a shared machine the background load drifts by the minute, so interleaving keeps
# the systems' figures of one load comparable; the report gives the ratios per round.
# CLIENT_API: a system's --api when not the run's (variants ws, stomp); CLIENT_OPTS: further
# client options of a system (--stomp-port)
declare -A PORT KIND CLIENT_API CLIENT_OPTS
for system in ${SYSTEMS//,/ }; do
  case "$system" in
    junction-h2|junction-h2-*|junction-pg|junction-pg-*)
      journal=${system#junction-}; journal=${journal%%-*}
      gc="" env=() NODE_ROOT=$ROOT api=$API
      # the default url-options (docs/CONFIG.md), for the variants that add one H2 setting to them
      h2_opts="-Djunction.journal.h2.url-options=;WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE"
      for variant in $(echo "${system#junction-$journal}" | tr '-' ' '); do
        case "$variant" in
          # another collector: without the launcher's G1 pause goal (JUNCTION_GC_OPTS)
          zgc) gc="$gc -XX:+UseZGC"; env+=(JUNCTION_GC_OPTS=) ;;
          shen) gc="$gc -XX:+UseShenandoahGC"; env+=(JUNCTION_GC_OPTS=) ;;
          g1p) gc="$gc -XX:+UseG1GC -XX:MaxGCPauseMillis=20" ;;
          par) gc="$gc -XX:+UseParallelGC"; env+=(JUNCTION_GC_OPTS=) ;;
          serial) gc="$gc -XX:+UseSerialGC"; env+=(JUNCTION_GC_OPTS=) ;;
          # G1 with the JVM's 200 ms pause goal: the launcher's default before the eleventh session
          g1d) env+=(JUNCTION_GC_OPTS=) ;;
          dbd) gc="$gc -Djunction.queue-defaults.deliver-before-durable=on" ;;
          # the opt-in write pipeline: the queue serves while its write commits (docs/QUEUES.md)
          pipe) gc="$gc -Djunction.journal.pipeline=on" ;;
          p5) gc="$gc -XX:MaxGCPauseMillis=5" ;;
          p10) gc="$gc -XX:MaxGCPauseMillis=10" ;;
          # no pekko-http request timeout: each request's timer (cancelled, but held in the
          # scheduler's wheel until its deadline) lives 20 s otherwise
          rto) gc="$gc -Dpekko.http.server.request-timeout=off" ;;
          mn64) gc="$gc -Xmn64m" ;;
          mn32) gc="$gc -Xmn32m" ;;
          # the whole 1 GiB heap from the start (the bench's nodes start at 256 MiB), so G1's young
          # generation can grow to its 60% of it: fewer collections
          big) gc="$gc -Xms1g" ;;
          nosnap) gc="$gc -Djunction.queue-defaults.snapshot-every=1000000000" ;;
          # the default and internal dispatchers at 2 threads each (Pekko's minimum is 8 and 4)
          fj2) gc="$gc -Dpekko.actor.default-dispatcher.fork-join-executor.parallelism-max=2 -Dpekko.actor.internal-dispatcher.fork-join-executor.parallelism-max=2" ;;
          # one pool: Pekko's internal actors too on the default dispatcher (a dispatcher alias;
          # the TCP connections and the journal plugins are there by default since the tenth session)
          onepool) gc="$gc -Dpekko.actor.internal-dispatcher=pekko.actor.default-dispatcher" ;;
          # the default dispatcher on Pekko's AffinityPool (2 threads that spin before parking, as
          # Erlang's schedulers do; aff10 spins the most)
          aff|aff10) ad=pekko.actor.default-dispatcher
               gc="$gc -D$ad.executor=affinity-pool-executor -D$ad.affinity-pool-executor.parallelism-min=2 -D$ad.affinity-pool-executor.parallelism-max=2 -D$ad.affinity-pool-executor.task-queue-size=65536"
               [[ $variant == aff10 ]] && gc="$gc -D$ad.affinity-pool-executor.idle-cpu-level=10" ;;
          # the node unchanged, its loads through the WebSocket client (--api ws)
          ws) api=ws ;;
          # the node with its STOMP listener, its loads through the STOMP client (--api stomp)
          stomp) api=stomp ;;
          se[0-9]*) gc="$gc -Djunction.queue-defaults.snapshot-every=${variant#se}" ;;
          # H2's page cache size in KiB
          c1m) gc="$gc $h2_opts;CACHE_SIZE=1024" ;;
          c4m) gc="$gc $h2_opts;CACHE_SIZE=4096" ;;
          # ... or how long H2 keeps dead chunks (ms; H2's default 45000, 0 is unsafe: h2database#2752)
          rt1) gc="$gc $h2_opts;RETENTION_TIME=1000" ;;
          rt5) gc="$gc $h2_opts;RETENTION_TIME=5000" ;;
          # the node on a second JDK (its zgc is generational, the only ZGC since JDK 24)
          j25) [[ -x $JDK25_HOME/bin/java ]] || { say "ERROR: no java in JDK25_HOME=$JDK25_HOME"; exit 2; }
               env+=("PATH=$JDK25_HOME/bin:$PATH") ;;
          # the node built from another checkout, e.g. the commit before a change, side by side
          base) [[ -n ${BASE_ROOT:-} && -x $BASE_ROOT/junction ]] || { say "ERROR: base needs BASE_ROOT, a checkout with ./junction"; exit 2; }
                NODE_ROOT=$BASE_ROOT
                echo "building the base node jar if it is stale ($BASE_ROOT)..."
                (cd "$BASE_ROOT" && ./junction --help) > "$OUT/node-build-base.log" 2>&1 || { cat "$OUT/node-build-base.log"; exit 1; } ;;
          *) say "unknown system: $system"; exit 2 ;;
        esac
      done
      # a free port, read from the node's log by start_node
      [[ $api == stomp ]] && gc="$gc -Djunction.stomp.enabled=on -Djunction.stomp.port=0"
      if [[ $journal == pg ]]; then
        # every PostgreSQL-journaled node shares one server (queue names are unique per load)
        [[ -n ${PG_PORT:-} ]] || start_postgres
        env+=(JUNCTION_JOURNAL_KIND=postgres JUNCTION_PG_URL="jdbc:postgresql://127.0.0.1:$PG_PORT/junction"
              JUNCTION_PG_USER=junction JUNCTION_PG_PASSWORD="$PG_PASSWORD")
      fi
      start_node "$system" "$gc -Djunction.demo-ftp.port=$(free_port)" "${env[@]}"
      PORT[$system]=$NODE_PORT; KIND[$system]=junction; CLIENT_API[$system]=$api
      [[ $api == stomp ]] && CLIENT_OPTS[$system]="--stomp-port $STOMP_PORT"
      SERVER_GROUPS[$system]=$NODE_PGID
      [[ $journal == pg ]] && SERVER_GROUPS[$system]+=" $(ps -o pgid= -p "$(head -1 "$WORK/pg/data/postmaster.pid")" | tr -d ' ')" ;;
    rabbitmq)
      start_rabbitmq
      PORT[$system]=$RABBIT_PORT; KIND[$system]=rabbitmq; SERVER_GROUPS[$system]=$RABBIT_PGID ;;
    nats)
      start_nats
      PORT[$system]=$NATS_PORT; KIND[$system]=nats; SERVER_GROUPS[$system]=$NATS_PGID ;;
    *) say "unknown system: $system"; exit 2 ;;
  esac
done
for ROUND in $(seq 1 "$ROUNDS"); do
  runs=${RATES//,/ }
  [[ $THROUGHPUT == yes ]] && runs="throughput $runs"
  for run in $runs; do
    for shape in ${SHAPES//,/ }; do
      for system in ${SYSTEMS//,/ }; do
        run_one "$system" "${KIND[$system]}" "${PORT[$system]}" "$run" "$shape"
      done
    done
  done
done
stop_groups
stop_postgres

say ""
say "loadavg at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
awk -f "$BENCH_DIR/queue-report.awk" "$OUT/results.txt" | tee -a "$SUMMARY"
# What each latency load's slowest 1% were in flight with (TailCauses; a share is only a cause
# where it is well above its control)
grep '^TAIL ' "$OUT/results.txt" | tee -a "$SUMMARY" || true
# Stop-the-world pauses of each node over the whole run (safepoints: GC and everything else).
for f in "$OUT"/gc-*.log; do
  [[ -f $f ]] || continue
  read -r n sum max _ o10 o50 < <(safepoints "$f")
  printf "pauses %-18s %6d safepoints, %8.1f ms in all, max %7.1f ms, >=10 ms: %d, >=50 ms: %d\n" \
    "$(basename "$f" .log | sed 's/^gc-//')" "$n" "$sum" "$max" "$o10" "$o50"
done | tee -a "$SUMMARY"
# What each node allocated per message it took, over the whole run (warm-ups included): the heap
# before each collection less the heap after the previous one ("Pause Young ... 147M->89M(287M)",
# G1's and Parallel's log format; other collectors print n/a), over the messages published to it.
for f in "$OUT"/gc-*.log; do
  [[ -f $f ]] || continue
  name=$(basename "$f" .log | sed 's/^gc-//')
  msgs=$(awk -v l="label=$name " '/^RESULT / && index($0, l) { if (match($0, / published=[0-9]+/)) n += substr($0, RSTART + 11, RLENGTH - 11) } END { print n + 0 }' "$OUT/results.txt")
  awk -v name="$name" -v msgs="$msgs" '
    /Pause (Young|Full|Remark|Cleanup)/ && match($0, /[0-9]+M->[0-9]+M\(/) {
      split(substr($0, RSTART, RLENGTH - 1), h, /M->|M/)
      if (seen) alloc += (h[1] > after ? h[1] - after : 0)
      after = h[2]; seen = 1; if ($0 ~ /Pause Young/) young++
    }
    END {
      if (!seen || msgs == 0) { printf "alloc  %-18s n/a\n", name; exit }
      printf "alloc  %-18s %6d young collections, %8d MiB allocated, %d messages, %.1f KiB per message\n", name, young, alloc, msgs, alloc * 1024 / msgs
    }
  ' "$f"
done | tee -a "$SUMMARY"
