#!/usr/bin/env bash
# Three Junction nodes on 127.0.0.1 in one Pekko cluster, sharing one journal.
#
#   deploy/local-cluster.sh start    build the jar if needed, start the journal and three nodes
#   deploy/local-cluster.sh start --bootstrap
#                                    the same, joined through Cluster Bootstrap (config discovery
#                                    of the management endpoints) instead of seed nodes
#   deploy/local-cluster.sh status   processes and cluster membership
#   deploy/local-cluster.sh stop     SIGTERM every node (each leaves the cluster gracefully), then
#                                    the H2 server; kill -9 only what is still up after 60 s
#
# node N (1..3): cluster port 2552N, HTTP 808N, Pekko Management 762(6+N) (GET /ready, /alive),
# demo endpoints on 70N0..70N3 (people 70N0,
# datagrams 70N1, frames 70N2, lines 70N3). Node 1 also runs the demo FTP server (2121) that
# every node archives to. Journal: an H2 TCP server on 127.0.0.1:9092 (JUNCTION_H2_PORT), or
# PostgreSQL when JUNCTION_PG_URL is set (with JUNCTION_PG_USER and JUNCTION_PG_PASSWORD).
# Logs and pid files: data/cluster/.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
jar="target/junction-0.1.0-SNAPSHOT-all.jar"
run_dir="data/cluster"
h2_port="${JUNCTION_H2_PORT:-9092}"
nodes=(1 2 3)

