#!/usr/bin/env bash
# Builds the packages offices get — the Windows installer and the .deb,
# release profile (opt-level s, fat LTO, stripped) — and prints their sizes
# and the program's inside, beside the dev build's for comparison; then
# their update bundle (scripts/publish-update.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
. scripts/windows/env.sh
installer="$(scripts/build-windows-installer.sh)"
deb="$(scripts/build-deb.sh)"
# Debian's checker on the package as offices get it: any error or warning fails.
lintian --fail-on error,warning --display-level '>=warning' "$deb"
# The update bundle of this release (signed by the update key, checked as made).
bundle="$(scripts/publish-update.sh "$installer" "$deb")"
size() { stat -c %s "$1"; }
exe="$KAIGO_WINDOWS_TARGET_DIR/$KAIGO_WINDOWS_TARGET/release/kaigo-onboard.exe"
printf 'release sizes (bytes):\n'
printf '  %-40s %12s\n' "$(basename "$installer")" "$(size "$installer")" "$(basename "$deb")" "$(size "$deb")" "kaigo-onboard.exe" "$(size "$exe")"
printf 'update bundle: %s\n' "$bundle"
ls -l "$bundle" | tail -n +2 | awk '{printf "  %-40s %12s\n", $9, $5}'
dev_exe="$KAIGO_WINDOWS_TARGET_DIR/$KAIGO_WINDOWS_TARGET/debug/kaigo-onboard.exe"
[ -f "$dev_exe" ] && printf '  %-40s %12s (dev profile)\n' "kaigo-onboard.exe" "$(size "$dev_exe")"
true
