#!/usr/bin/env bash
# Sets up the machine for the app (scripts/setup.sh), builds it and starts
# it in practice mode (練習モード): the onboarding service runs inside the
# app with a demo office, and a mailbox panel shows the messages it would
# send. The release profile: the app as offices get it (and the build the
# test suite's packages share).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
. scripts/lib.sh
exec cargo run --locked --release -p kaigo-onboard-app "$@"
