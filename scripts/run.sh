#!/usr/bin/env bash
# Sets up the machine and starts Kaigo Onboard in practice mode (練習モード):
# the onboarding service with a demo office, its certificates in ./demo-data.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PATH"
exec cargo run --release -p kaigo-service -- demo --dir demo-data "$@"
