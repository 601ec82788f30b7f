#!/usr/bin/env bash
# Type-checks the whole workspace, tests included, for macOS on Apple silicon
# (aarch64-apple-darwin) from this Debian machine: Debian's Rust 1.96 builds
# std for the target (-Zbuild-std), zig compiles the C in ring and SQLite
# with macOS's headers. Nothing is linked: that needs Apple's SDK.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
export KAIGO_ZIG="${KAIGO_ZIG:-$KAIGO_TOOLS_VENV/bin/python-zig}"
[ -x "$KAIGO_ZIG" ] || { echo "zig not found at $KAIGO_ZIG (run scripts/setup-tests.sh)" >&2; exit 1; }
TARGET_DIR="${KAIGO_MACOS_TARGET_DIR:-${CARGO_TARGET_DIR:-$PWD/target}/cross-macos}"
env RUSTC_BOOTSTRAP=1 RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc CARGO_TARGET_DIR="$TARGET_DIR" \
  CC_aarch64_apple_darwin="$PWD/scripts/macos/zig-cc.sh" AR_aarch64_apple_darwin="$PWD/scripts/macos/zig-ar.sh" \
  /usr/bin/cargo check --workspace --all-targets --locked -Zbuild-std=std,panic_abort --target aarch64-apple-darwin "$@"
