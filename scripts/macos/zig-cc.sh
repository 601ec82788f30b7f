#!/usr/bin/env bash
# A C compiler for aarch64-apple-darwin on Linux: zig's clang, which carries
# macOS's headers. cc-rs passes Apple-toolchain flags that zig's driver
# refuses beside its own -target (--target=arm64-apple-macosx, -arch arm64,
# -mmacosx-version-min=…, -gfull); they say nothing the target does not, so
# they are dropped.
set -euo pipefail
args=()
skip_next=0
for a in "$@"; do
  if [ "$skip_next" = 1 ]; then skip_next=0; continue; fi
  case "$a" in
    -arch) skip_next=1 ;;
    --target=*|-mmacosx-version-min=*|-gfull) ;;
    *) args+=("$a") ;;
  esac
done
exec "$KAIGO_ZIG" cc -target aarch64-macos "${args[@]}"
