#!/usr/bin/env bash
# Makes a code-signing CA for one build or test run, in DIR (created):
#   ca.pem            the root, which `osslsigncode verify -CAfile` trusts
#   signer.pfx        a code-signing certificate and key (PKCS#12, password
#                     in signer.pass), issued by the root
#   signer.pem, signer.key   the same, as PEM (the PKCS#11 test imports them)
#   tsa.pem, tsa.key  a time-stamping authority (RFC 3161) issued by the root,
#                     for osslsigncode's built-in TSA
# No office ever trusts it: it shows that signing and verifying work, and a
# real certificate replaces it through the environment (scripts/signing/sign-pe.sh).
#   scripts/signing/test-ca.sh DIR
set -euo pipefail
DIR="$1"
mkdir -p "$DIR"
cd "$DIR"
ossl() { openssl "$@" 2>/dev/null; }
key() { ossl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:3072 -out "$1"; }

key ca.key
ossl req -x509 -new -key ca.key -sha256 -days 30 -subj "/C=JP/O=Kaigo Onboard test/CN=Kaigo Onboard test code-signing root" \
  -addext "basicConstraints=critical,CA:true" -addext "keyUsage=critical,keyCertSign,cRLSign" -out ca.pem

issue() { # NAME SUBJECT EXTENDED-KEY-USAGE
  key "$1.key"
  ossl req -new -key "$1.key" -subj "$2" -out "$1.csr"
  printf 'basicConstraints=critical,CA:false\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=%s\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n' "$3" >"$1.ext"
  ossl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -sha256 -days 30 -extfile "$1.ext" -out "$1.pem"
  rm -f "$1.csr" "$1.ext"
}
issue signer "/C=JP/O=Kaigo Onboard/CN=Kaigo Onboard (test signature)" codeSigning
issue tsa "/C=JP/O=Kaigo Onboard test/CN=Kaigo Onboard test time-stamping" critical,timeStamping

openssl rand -hex 16 >signer.pass
ossl pkcs12 -export -inkey signer.key -in signer.pem -certfile ca.pem -name "Kaigo Onboard" -passout "file:signer.pass" -out signer.pfx
cat tsa.pem ca.pem >tsa-chain.pem
rm -f ca.key ca.srl
