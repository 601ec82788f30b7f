#!/usr/bin/env bash
# A throw-away PostgreSQL server for the tests, on 127.0.0.1 at a port the
# kernel chose (read back, never a fixed one: a fixed port in the kernel's
# range for outgoing connections was once held by one, and CI failed).
#   scripts/pg-test-server.sh start   -> prints the URL to use
#   scripts/pg-test-server.sh stop
#   scripts/pg-test-server.sh halt    -> stops it as a crash would (immediate
#                                        shutdown), keeping its data and its
#                                        port: `start` brings it back there
#                                        with crash recovery
# KAIGO_PG_DIR gives a server of its own (the fault tests', the benchmark's).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
DATA="${KAIGO_PG_DIR:-/tmp/kaigo-pg-test}"
BIN="$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -n 1)"
[ -n "$BIN" ] || { echo "PostgreSQL is not installed (run scripts/setup-tests.sh)" >&2; exit 1; }

as_owner() {
  # PostgreSQL refuses to run as root: run it as the postgres user then.
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# Its socket file stays in its own folder, its TCP port is the one in
# $DATA/kaigo-port (kept across halt and start).
pg_start() {
  as_owner "$BIN/pg_ctl" -D "$DATA" -l "$DATA/server.log" -w \
    -o "-p $1 -k $DATA -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300" start >/dev/null
}

case "${1:-}" in
  start)
    # A server a run left behind in this folder (a run stopped before its
    # clean-up) is thrown away with its data, not met as a stranger. A
    # halted one (`halt`) has no live postmaster and comes back below.
    if [ -f "$DATA/postmaster.pid" ] && as_owner "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
      echo "pg-test-server: stopping the server left running in $DATA" >&2
      as_owner "$BIN/pg_ctl" -D "$DATA" -m immediate -w stop >/dev/null
      rm -rf "$DATA"
    fi
    if [ ! -f "$DATA/PG_VERSION" ]; then
      mkdir -p "$DATA"
      [ "$(id -u)" -eq 0 ] && chown postgres "$DATA"
      as_owner "$BIN/initdb" -D "$DATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
    fi
    if [ -f "$DATA/kaigo-port" ]; then
      port="$(cat "$DATA/kaigo-port")"
      pg_start "$port" || { tail -n 20 "$DATA/server.log" >&2; exit 1; }
    else
      # A new port each try: one the kernel just gave may be taken again
      # before the server binds it.
      for try in 1 2 3; do
        port="$(free_port)"
        pg_start "$port" && break
        if [ "$try" = 3 ]; then
          tail -n 20 "$DATA/server.log" >&2
          exit 1
        fi
      done
      echo "$port" >"$DATA/kaigo-port"
    fi
    echo "postgres://postgres@127.0.0.1:$port/postgres"
    ;;
  stop)
    [ -f "$DATA/postmaster.pid" ] && as_owner "$BIN/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null
    rm -rf "$DATA"
    ;;
  halt)
    as_owner "$BIN/pg_ctl" -D "$DATA" -m immediate -w stop >/dev/null
    ;;
  *) echo "usage: $0 start|stop|halt" >&2; exit 2 ;;
esac