build() {
  if [ ! -f "$jar" ] || [ -n "$(find pom.xml src/main -newer "$jar" -print -quit 2>/dev/null)" ]; then
    echo "building $jar ..." >&2
    mvn -B -q -Dstyle.color=never -DskipTests -Dspotless.check.skip=true package >&2
  fi
}

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# wait_for SECONDS DESCRIPTION COMMAND...: a bounded poll of a condition.
wait_for() {
  local seconds="$1" what="$2"; shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    if [ "$SECONDS" -ge "$deadline" ]; then echo "timed out after ${seconds}s waiting for $what" >&2; return 1; fi
    sleep 0.5
  done
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
healthy() { curl -fsS "http://127.0.0.1:$1/v1/health"; }

start_h2() {
  if [ -n "${JUNCTION_PG_URL:-}" ]; then return; fi
  if alive "$run_dir/h2.pid"; then echo "h2 already running (pid $(cat "$run_dir/h2.pid"))"; return; fi
  mkdir -p "$run_dir/h2"
  # -tcp without -tcpAllowOthers: loopback connections only; -ifNotExists: create on first use.
  nohup java -Xmx256m -cp "$jar" org.h2.tools.Server -tcp -tcpPort "$h2_port" \
    -baseDir "$run_dir/h2" -ifNotExists >"$run_dir/h2.log" 2>&1 &
  echo $! >"$run_dir/h2.pid"
  wait_for 60 "the H2 server on port $h2_port" port_open "$h2_port"
  echo "h2 journal server on 127.0.0.1:$h2_port (pid $(cat "$run_dir/h2.pid"))"
}

start_node() {
  local n="$1" pidfile="$run_dir/node-$1.pid"
  if alive "$pidfile"; then echo "node-$n already running (pid $(cat "$pidfile"))"; return; fi
  local -a journal
  if [ -n "${JUNCTION_PG_URL:-}" ]; then
    journal=(JUNCTION_JOURNAL_KIND=postgres)
  else
    journal=(JUNCTION_JOURNAL_KIND=h2 "JUNCTION_H2_URL=jdbc:h2:tcp://127.0.0.1:$h2_port/./junction;WRITE_DELAY=0")
  fi
  local demo_ftp=off
  [ "$n" = 1 ] && demo_ftp=on
  local -a joining=()
  # A node restarted while others run must join them, never form a cluster of its own: Pekko lets
  # the FIRST seed node form a new cluster when no seed answers within seed-node-timeout (5 s), which
  # a loaded machine can exceed. So a restarted node lists only the running nodes as seeds.
  local others="" m
  for m in "${nodes[@]}"; do
    if [ "$m" != "$n" ] && alive "$run_dir/node-$m.pid"; then others="${others:+$others,}127.0.0.1:2552$m"; fi
  done
  if [ -n "$others" ] && [ "$bootstrap" = 0 ]; then joining=(JUNCTION_CLUSTER_SEED_NODES="$others"); fi
  if [ "$bootstrap" = 1 ]; then
    # no seed nodes: the nodes find each other's management endpoints and the lowest forms the cluster
    joining=(JUNCTION_CLUSTER_SEED_NODES= JUNCTION_BOOTSTRAP_ENABLED=on
      JUNCTION_BOOTSTRAP_CONTACT_POINTS=127.0.0.1:7627,127.0.0.1:7628,127.0.0.1:7629
      JUNCTION_BOOTSTRAP_REQUIRED_CONTACT_POINTS=3)
  fi
  env "${journal[@]}" "${joining[@]}" \
    JUNCTION_MANAGEMENT_ENABLED=on JUNCTION_MANAGEMENT_PORT="$((7626 + n))" \
    JUNCTION_NODE_NAME="node-$n" \
    JUNCTION_DATA_DIR="$run_dir/node-$n" \
    JUNCTION_CLUSTER_PORT="2552$n" \
    JUNCTION_HTTP_PORT="808$n" \
    JUNCTION_PEOPLE_PORT="70${n}0" \
    JUNCTION_DATAGRAMS_PORT="70${n}1" \
    JUNCTION_FRAMES_PORT="70${n}2" \
    JUNCTION_LINES_PORT="70${n}3" \
    nohup java ${JUNCTION_GC_OPTS--XX:MaxGCPauseMillis=10} ${JUNCTION_JAVA_OPTS:-} -Djunction.demo-ftp.enabled="$demo_ftp" -jar "$jar" \
      run --config deploy/local-cluster.conf >"$run_dir/node-$n.log" 2>&1 &
  echo $! >"$pidfile"
  echo "node-$n starting (pid $!, http 808$n, cluster 2552$n, management $((7626 + n)), log $run_dir/node-$n.log)"
}

start() {
  build
  mkdir -p "$run_dir"
  start_h2
  # node 1 first: it forms the cluster (and creates the journal schema); then the others join.
  # With bootstrap, node 1 (the lowest contact point) forms it once all three answer.
  start_node 1
  wait_for 120 "node-1's API on 8081" healthy 8081
  start_node 2
  start_node 3
  wait_for 120 "node-2's API on 8082" healthy 8082
  wait_for 120 "node-3's API on 8083" healthy 8083
  wait_for 120 "three members up" members_up 3
  status
}

members_up() {
  [ "$(curl -fsS http://127.0.0.1:8081/v1/cluster | grep -o '"status":"Up"' | wc -l)" -ge "$1" ]
}

status() {
  for f in "$run_dir"/h2.pid "$run_dir"/node-*.pid; do
    [ -f "$f" ] || continue
    if alive "$f"; then echo "$(basename "$f" .pid): running (pid $(cat "$f"))"
    else echo "$(basename "$f" .pid): not running"; fi
  done
  for n in "${nodes[@]}"; do
    if healthy "808$n" >/dev/null 2>&1; then
      echo
      java -jar "$jar" cluster status --url "http://127.0.0.1:808$n" --shards || true
      return 0
    fi
  done
  echo "no node answers on 8081-8083"
}

stop_pid() {
  local f="$1" seconds="$2"
  if ! alive "$f"; then rm -f "$f"; return; fi
  local pid; pid="$(cat "$f")"
  kill -TERM "$pid"
  if ! wait_for "$seconds" "$(basename "$f" .pid) to exit" bash -c "! kill -0 $pid"; then
    echo "$(basename "$f" .pid) still up after ${seconds}s: kill -9 $pid" >&2
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$f"
  echo "$(basename "$f" .pid) stopped"
}

stop() {
  # Nodes in reverse order, one at a time: each leaves gracefully and hands its shards over.
  for n in 3 2 1; do stop_pid "$run_dir/node-$n.pid" 60; done
  stop_pid "$run_dir/h2.pid" 30
}

bootstrap=0
[ "${2:-}" = "--bootstrap" ] && bootstrap=1
case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start [--bootstrap]|stop|status" >&2; exit 2 ;;
esac
