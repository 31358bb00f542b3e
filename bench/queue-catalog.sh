#!/usr/bin/env bash
# What undeclared queues cost a node (docs/QUEUES.md, "Queues that are not declared"): N queues
# created with PUT and given one delayed message each, then GET /v1/queues, a restart (ready, and
# every queue recovered), and 100 deletions. The demo node on its embedded H2 journal, on 127.0.0.1
# only. Run it from a clean clone (./junction rebuilds its jar when src/main is newer); it uses and
# removes ./data, and stops the node it starts on exit.
#   bench/queue-catalog.sh [N]        (default 1000)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000}
API=http://127.0.0.1:8080
LOG=$(mktemp /tmp/queue-catalog-node.XXXXXX)
ms() { echo $(( ($2 - $1) / 1000000 )); }
now() { date +%s%N; }
node_pids() { pgrep -f 'junction-.*-all.jar run' || true; }
start() {
  (setsid ./junction run >>"$LOG" 2>&1 &)
  for _ in $(seq 1 600); do curl -sf "$API/v1/ready" >/dev/null 2>&1 && return 0; sleep 0.2; done
  echo "node not ready; its log: $LOG" >&2; exit 1
}
stop() {
  local pids; pids=$(node_pids); [ -z "$pids" ] && return 0
  kill -TERM $pids 2>/dev/null || true
  for _ in $(seq 1 150); do [ -z "$(node_pids)" ] && return 0; sleep 0.2; done
  kill -KILL $(node_pids) 2>/dev/null || true
}
trap stop EXIT
if [ -n "$(node_pids)" ]; then echo "a node is running already; stop it first" >&2; exit 1; fi
rm -rf data
start; stop  # builds the jar if needed, creates the schema
t0=$(now); start; t1=$(now); echo "start to ready, only the demo's queue: $(ms $t0 $t1) ms"
t0=$(now)
for i in $(seq 1 "$N"); do
  curl -sf -X PUT "$API/v1/queues/catalog.$i" >/dev/null
  curl -sf -X POST "$API/v1/queues/catalog.$i/messages?header.x-delay=600000" \
    -H 'Content-Type: text/plain' --data "m$i" >/dev/null
done
t1=$(now); echo "$N PUT + $N publish, one curl each, sequential: $(ms $t0 $t1) ms"
for _ in 1 2 3 4 5; do
  curl -s -o /dev/null -w "GET /v1/queues ($((N + 1)) queues): %{time_total} s, %{size_download} bytes\n" "$API/v1/queues"
done
stop
t0=$(now); start; t1=$(now); echo "start to ready with $N undeclared queues: $(ms $t0 $t1) ms"
c=0
for _ in $(seq 1 600); do
  c=$(curl -s "$API/metrics" | grep -c '^junction_queue_delayed{queue="catalog\.' || true)
  [ "$c" -ge "$N" ] && break; sleep 0.1
done
t2=$(now); echo "every queue recovered (in /metrics) $(ms $t0 $t2) ms after start ($c of $N)"
t0=$(now)
for i in $(seq 1 100); do curl -sf -X DELETE "$API/v1/queues/catalog.$i" >/dev/null; done
t1=$(now); echo "100 DELETE, sequential (each answered once its journal rows are gone): $(ms $t0 $t1) ms"
curl -s "$API/v1/queues" | python3 -c 'import json,sys; print("listed after 100 deletions:", len(json.load(sys.stdin)))'
stop
rm -rf data "$LOG"
