#!/usr/bin/env bash
# Makes the update bundle of a release for tauri-plugin-updater: the signed
# Windows installer and the .deb, each with its minisign signature (the
# signed trusted comment carries the version: the app requires it), and the
# static manifest latest.json. Prints the bundle's folder; publish its
# files under KAIGO_UPDATE_BASE_URL.
#   scripts/publish-update.sh INSTALLER DEB
# KAIGO_UPDATE_SECRET_KEY: the publisher's minisign secret key (minisign
# asks for its password); without it, the test key of
# scripts/signing/update-key.sh. What is new is said to staff from
# installer/release-notes/VERSION.txt (plain Japanese), which must exist.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
kaigo_update_config
INSTALLER="$1"
DEB="$2"
TARGET="${CARGO_TARGET_DIR:-$PWD/target}"
VERSION="$(python3 -c 'import json; print(json.load(open("tauri.conf.json"))["version"])')"
NOTES="installer/release-notes/$VERSION.txt"
[ -s "$NOTES" ] || { echo "$NOTES is missing: say what is new in $VERSION for staff" >&2; exit 1; }
BASE_URL="${KAIGO_UPDATE_BASE_URL:-https://updates.invalid/kaigo-onboard}"
# The publisher's key pair, both halves, or the test key: never one of each.
if [ -n "${KAIGO_UPDATE_SECRET_KEY:-}" ] || [ -n "${KAIGO_UPDATE_PUBKEY:-}" ]; then
  KEY="${KAIGO_UPDATE_SECRET_KEY:?KAIGO_UPDATE_SECRET_KEY names the secret key that goes with KAIGO_UPDATE_PUBKEY}"
  PUB="${KAIGO_UPDATE_PUBKEY:?KAIGO_UPDATE_PUBKEY names the public key that goes with KAIGO_UPDATE_SECRET_KEY}"
else
  KEY="$KAIGO_UPDATE_TEST_KEY_DIR/update.key"
  PUB="$KAIGO_UPDATE_TEST_KEY_DIR/update.pub"
fi

OUT="$TARGET/update-bundle/$VERSION"
rm -rf "$OUT"
mkdir -p "$OUT"
NOW="$(date -u +%s)"
sign() { # FILE: FILE.sig, checked against the public key at once
  local name
  name="$(basename "$1")"
  cp "$1" "$OUT/$name"
  minisign -S -s "$KEY" -m "$OUT/$name" -x "$OUT/$name.sig" \
    -t "$(printf 'timestamp:%s\tfile:%s\tversion:%s' "$NOW" "$name" "$VERSION")" >/dev/null
  minisign -V -q -p "$PUB" -m "$OUT/$name" -x "$OUT/$name.sig"
}
sign "$INSTALLER"
sign "$DEB"

# The keys the plugin looks up: our NSIS installer is not Tauri's bundler's,
# so the program asks for `windows-x86_64`; the .deb's program is marked as
# from a .deb by the bundler and asks for `linux-x86_64-deb`.
python3 - "$OUT" "$VERSION" "$NOTES" "$BASE_URL" "$NOW" "$(basename "$INSTALLER")" "$(basename "$DEB")" <<'PY'
import base64, datetime, json, sys
out, version, notes, base, now, installer, deb = sys.argv[1:]
def entry(name):
    signature = base64.b64encode(open(f"{out}/{name}.sig", "rb").read()).decode()
    return {"signature": signature, "url": f"{base.rstrip('/')}/{version}/{name}"}
manifest = {
    "version": version,
    "notes": open(notes, encoding="utf-8").read().strip(),
    "pub_date": datetime.datetime.fromtimestamp(int(now), datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
    "platforms": {"windows-x86_64": entry(installer), "linux-x86_64-deb": entry(deb)},
}
json.dump(manifest, open(f"{out}/latest.json", "w", encoding="utf-8"), ensure_ascii=False, indent=2)
PY
echo "$OUT"
