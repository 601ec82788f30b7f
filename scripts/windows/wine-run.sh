#!/usr/bin/env bash
# Cargo's runner for x86_64-pc-windows-gnu: runs a Windows program under
# Wine's 64-bit loader in the prefix scripts/windows/env.sh prepares.
export KAIGO_UNDER_WINE=1  # tests that know Wine lacks WebView2 read this
exec /usr/lib/wine/wine64 "$@"
