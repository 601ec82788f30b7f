#!/usr/bin/env bash
# Runs every test of the workspace. The repository and Step-3 tests run on
# SQLite and on PostgreSQL: a private PostgreSQL is started for them unless
# KAIGO_TEST_POSTGRES_URL already names one, and stopped afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

# The app's keychain tests use a real Secret Service: without a session bus,
# run again inside a private D-Bus session with an unlocked gnome-keyring.
if [ -z "${DBUS_SESSION_BUS_ADDRESS:-}" ] && [ -z "${KAIGO_IN_TEST_SESSION:-}" ]; then
  export KAIGO_IN_TEST_SESSION=1
  exec dbus-run-session -- "$0" "$@"
fi
if [ -n "${KAIGO_IN_TEST_SESSION:-}" ]; then
  # A keyring of its own, so the user's login keyring is never touched.
  XDG_DATA_HOME="$(mktemp -d)"
  export XDG_DATA_HOME
  echo kaigo-test-keyring | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  # Wait until the keyring answers on the bus.
  for _ in $(seq 50); do
    if echo probe | secret-tool store --label=kaigo-probe kaigo-probe ready 2>/dev/null; then break; fi
    sleep 0.2
  done
  secret-tool clear kaigo-probe ready 2>/dev/null || true
fi

if [ -z "${KAIGO_TEST_POSTGRES_URL:-}" ]; then
  KAIGO_TEST_POSTGRES_URL="$(scripts/pg-test-server.sh start)"
  export KAIGO_TEST_POSTGRES_URL KAIGO_PG_STARTED=1
fi

TARGET="${CARGO_TARGET_DIR:-$PWD/target}"
SHOTS="$PWD/target/e2e-screenshots"
E2E_DIR="$(mktemp -d)"
cleanup_e2e() {
  [ -n "${DRIVER_PID:-}" ] && kill "$DRIVER_PID" 2>/dev/null || true
  [ -n "${XVFB_PID:-}" ] && kill "$XVFB_PID" 2>/dev/null || true
  rm -rf "$E2E_DIR"
}
trap 'cleanup_e2e; [ -n "${KAIGO_PG_STARTED:-}" ] && scripts/pg-test-server.sh stop' EXIT

# The end-to-end test drives the built app in a real window: a private X
# display (Xvfb), tauri-driver in front of WebKitWebDriver, and a data
# folder and keychain entries of its own.
cargo build --locked -p kaigo-onboard-app
DISPLAY_NUM=93
while [ -e "/tmp/.X11-unix/X$DISPLAY_NUM" ] || [ -e "/tmp/.X$DISPLAY_NUM-lock" ]; do DISPLAY_NUM=$((DISPLAY_NUM + 1)); done
Xvfb ":$DISPLAY_NUM" -screen 0 1280x900x24 -nolisten tcp >/dev/null 2>&1 &
XVFB_PID=$!
export DISPLAY=":$DISPLAY_NUM"
export KAIGO_ONBOARD_DATA_DIR="$E2E_DIR/data" KAIGO_ONBOARD_KEYCHAIN_SERVICE="jp.kaigo-onboard.e2e-$$"
tauri-driver --port 4444 >"$E2E_DIR/tauri-driver.log" 2>&1 &
DRIVER_PID=$!
rm -rf "$SHOTS"
export KAIGO_E2E_APP="$TARGET/debug/kaigo-onboard" KAIGO_E2E_SCREENSHOTS="$SHOTS" KAIGO_E2E_WEBDRIVER="http://127.0.0.1:4444"

cargo test --workspace --locked "$@"
echo "end-to-end screenshots: $SHOTS"
