#!/usr/bin/env bash
# Runs the start-up benchmark of the app against a bare Tauri window, in a
# private display and D-Bus session (the app uses the keychain at start).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
kaigo_keyring_session "$0" "$@"
kaigo_display
trap 'kill $KAIGO_XVFB_PID' EXIT
cargo bench --locked -p kaigo-onboard-app --bench startup --features bench-baseline
