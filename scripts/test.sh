#!/usr/bin/env bash
# Runs every test of the workspace. The repository and Step-3 tests run on
# SQLite and on PostgreSQL: a private PostgreSQL is started for them unless
# KAIGO_TEST_POSTGRES_URL already names one, and stopped afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

if [ -z "${KAIGO_TEST_POSTGRES_URL:-}" ]; then
  KAIGO_TEST_POSTGRES_URL="$(scripts/pg-test-server.sh start)"
  export KAIGO_TEST_POSTGRES_URL
  trap 'scripts/pg-test-server.sh stop' EXIT
fi

cargo test --workspace --locked "$@"
