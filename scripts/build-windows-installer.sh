#!/usr/bin/env bash
# Builds the Windows installer on this Debian machine: the app cross-built
# for x86_64-pc-windows-gnu, packed by makensis (installer/windows). Prints
# the installer's path. KAIGO_WINDOWS_PROFILE picks the cargo profile
# (release by default). Everything is signed (scripts/signing/sign-pe.sh: the
# program before it is packed, the uninstaller and the installer as makensis
# writes them); without a certificate in the environment, by the build's own
# test CA in KAIGO_SIGN_TEST_CA_DIR. The program carries the update key
# (scripts/signing/update-key.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
. scripts/windows/env.sh
kaigo_update_config
PROFILE="${KAIGO_WINDOWS_PROFILE:-release}"

windows_cargo build --locked --profile "$PROFILE" -p kaigo-onboard-app --bin kaigo-onboard >&2
[ "$PROFILE" = dev ] && OUT_DIR=debug || OUT_DIR="$PROFILE"
BUILT="$KAIGO_WINDOWS_TARGET_DIR/$KAIGO_WINDOWS_TARGET/$OUT_DIR"

# Named once: the product in tauri.conf.json, the WebView2 address in app-core's data.
conf() { python3 -c 'import json,sys; print(json.load(open("tauri.conf.json"))[sys.argv[1]])' "$1"; }
PRODUCT_NAME="$(conf productName)"
IDENTIFIER="$(conf identifier)"
VERSION="$(conf version)"
WEBVIEW2_URL="$(cat crates/app-core/data/webview2-download-url)"
LINK_SCHEME="$(cat crates/api/data/join-link-scheme)"
[ -n "$WEBVIEW2_URL" ] || { echo "crates/app-core/data/webview2-download-url is empty" >&2; exit 1; }

OUT="$KAIGO_WINDOWS_TARGET_DIR/installer"
mkdir -p "$OUT"
export KAIGO_SIGN_TEST_CA_DIR="${KAIGO_SIGN_TEST_CA_DIR:-$KAIGO_WINDOWS_TARGET_DIR/signing-test-ca}"
export KAIGO_SIGN_DESCRIPTION="$PRODUCT_NAME"
SIGN="$PWD/scripts/signing/sign-pe.sh"
# Shipped without its symbol table (a third of the file), signed before packing.
x86_64-w64-mingw32-strip -o "$OUT/kaigo-onboard.exe" "$BUILT/kaigo-onboard.exe"
"$SIGN" "$OUT/kaigo-onboard.exe"
SETUP="$OUT/kaigo-onboard_${VERSION}_x64-setup.exe"
makensis -V2 -INPUTCHARSET UTF8 \
  "-DPRODUCT_NAME=$PRODUCT_NAME" "-DIDENTIFIER=$IDENTIFIER" "-DVERSION=$VERSION" "-DWEBVIEW2_URL=$WEBVIEW2_URL" "-DLINK_SCHEME=$LINK_SCHEME" \
  "-DAPP_EXE=$OUT/kaigo-onboard.exe" "-DWEBVIEW2_LOADER=$BUILT/WebView2Loader.dll" \
  "-DICON=$PWD/icons/icon.ico" "-DOUTFILE=$SETUP" "-DSIGN=$SIGN" \
  installer/windows/kaigo-onboard.nsi >&2
echo "$SETUP"
