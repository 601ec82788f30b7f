#!/usr/bin/env bash
# Runs the start-up benchmark of the app against a bare Tauri window, in a
# private display and D-Bus session (the app uses the keychain at start).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
if [ -z "${KAIGO_IN_BENCH_SESSION:-}" ]; then
  export KAIGO_IN_BENCH_SESSION=1
  exec dbus-run-session -- "$0" "$@"
fi
XDG_DATA_HOME="$(mktemp -d)"
export XDG_DATA_HOME
echo kaigo-bench | gnome-keyring-daemon --unlock --components=secrets >/dev/null
Xvfb :91 -screen 0 1280x900x24 -nolisten tcp >/dev/null 2>&1 &
XVFB_PID=$!
trap 'kill $XVFB_PID' EXIT
export DISPLAY=:91
cargo bench --locked -p kaigo-onboard-app --bench startup --features bench-baseline
