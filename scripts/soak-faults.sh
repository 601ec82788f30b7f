#!/usr/bin/env bash
# The fault tests at length (crates/service/tests/service/faults.rs): the
# service killed at KAIGO_FAULT_TRIALS seeded points of Step 3 (default
# 1000), and KAIGO_FAULT_SCALE times the PostgreSQL stops, proxy faults and
# mails under SMTP faults of the CI's bounded run (default 5). Prints the
# figures the closing notes quote. Needs scripts/setup-tests.sh's packages;
# the full-disk case needs root. KAIGO_FAULT_SEED repeats a run.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${KAIGO_TEST_POSTGRES_URL:-}" ]; then
  KAIGO_TEST_POSTGRES_URL="$(scripts/pg-test-server.sh start)"
  export KAIGO_TEST_POSTGRES_URL
  trap 'scripts/pg-test-server.sh stop' EXIT
fi
export KAIGO_FAULT_TRIALS="${KAIGO_FAULT_TRIALS:-1000}" KAIGO_FAULT_SCALE="${KAIGO_FAULT_SCALE:-5}"
export KAIGO_FULL_SUITE=1
started=$SECONDS
# One at a time: the figures are each fault's own, not a mix.
cargo test --locked -p kaigo-service --test service -- faults:: --nocapture --test-threads 1 2>&1 |
  grep -E "KAIGO_FAULT_SEED|SIGKILL|SMTP faults|pg_ctl|fault proxy|full disk|round [0-9]|test result|panicked|FAILED|assert"
echo "soak: $((SECONDS - started)) s (KAIGO_FAULT_TRIALS=$KAIGO_FAULT_TRIALS KAIGO_FAULT_SCALE=$KAIGO_FAULT_SCALE)"
