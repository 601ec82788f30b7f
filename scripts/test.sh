#!/usr/bin/env bash
# Runs every test of the workspace, on Linux and (cross-built, under Wine) on
# Windows; builds the Windows installer and the .deb and tests both; checks
# the workspace for macOS. The repository and Step-3 tests run on SQLite and
# on PostgreSQL: a private PostgreSQL is started for them unless
# KAIGO_TEST_POSTGRES_URL already names one, and stopped afterwards.
# Arguments go to the Linux `cargo test`.
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

# The card-reading test's virtual reader (pcscd + vsmartcard's vpcd): its
# daemon socket is system-wide, so it needs root (sudo otherwise).
if [ -z "${KAIGO_TEST_VPCD_PORT:-}" ]; then
  READER_SUDO=""; [ "$(id -u)" -ne 0 ] && READER_SUDO="sudo"
  KAIGO_TEST_VPCD_PORT="$($READER_SUDO scripts/virtual-card/reader.sh start)"
  export KAIGO_TEST_VPCD_PORT KAIGO_READER_STARTED=1
fi

TARGET="${CARGO_TARGET_DIR:-$PWD/target}"
SHOTS="$PWD/target/e2e-screenshots"
E2E_DIR="$(mktemp -d)"
cleanup_e2e() {
  [ -n "${DRIVER_PID:-}" ] && kill "$DRIVER_PID" 2>/dev/null || true
  [ -n "${XVFB_PID:-}" ] && kill "$XVFB_PID" 2>/dev/null || true
  rm -rf "$E2E_DIR"
}
trap 'cleanup_e2e; [ -n "${KAIGO_READER_STARTED:-}" ] && ${READER_SUDO:-} scripts/virtual-card/reader.sh stop; [ -n "${KAIGO_PG_STARTED:-}" ] && scripts/pg-test-server.sh stop' EXIT

# Each phase's time, printed at the end.
TIMES=()
timed() {
  local name="$1" start=$SECONDS
  shift
  "$@"
  TIMES+=("$name: $((SECONDS - start)) s")
}

# Inside the full suite a package or platform that cannot be built fails the
# run instead of skipping its test.
export KAIGO_FULL_SUITE=1

# Windows: a new Wine prefix (a fresh Windows user profile) for this run.
. scripts/windows/env.sh
rm -rf "$WINEPREFIX"
timed "Wine prefix" windows_prefix

# The packages, built first: the package tests install them.
timed "Windows installer" scripts/build-windows-installer.sh >"$E2E_DIR/installer"
timed ".deb" scripts/build-deb.sh >"$E2E_DIR/deb"
KAIGO_WINDOWS_INSTALLER="$(cat "$E2E_DIR/installer")"
KAIGO_DEB="$(cat "$E2E_DIR/deb")"
export KAIGO_WINDOWS_INSTALLER KAIGO_DEB

# The end-to-end test drives the built app in a real window: a private X
# display (Xvfb), tauri-driver in front of WebKitWebDriver, and a data
# folder and keychain entries of its own.
timed "Linux app build" cargo build --locked -p kaigo-onboard-app
DISPLAY_NUM=93
while [ -e "/tmp/.X11-unix/X$DISPLAY_NUM" ] || [ -e "/tmp/.X$DISPLAY_NUM-lock" ]; do DISPLAY_NUM=$((DISPLAY_NUM + 1)); done
Xvfb ":$DISPLAY_NUM" -screen 0 1280x900x24 -nolisten tcp >/dev/null 2>&1 &
XVFB_PID=$!
export DISPLAY=":$DISPLAY_NUM"
export KAIGO_ONBOARD_DATA_DIR="$E2E_DIR/data" KAIGO_ONBOARD_KEYCHAIN_SERVICE="jp.kaigo-onboard.e2e-$$"

# The README's first command ends in `cargo run -p kaigo-onboard-app`: it
# must start the app, which here exits once its first screen is ready.
KAIGO_BENCH_READY_FILE="$E2E_DIR/ready" timeout 120 cargo run --locked -q -p kaigo-onboard-app
[ -s "$E2E_DIR/ready" ] || { echo "cargo run did not start the app" >&2; exit 1; }
rm -rf "$E2E_DIR/data"

tauri-driver --port 4444 >"$E2E_DIR/tauri-driver.log" 2>&1 &
DRIVER_PID=$!
rm -rf "$SHOTS"
export KAIGO_E2E_APP="$TARGET/debug/kaigo-onboard" KAIGO_E2E_SCREENSHOTS="$SHOTS" KAIGO_E2E_WEBDRIVER="http://127.0.0.1:4444"

timed "Linux tests" cargo test --workspace --locked "$@"
# The service against its own OpenAPI document (schemathesis, every check).
timed "API test (schemathesis)" scripts/api-test.sh 60
# The app builds the service with its operator features off, and app-core
# can be built without practice mode: both configurations must compile.
timed "Feature builds" bash -c 'cargo check --locked -q -p kaigo-service --no-default-features && cargo check --locked -q -p kaigo-app-core --no-default-features'
echo "end-to-end screenshots: $SHOTS"
# Every parser and rule of the domain and every request body, fuzzed
# briefly from the committed seeds (scripts/fuzz.sh; a crash fails the run).
timed "Fuzz smoke" scripts/fuzz.sh 10

timed "Windows tests (Wine)" scripts/test-windows.sh
timed "macOS check" scripts/check-macos.sh

printf '%s\n' "${TIMES[@]}"
