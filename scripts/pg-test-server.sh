#!/usr/bin/env bash
# A throw-away PostgreSQL server for the tests, on 127.0.0.1:$PGPORT.
#   scripts/pg-test-server.sh start   -> prints the URL to use
#   scripts/pg-test-server.sh stop
#   scripts/pg-test-server.sh halt    -> stops it as a crash would (immediate
#                                        shutdown), keeping its data: `start`
#                                        brings it back with crash recovery
# KAIGO_PG_PORT and KAIGO_PG_DIR give a server of its own (the fault tests').
set -euo pipefail
PGPORT="${KAIGO_PG_PORT:-55432}"
DATA="${KAIGO_PG_DIR:-/tmp/kaigo-pg-test}"
BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
[ -n "$BIN" ] || { echo "PostgreSQL is not installed (run scripts/setup-tests.sh)" >&2; exit 1; }

as_owner() {
  # PostgreSQL refuses to run as root: run it as the postgres user then.
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "${1:-}" in
  start)
    if [ ! -f "$DATA/PG_VERSION" ]; then
      mkdir -p "$DATA"
      [ "$(id -u)" -eq 0 ] && chown postgres "$DATA"
      as_owner "$BIN/initdb" -D "$DATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
    fi
    # The port lies in the kernel's range for outgoing connections: one of
    # the tests' may hold it for a moment (seen in CI: "Address already in
    # use" straight after the gate). A few tries, then the server's log.
    for try in 1 2 3 4 5 6; do
      as_owner "$BIN/pg_ctl" -D "$DATA" -l "$DATA/server.log" -w \
        -o "-p $PGPORT -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300" start >/dev/null && break
      if [ "$try" = 6 ]; then
        tail -n 20 "$DATA/server.log" >&2
        exit 1
      fi
      sleep 5
    done
    echo "postgres://postgres@127.0.0.1:$PGPORT/postgres"
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
