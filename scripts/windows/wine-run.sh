#!/usr/bin/env bash
# Cargo's runner for x86_64-pc-windows-gnu: runs a Windows program under
# Wine's 64-bit loader in the prefix scripts/windows/env.sh prepares.
# No window may open on a display the tests happen to have (the Xvfb of the
# end-to-end test): a message box would wait for a click that never comes.
unset DISPLAY WAYLAND_DISPLAY
export KAIGO_UNDER_WINE=1  # tests that know Wine lacks WebView2 read this
exec /usr/lib/wine/wine64 "$@"
