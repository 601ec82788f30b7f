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
  export KAIGO_TEST_POSTGRES_URL
  trap 'scripts/pg-test-server.sh stop' EXIT
fi

cargo test --workspace --locked "$@"
