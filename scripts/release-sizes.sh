#!/usr/bin/env bash
# The sizes of the packages offices get — the Windows installer and the
# .deb, release profile (opt-level s, fat LTO, stripped) — and of the
# program inside, beside the dev build's when there is one, and their update
# bundle's files.
#   scripts/release-sizes.sh INSTALLER DEB BUNDLE   (scripts/test.sh: built already)
#   scripts/release-sizes.sh                        builds them first, with
#                                                   Debian's lintian on the .deb
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
. scripts/windows/env.sh
if [ "$#" -eq 3 ]; then
  installer="$1" deb="$2" bundle="$3"
else
  installer="$(scripts/build-windows-installer.sh)"
  deb="$(scripts/build-deb.sh)"
  # Debian's checker on the package as offices get it: any error or warning fails.
  lintian --fail-on error,warning --display-level '>=warning' "$deb"
  # The update bundle of this release (signed by the update key, checked as made).
  bundle="$(scripts/publish-update.sh "$installer" "$deb")"
fi
size() { stat -c %s "$1"; }
exe="$KAIGO_WINDOWS_TARGET_DIR/$KAIGO_WINDOWS_TARGET/release/kaigo-onboard.exe"
printf 'release sizes (bytes):\n'
printf '  %-40s %12s\n' "$(basename "$installer")" "$(size "$installer")" "$(basename "$deb")" "$(size "$deb")" "kaigo-onboard.exe" "$(size "$exe")"
printf 'update bundle: %s\n' "$bundle"
for f in "$bundle"/*; do printf '  %-40s %12s\n' "$(basename "$f")" "$(size "$f")"; done
dev_exe="$KAIGO_WINDOWS_TARGET_DIR/$KAIGO_WINDOWS_TARGET/debug/kaigo-onboard.exe"
[ -f "$dev_exe" ] && printf '  %-40s %12s (dev profile)\n' "kaigo-onboard.exe" "$(size "$dev_exe")"
true
