#!/usr/bin/env bash
# The fast gate, first in every full run and enough before a commit: style
# (rustfmt), lints (shellcheck on every script, clippy with warnings as
# errors), unused dependencies
# (cargo-shear), and the unit and SQLite tests, with the keychain in
# memory. Needs no root, no OS keychain, no display and no PostgreSQL; what
# needs them is scripts/test.sh's. Arguments go to `cargo test`.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
# The gate's tests run as they would on a bare machine: the full suite's
# settings (its PostgreSQL, reader, window) are not this run's.
unset KAIGO_FULL_SUITE KAIGO_TEST_POSTGRES_URL KAIGO_TEST_VPCD_PORT KAIGO_E2E_APP

kaigo_python_tools

# Every script linted (Debian's shellcheck; scripts/setup-tests.sh installs it).
command -v shellcheck >/dev/null 2>&1 || { echo "shellcheck is missing: apt-get install shellcheck (scripts/setup-tests.sh)" >&2; exit 1; }
timed "shellcheck" shellcheck -x scripts/*.sh scripts/*/*.sh .ci/run
timed "rustfmt" cargo fmt --all --check
timed "rustfmt (fuzz)" bash -c 'cd fuzz && cargo fmt --check'
timed "clippy" cargo clippy --workspace --all-targets --locked -- -D warnings
# The service as the app embeds it: none of the operator's features.
timed "clippy (practice service)" cargo clippy -p kaigo-service --no-default-features --locked -- -D warnings
timed "unused dependencies" cargo-shear
# The kill test's 100 trials are the full suite's; the gate tries 20.
# The whole workspace, as the full suite builds it: leaving out the window
# and package tests (they skip themselves here) would unify other features
# of shared dependencies, and the full suite would then build most of the
# tree a second time (2 min 16 s on a cold two-core machine).
timed "unit and SQLite tests" env KAIGO_FAULT_TRIALS="${KAIGO_FAULT_TRIALS:-20}" cargo test --workspace --locked "$@"
phase_times
