#!/usr/bin/env bash
# The update key the app is built with (tauri-plugin-updater verifies every
# update with it) and the release script signs with. Prints the JSON that
# TAURI_CONFIG merges into tauri.conf.json at build time:
#   {"plugins":{"updater":{"pubkey":…, "endpoints":[…]}}}
# A real key comes from the environment (made once with `minisign -G`, the
# secret key kept by the publisher, never in the repository):
#   KAIGO_UPDATE_PUBKEY      the public key file (minisign.pub)
#   KAIGO_UPDATE_ENDPOINT    the manifest's address (https://…/latest.json)
# Without one, a test key pair is made once in KAIGO_UPDATE_TEST_KEY_DIR
# (update.pub, update.key; unencrypted) and kept there: the same key across
# runs keeps the build's configuration, and so its cached build, the same.
#   scripts/signing/update-key.sh
set -euo pipefail
if [ -z "${KAIGO_UPDATE_PUBKEY:-}" ]; then
  # The test key's secret half lies unencrypted in a build folder: a build
  # that names a real update server must carry the publisher's key.
  if [ -n "${KAIGO_UPDATE_ENDPOINT:-}" ]; then
    echo "KAIGO_UPDATE_ENDPOINT is set: KAIGO_UPDATE_PUBKEY must name the publisher's key too" >&2
    exit 1
  fi
  DIR="${KAIGO_UPDATE_TEST_KEY_DIR:?KAIGO_UPDATE_TEST_KEY_DIR or KAIGO_UPDATE_PUBKEY must be set}"
  if [ ! -s "$DIR/update.pub" ] || [ ! -s "$DIR/update.key" ]; then
    mkdir -p "$DIR"
    rm -f "$DIR/update.pub" "$DIR/update.key"
    minisign -G -W -p "$DIR/update.pub" -s "$DIR/update.key" >/dev/null
  fi
  KAIGO_UPDATE_PUBKEY="$DIR/update.pub"
fi
case "${KAIGO_UPDATE_ENDPOINT:-https://}" in
  https://*) ;;
  *) echo "KAIGO_UPDATE_ENDPOINT must be an https:// address" >&2; exit 1 ;;
esac
python3 - "$KAIGO_UPDATE_PUBKEY" "${KAIGO_UPDATE_ENDPOINT:-}" <<'PY'
import base64, json, sys
pubkey = base64.b64encode(open(sys.argv[1], "rb").read()).decode()
updater = {"pubkey": pubkey}
if sys.argv[2]:
    updater["endpoints"] = [sys.argv[2]]
print(json.dumps({"plugins": {"updater": updater}}))
PY
