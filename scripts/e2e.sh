#!/usr/bin/env bash
# Only the end-to-end tests in the real window (tests/e2e), for working on
# the screens: what scripts/test.sh starts for them (a keychain of their
# own, a virtual display, tauri-driver), without the rest of the suite.
# Needs scripts/setup-tests.sh's packages; no card reader (the card test
# then checks the "no reader" answer). Arguments go to `cargo test`.
#   scripts/e2e.sh            # both tests
#   scripts/e2e.sh --test wizard   # the wizard's only
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
kaigo_keyring_session "$0" "$@"
kaigo_update_config
# tauri-driver (tools/, pinned), installed when missing.
kaigo_tools
TARGET="${CARGO_TARGET_DIR:-$PWD/target}"
E2E_DIR="$(mktemp -d)"
cleanup() {
  [ -n "${DRIVER_PID:-}" ] && kill "$DRIVER_PID" 2>/dev/null
  [ -n "${KAIGO_XVFB_PID:-}" ] && kill "$KAIGO_XVFB_PID" 2>/dev/null
  rm -rf "$E2E_DIR"
  true
}
trap cleanup EXIT
cargo build --locked -p kaigo-onboard-app
cargo build --locked -p kaigo-service --bin kaigo-onboard-service
kaigo_display
export KAIGO_ONBOARD_DATA_DIR="$E2E_DIR/data" KAIGO_ONBOARD_KEYCHAIN_SERVICE="jp.kaigo-onboard.e2e-$$"
# Ports of its own, so that it can run beside the full suite.
export KAIGO_E2E_DRIVER_LOG="$E2E_DIR/tauri-driver.log"
start_tauri_driver "$KAIGO_E2E_DRIVER_LOG"
SHOTS="$PWD/target/e2e-screenshots"
rm -rf "$SHOTS"
export KAIGO_E2E_APP="$TARGET/debug/kaigo-onboard" KAIGO_E2E_SERVICE="$TARGET/debug/kaigo-onboard-service" KAIGO_E2E_SCREENSHOTS="$SHOTS"
cargo test --locked -p kaigo-e2e "$@" -- --test-threads=1
echo "end-to-end screenshots: $SHOTS"
