#!/usr/bin/env bash
# Cargo's runner for x86_64-pc-windows-gnu: runs a Windows program under
# Wine's 64-bit loader in the prefix scripts/windows/env.sh prepares.
# No window may open on a display the tests happen to have (the Xvfb of the
# end-to-end test): a message box would wait for a click that never comes.
# When Wine itself loses its server mid-run ("wine client error", seen once
# in CI), the program runs once more, saying so; a test that fails fails.
set -uo pipefail
unset DISPLAY WAYLAND_DISPLAY
export KAIGO_UNDER_WINE=1  # tests that know Wine lacks WebView2 read this
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
for try in 1 2; do
  /usr/lib/wine/wine64 "$@" 2>&1 | tee "$log"
  status=${PIPESTATUS[0]}
  if [ "$status" -ne 0 ] && [ "$try" = 1 ] && grep -q "wine client error" "$log"; then
    echo "wine-run: Wine lost its server while running $1; running it once more" >&2
    wineserver -k >/dev/null 2>&1 || true
    continue
  fi
  exit "$status"
done
