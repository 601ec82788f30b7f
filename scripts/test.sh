#!/usr/bin/env bash
# The whole test suite. First what the tests need is installed
# (scripts/setup-tests.sh), then the fast gate's checks run and every test
# is built (scripts/check.sh --no-run: script lint, style, lints, unused
# dependencies); the release packages offices get — the Windows installer
# and the .deb — are built once; then, with what they need started here — a
# private D-Bus session with its own keychain, a throw-away PostgreSQL
# (unless KAIGO_TEST_POSTGRES_URL names one), a virtual card reader (root or
# sudo), a virtual display and tauri-driver — every test: PostgreSQL, the
# OS keychain, the card reader, the report's PDF, the end-to-end test in the
# real window, those very packages installed, updated and removed with their
# signatures checked, and the macOS check beside them; then the service
# against its OpenAPI document, the fuzz smoke, the Windows build's tests
# under Wine, and the packages' sizes. Prints each phase's time at the end
# and keeps them in target/ci-times.txt, with the whole run's and whether the
# target folder was new (cold) or not (warm). Arguments go to the Linux
# `cargo test`.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
# The packages first: the keychain session below needs gnome-keyring, which a
# new machine does not have yet.
if [ -z "${KAIGO_IN_KEYRING_SESSION:-}" ]; then
  kaigo_run_start
  setup_start=$SECONDS
  scripts/setup-tests.sh
  export KAIGO_SETUP_SECONDS=$((SECONDS - setup_start))
fi
kaigo_keyring_session "$0" "$@"
# This script's table is the run's (target/ci-times.txt); the scripts it
# calls keep theirs to themselves.
export KAIGO_TIMES_OWNED=1
KAIGO_TIMES+=("set-up: ${KAIGO_SETUP_SECONDS:-0} s")

# The update key every build of the run carries (scripts/signing/update-key.sh;
# set before the gate, so that its build is the one the rest reuses), and
# that the run's update bundle is signed with.
kaigo_update_config
# The gate's lints, and its tests built but not run: the full suite below
# runs every one of them again with all it needs, and running them twice
# cost minutes of every run.
timed "fast gate (scripts/check.sh, tests built)" scripts/check.sh --no-run

# Inside the full suite a package or platform that cannot be built, and a
# part that is missing, fail the run instead of skipping their tests.
export KAIGO_FULL_SUITE=1

if [ -z "${KAIGO_TEST_POSTGRES_URL:-}" ]; then
  KAIGO_TEST_POSTGRES_URL="$(scripts/pg-test-server.sh start)"
  export KAIGO_TEST_POSTGRES_URL KAIGO_PG_STARTED=1
fi
# The card-reading test's virtual reader (pcscd + vsmartcard's vpcd): its
# daemon socket is system-wide, so it needs root (sudo otherwise).
if [ -z "${KAIGO_TEST_VPCD_PORT:-}" ]; then
  KAIGO_TEST_VPCD_PORT="$(as_root scripts/virtual-card/reader.sh start)"
  export KAIGO_TEST_VPCD_PORT KAIGO_READER_STARTED=1
fi

TARGET="${CARGO_TARGET_DIR:-$PWD/target}"
SHOTS="$PWD/target/e2e-screenshots"
E2E_DIR="$(mktemp -d)"
cleanup() {
  # Whatever still runs in the background (a phase beside another).
  for pid in "${KAIGO_BESIDE_PID[@]}"; do kill "$pid" 2>/dev/null || true; done
  [ -n "${DRIVER_PID:-}" ] && kill "$DRIVER_PID" 2>/dev/null
  [ -n "${KAIGO_XVFB_PID:-}" ] && kill "$KAIGO_XVFB_PID" 2>/dev/null
  rm -rf "$E2E_DIR"
  [ -n "${KAIGO_READER_STARTED:-}" ] && as_root scripts/virtual-card/reader.sh stop
  [ -n "${KAIGO_PG_STARTED:-}" ] && scripts/pg-test-server.sh stop
  true
}
trap cleanup EXIT

# Windows: a new Wine prefix (a fresh Windows user profile) for this run.
. scripts/windows/env.sh
rm -rf "$WINEPREFIX"
timed "Wine prefix" windows_prefix

