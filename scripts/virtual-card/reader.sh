#!/usr/bin/env bash
# A virtual card reader for the card-reading test: pcscd with only
# vsmartcard's vpcd reader, listening for virtual cards on 127.0.0.1:PORT.
#   reader.sh start   starts it (as root: pcscd's socket is /run/pcscd) and
#                     prints the port for KAIGO_TEST_VPCD_PORT
#   reader.sh stop
# The test puts cards on it with scripts/virtual-card/card.py.
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib.sh
# A fixed place: sudo drops TMPDIR, and the card-reader test reads the log here.
STATE=/tmp/kaigo-virtual-reader

case "${1:-}" in
  start)
    # Ours, left by a run stopped before its clean-up: stopped first.
    if [ -f "$STATE/pid" ] && kill "$(cat "$STATE/pid")" 2>/dev/null; then
      echo "reader.sh: stopping the virtual reader left running" >&2
      for _ in $(seq 50); do pgrep -x -r R,S,D pcscd >/dev/null || break; sleep 0.1; done
      rm -f "$STATE/pid"
    fi
    if pgrep -x -r R,S,D pcscd >/dev/null; then
      echo "a pcscd is already running; stop it first (the virtual reader needs its own)" >&2
      exit 1
    fi
    mkdir -p "$STATE/conf"
    # A port the kernel chose, a new one each try: one it just gave may be
    # taken again before vpcd binds it.
    for _try in 1 2 3; do
      PORT="$(free_port)"
      cat >"$STATE/conf/vpcd" <<CONF
FRIENDLYNAME "Kaigo Virtual Reader"
DEVICENAME   /dev/null:$PORT
LIBPATH      /usr/lib/pcsc/drivers/serial/libifdvpcd.so
CHANNELID    $PORT
CONF
      pcscd --foreground --config "$STATE/conf" >"$STATE/pcscd.log" 2>&1 &
      echo $! >"$STATE/pid"
      # Ready once vpcd listens for cards and pcscd for programs. Looked at with
      # ss rather than by connecting: a connection to vpcd is a card put on.
      for _ in $(seq 100); do
        if ss -Hltn "sport = :$PORT" | grep -q . && [ -S /run/pcscd/pcscd.comm ]; then
          echo "$PORT"
          exit 0
        fi
        kill -0 "$(cat "$STATE/pid")" 2>/dev/null || break
        sleep 0.1
      done
      kill "$(cat "$STATE/pid")" 2>/dev/null || true
      wait "$(cat "$STATE/pid")" 2>/dev/null || true
    done
    echo "the virtual reader did not start; see $STATE/pcscd.log" >&2
    exit 1
    ;;
  stop)
    if [ -f "$STATE/pid" ]; then kill "$(cat "$STATE/pid")" 2>/dev/null || true; rm -f "$STATE/pid"; fi
    ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
