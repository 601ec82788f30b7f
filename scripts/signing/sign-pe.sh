#!/usr/bin/env bash
# Signs Windows programs (PE: .exe, .dll) in place with osslsigncode:
# Authenticode, SHA-256, with an RFC 3161 timestamp, so that the signature
# outlives the certificate. Who signs comes from the environment:
#   a certificate file   KAIGO_SIGN_PFX (PKCS#12), KAIGO_SIGN_PFX_PASSWORD
#   a token or HSM       KAIGO_SIGN_PKCS11_MODULE (the vendor's .so),
#                        KAIGO_SIGN_PKCS11_KEY (a pkcs11: URI), KAIGO_SIGN_CERTS
#                        (the certificate and its chain, PEM),
#                        KAIGO_SIGN_PKCS11_PIN, KAIGO_SIGN_PKCS11_ENGINE
#                        (libengine-pkcs11-openssl's, by default)
#   with either          KAIGO_SIGN_TIMESTAMP_URL (the CA's time-stamping service)
# With neither, the build's own test CA signs (scripts/signing/test-ca.sh, in
# KAIGO_SIGN_TEST_CA_DIR) and osslsigncode is its own time-stamping service:
# such a build is for tests, never for offices. KAIGO_SIGN_DESCRIPTION names
# the program in Windows' prompts.
#   scripts/signing/sign-pe.sh FILE…
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"

ARGS=(-h sha256)
SECRET=""
[ -n "${KAIGO_SIGN_DESCRIPTION:-}" ] && ARGS+=(-n "$KAIGO_SIGN_DESCRIPTION")
if [ -n "${KAIGO_SIGN_PFX:-}" ]; then
  ARGS+=(-pkcs12 "$KAIGO_SIGN_PFX")
  SECRET="${KAIGO_SIGN_PFX_PASSWORD:-}"
elif [ -n "${KAIGO_SIGN_PKCS11_MODULE:-}" ]; then
  : "${KAIGO_SIGN_PKCS11_KEY:?a pkcs11: URI of the signing key}" "${KAIGO_SIGN_CERTS:?the signing certificate and its chain (PEM)}"
  ARGS+=(-pkcs11engine "${KAIGO_SIGN_PKCS11_ENGINE:-/usr/lib/x86_64-linux-gnu/engines-3/pkcs11.so}"
    -pkcs11module "$KAIGO_SIGN_PKCS11_MODULE" -key "$KAIGO_SIGN_PKCS11_KEY" -certs "$KAIGO_SIGN_CERTS")
  SECRET="${KAIGO_SIGN_PKCS11_PIN:-}"
else
  CA="${KAIGO_SIGN_TEST_CA_DIR:?neither a signing certificate nor a test CA folder is set}"
  [ -f "$CA/signer.pfx" ] || "$HERE/test-ca.sh" "$CA"
  ARGS+=(-pkcs12 "$CA/signer.pfx" -readpass "$CA/signer.pass" -TSA-certs "$CA/tsa-chain.pem" -TSA-key "$CA/tsa.key")
fi
if [ -n "${KAIGO_SIGN_PFX:-}${KAIGO_SIGN_PKCS11_MODULE:-}" ]; then
  ARGS+=(-ts "${KAIGO_SIGN_TIMESTAMP_URL:?RFC 3161 time-stamping address of the CA}")
fi

for file in "$@"; do
  # The password or PIN through a pipe, never on a command line others can read.
  if [ -n "$SECRET" ]; then
    osslsigncode sign "${ARGS[@]}" -readpass <(printf '%s' "$SECRET") -in "$file" -out "$file.signing" >/dev/null
  else
    osslsigncode sign "${ARGS[@]}" -in "$file" -out "$file.signing" >/dev/null
  fi
  mv "$file.signing" "$file"
done
