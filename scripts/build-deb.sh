#!/usr/bin/env bash
# Builds the Debian package with Tauri's own bundler (tauri-cli, tools/) and prints
# its path. KAIGO_DEB_PROFILE picks release (the default) or debug. The
# program carries the update key (scripts/signing/update-key.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
kaigo_update_config
TARGET="${CARGO_TARGET_DIR:-$PWD/target}"
PROFILE="${KAIGO_DEB_PROFILE:-release}"
if [ "$PROFILE" = release ]; then BUILD=(--release); BUNDLE=(); else BUILD=(); BUNDLE=(--debug); fi
cargo build --locked "${BUILD[@]}" -p kaigo-onboard-app --bin kaigo-onboard >&2

# tauri-cli looks for tauri.conf.json beside the app's Cargo.toml; ours is at
# the root, where tauri-build reads it. The bundler gets a copy in
# src-tauri/ with its paths made relative to there, for this run only.
CONF=src-tauri/tauri.conf.json
trap 'rm -f "$CONF"' EXIT
python3 - "$CONF" <<'PY'
import json, sys
c = json.load(open("tauri.conf.json"))
c["build"]["frontendDist"] = "../" + c["build"]["frontendDist"]
c["bundle"]["icon"] = ["../" + i for i in c["bundle"]["icon"]]
deb = c["bundle"]["linux"]["deb"]
deb["desktopTemplate"] = deb["desktopTemplate"].removeprefix("src-tauri/")
json.dump(c, open(sys.argv[1], "w"), ensure_ascii=False, indent=2)
PY
# Debian package names are lowercase ASCII, and the bundler makes it from
# productName (tauri-apps/tauri#14366): installer/linux/deb.conf.json names
# the package; the menu entry keeps the Japanese name (the desktop template).
# The manual page goes in compressed as Debian wants it (gzip -9n: no name,
# no time, the same bytes every build).
MAN="$TARGET/deb-extra/kaigo-onboard.1.gz"
mkdir -p "$(dirname "$MAN")"
gzip -9nc installer/linux/kaigo-onboard.1 >"$MAN"
DEB_CONF="$TARGET/deb-extra/deb.conf.json"
python3 - "$MAN" "$DEB_CONF" <<'PY'
import json, sys
c = json.load(open("installer/linux/deb.conf.json"))
c["bundle"]["linux"]["deb"]["files"]["/usr/share/man/man1/kaigo-onboard.1.gz"] = sys.argv[1]
json.dump(c, open(sys.argv[2], "w"), ensure_ascii=False, indent=2)
PY
(cd src-tauri && tauri bundle "${BUNDLE[@]}" --bundles deb --ci --config "$DEB_CONF" >&2)
VERSION="$(python3 -c 'import json; print(json.load(open("tauri.conf.json"))["version"])')"
[ "$PROFILE" = release ] && DIR=release || DIR=debug
echo "$TARGET/$DIR/bundle/deb/kaigo-onboard_${VERSION}_amd64.deb"
