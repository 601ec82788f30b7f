#!/usr/bin/env bash
# Sets up the machine, builds the desktop app and starts it in practice
# mode (練習モード): the onboarding service runs inside the app with a demo
# office, and a mailbox panel shows the messages it would send.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PATH"
exec cargo run --release --locked -p kaigo-onboard-app "$@"