# Windows programs are signed by a code-signing CA and time-stamping
# authority made for this run, unless a real certificate is set
# (scripts/signing/sign-pe.sh); the package tests verify against its root.
export KAIGO_SIGN_TEST_CA_DIR="$E2E_DIR/signing-ca"
scripts/signing/test-ca.sh "$KAIGO_SIGN_TEST_CA_DIR"

# The packages offices get (release profile), built once: the package tests
# install, update and remove these very files and check their signatures,
# and the last phase reports their sizes.
# One after the other: side by side (each has its own compiler and target
# folder) they took 1,211 s cold against 1,008 s in turn, both builds
# wanting both cores for most of their time.
timed "release Windows installer" scripts/build-windows-installer.sh >"$E2E_DIR/installer"
timed "release .deb" scripts/build-deb.sh >"$E2E_DIR/deb"
KAIGO_WINDOWS_INSTALLER="$(cat "$E2E_DIR/installer")"
KAIGO_DEB="$(cat "$E2E_DIR/deb")"
# Their update bundle (signed installer and .deb, minisign signatures, the
# manifest), which the package tests verify.
KAIGO_UPDATE_BUNDLE="$(scripts/publish-update.sh "$KAIGO_WINDOWS_INSTALLER" "$KAIGO_DEB")"
export KAIGO_WINDOWS_INSTALLER KAIGO_DEB KAIGO_UPDATE_BUNDLE

# The end-to-end test drives the built app in a real window: a private X
# display, tauri-driver in front of WebKitWebDriver, and a data folder and
# keychain entries of its own. The app and the service program are those the
# gate's test build made (the app's integration tests and the 研修 test need
# them): built for one package alone they would take other features of
# shared crates, and compiling them again cost three minutes of a cold run.
for program in kaigo-onboard kaigo-onboard-service; do
  [ -x "$TARGET/debug/$program" ] || { echo "the test build made no $TARGET/debug/$program" >&2; exit 1; }
done
kaigo_display
export KAIGO_ONBOARD_DATA_DIR="$E2E_DIR/data" KAIGO_ONBOARD_KEYCHAIN_SERVICE="jp.kaigo-onboard.e2e-$$"

# The README's first command ends in `cargo run --release -p
# kaigo-onboard-app` (scripts/run.sh): it must start the app, which here
# exits once its first screen is ready. The .deb's build above made it.
KAIGO_BENCH_READY_FILE="$E2E_DIR/ready" timeout 120 cargo run --locked -q --release -p kaigo-onboard-app
[ -s "$E2E_DIR/ready" ] || { echo "cargo run did not start the app" >&2; exit 1; }
rm -rf "$E2E_DIR/data"

# A part of the end-to-end test that hangs fails with this log's last lines.
export KAIGO_E2E_DRIVER_LOG="$E2E_DIR/tauri-driver.log"
start_tauri_driver "$KAIGO_E2E_DRIVER_LOG"
rm -rf "$SHOTS"
export KAIGO_E2E_APP="$TARGET/debug/kaigo-onboard" KAIGO_E2E_SERVICE="$TARGET/debug/kaigo-onboard-service" KAIGO_E2E_SCREENSHOTS="$SHOTS"

# The macOS check only type-checks (its own target folder): it runs beside
# the Linux tests, which wait on windows, databases and processes much of
# their time (a third to a half of both cores idle, measured).
# It took 454 s cold against the Linux tests' 238: it goes on beside the
# API test and the fuzzing, which run for a set time.
beside "macOS check" scripts/check-macos.sh
timed "Linux tests (all parts)" cargo test --workspace --locked "$@"
echo "end-to-end screenshots: $SHOTS"
# The service against its own OpenAPI document (schemathesis, every check).
# Beside the fuzzing: both run for a set time (60 s of examples, 10 s a
# target), so sharing the cores costs examples, not minutes.
beside "API test (schemathesis)" env KAIGO_SERVICE_PROGRAM="$TARGET/debug/kaigo-onboard-service" scripts/api-test.sh 60
# Every parser and rule of the domain and every request body, fuzzed
# briefly from the committed seeds (scripts/fuzz.sh; a crash fails the run).
timed "Fuzz smoke" scripts/fuzz.sh 10
joined "API test (schemathesis)"
joined "macOS check"
timed "Windows tests (Wine)" scripts/test-windows.sh
# What offices get, as built above: their sizes.
timed "release sizes" scripts/release-sizes.sh "$KAIGO_WINDOWS_INSTALLER" "$KAIGO_DEB" "$KAIGO_UPDATE_BUNDLE"

phase_times
