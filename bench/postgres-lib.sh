# Sourced by queue-bench.sh and queue-recovery.sh: a free loopback port, the port a starting node
# logs (wait_logged_port, which also needs NODE_WAIT), and a throwaway
# PostgreSQL cluster like the tests' (io.junction.testing.PostgresCluster): initdb in $WORK/pg,
# pg_ctl start on a free 127.0.0.1 port (as the postgres user when run as root), a database and a
# password user. The caller defines WORK (a temp dir the postgres user can reach), OUT (logs) and
# say(), and calls stop_postgres on exit. Sets PG_PORT and PG_PASSWORD.

PG_CTL=()       # how to stop the PostgreSQL cluster, if one runs
# A loopback port nobody listens on (checked, not reserved: the servers fail loudly if raced).
free_port() {
  local p
  for _ in $(seq 1 100); do
    p=$((20000 + RANDOM % 30000))
    if ! ss -Htan "( sport = :$p )" 2>/dev/null | grep -q .; then echo "$p"; return 0; fi
  done
  echo "no free port found" >&2; return 1
}
# Sets LOGGED_PORT to the port the node logs "<what> listening on HOST:PORT" for, waiting for it
# (NODE_WAIT); exits the script if the node exits first or never logs it.
wait_logged_port() { # log what pgid label
  LOGGED_PORT=""
  for _ in $(seq 1 $((NODE_WAIT * 5))); do
    LOGGED_PORT=$(sed -n "s/.*$2 listening on [^:]*:\([0-9]*\).*/\1/p" "$1" 2>/dev/null | head -1 || true)
    [[ -n "$LOGGED_PORT" ]] && return 0
    kill -0 "$3" 2>/dev/null || { say "ERROR: node ($4) exited"; tail -20 "$1"; exit 1; }
    sleep 0.2
  done
  say "ERROR: node ($4) did not log '$2 listening' within ${NODE_WAIT}s"; exit 1
}

# --- PostgreSQL: a throwaway cluster like the tests' (io.junction.testing.PostgresCluster) ---
start_postgres() {
  local bin
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  [[ -x "$bin/initdb" ]] || { say "ERROR: install postgresql (apt-get install postgresql)"; exit 1; }
  local as=()
  if [[ $(id -u) == 0 ]]; then as=(runuser -u postgres --); fi
  PG_PORT=$(free_port)
  PG_PASSWORD="bench-$RANDOM$RANDOM"
  mkdir -p "$WORK/pg"
  echo "$PG_PASSWORD" > "$WORK/pg/pw"
  [[ $(id -u) == 0 ]] && chown -R postgres:postgres "$WORK/pg"
  (cd "$WORK/pg" && "${as[@]}" "$bin/initdb" -D "$WORK/pg/data" -U postgres --pwfile="$WORK/pg/pw" \
     --auth=scram-sha-256 -E UTF8 --no-instructions) > "$OUT/postgres.log" 2>&1 \
    || { say "ERROR: initdb failed"; cat "$OUT/postgres.log"; exit 1; }
  PG_CTL=("${as[@]}" "$bin/pg_ctl")
  (cd "$WORK/pg" && "${PG_CTL[@]}" -D "$WORK/pg/data" -l "$WORK/pg/server.log" -w -t 60 \
     -o "-p $PG_PORT -c listen_addresses=127.0.0.1 -c unix_socket_directories=$WORK/pg -c log_checkpoints=on -c log_autovacuum_min_duration=0 -c log_min_duration_statement=5 -c log_parameter_max_length=0" start) >> "$OUT/postgres.log" 2>&1 \
    || { say "ERROR: pg_ctl start failed"; cat "$OUT/postgres.log" "$WORK/pg/server.log"; exit 1; }
  PGPASSWORD=$PG_PASSWORD "$bin/psql" -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres \
    -c "CREATE USER junction PASSWORD '$PG_PASSWORD'" -c "CREATE DATABASE junction OWNER junction" >> "$OUT/postgres.log" 2>&1 \
    || { say "ERROR: creating the database failed"; cat "$OUT/postgres.log"; exit 1; }
  say "postgres: $("$bin/postgres" --version) on 127.0.0.1:$PG_PORT (default settings: fsync on, synchronous_commit on)"
}
stop_postgres() {
  if [[ ${#PG_CTL[@]} -gt 0 ]]; then
    "${PG_CTL[@]}" -D "$WORK/pg/data" -m fast -w -t 60 stop >> "$OUT/postgres.log" 2>&1 || true
    cp "$WORK/pg/server.log" "$OUT/postgres-server.log" 2>/dev/null || true
    PG_CTL=()
  fi
}
