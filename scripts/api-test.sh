#!/usr/bin/env bash
# Schemathesis (every check) against the service's practice demo for a
# bounded time: each operation of the OpenAPI document with generated valid
# and invalid requests, stateful sequences included, over mutual TLS with
# the demo office's certificate, an office session and an admin's session.
# Any failure fails the run. Usage: scripts/api-test.sh [seconds] (default 60).
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_BUDGET="${1:-60}"
. scripts/lib.sh
ST="$KAIGO_TOOLS_VENV/bin/schemathesis"
[ -x "$ST" ] || { echo "schemathesis is missing: run scripts/setup-tests.sh" >&2; exit 1; }

TARGET="${CARGO_TARGET_DIR:-$PWD/target}"
# KAIGO_SERVICE_PROGRAM: a service program built already (scripts/test.sh's).
SERVICE="${KAIGO_SERVICE_PROGRAM:-}"
if [ -z "$SERVICE" ]; then
  cargo build --quiet -p kaigo-service --bin kaigo-onboard-service
  SERVICE="$TARGET/debug/kaigo-onboard-service"
fi
WORK="$(mktemp -d)"
cleanup() { [ -n "${SERVICE_PID:-}" ] && kill "$SERVICE_PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT

# The demo on a free port; its first lines say where and with what.
"$SERVICE" demo --dir "$WORK/demo" --listen 127.0.0.1:0 --rate-per-second 1000 --class-seats 40 >"$WORK/demo.out" 2>"$WORK/demo.err" &
SERVICE_PID=$!
for _ in $(seq 100); do grep -q '^listening on ' "$WORK/demo.out" 2>/dev/null && break; sleep 0.1; done
URL="$(sed -n 's/^listening on //p' "$WORK/demo.out")"
[ -n "$URL" ] || { cat "$WORK/demo.err" >&2; exit 1; }
D="$WORK/demo"
call() { curl -sS --fail-with-body --cacert "$D/ca.pem" --cert "$D/demo-office.pem" --key "$D/demo-office-key.pem" -H 'Content-Type: application/json' "$@"; }
field() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }

# An office session (3-1), so that the office's operations are reached too.
KJ="$(sed -n 's/^  KJ ID: *//p' "$WORK/demo.out")"
PASSWORD="$(sed -n 's/^  password: *//p' "$WORK/demo.out")"
SECURITY_CODE="$(sed -n 's/^  security code: *//p' "$WORK/demo.out")"
CHALLENGE="$(call -X POST "$URL/v1/office/login" -d "{\"electronic_billing_id\":\"$KJ\",\"password\":\"$PASSWORD\"}" | field "['challenge_id']")"
# The newest message (to $1, or to anyone when empty) in the practice
# mailbox whose body matches the regular expression $2: its first group
# (waits for it to be delivered).
newest() {
  local found="" query=""
  [ -n "$1" ] && query="?recipient=$1"
  for _ in $(seq 100); do
    found="$(call "$URL/v1/practice/mailbox$query" | python3 -c "import json,re,sys; m=json.load(sys.stdin); f=re.search(sys.argv[1], m[0]['body']) if m else None; print(f.group(1) if f else '')" "$2")"
    [ -n "$found" ] && break
    sleep 0.1
  done
  [ -n "$found" ] || { echo "api-test: no message to ${1:-the office} matching $2" >&2; exit 1; }
  echo "$found"
}
CODE="$(newest "" '(\d{6})')"
TOKEN="$(call -X POST "$URL/v1/office/login/$CHALLENGE/verify" -d "{\"code\":\"$CODE\",\"security_code\":\"$SECURITY_CODE\"}" | field "['session_token']")"

# An admin user with a full session (3-2, 3-3 and the forced password
# change), so that the admin's operations are reached too.
ADMIN=stadmin01
ADMIN_MAIL=stadmin01@example.jp
call -X POST "$URL/v1/office/admin-users" -H "Authorization: Bearer $TOKEN" -H "Idempotency-Key: api-test-$RANDOM$RANDOM" \
  -d "{\"name\":\"試験 花子\",\"email\":\"$ADMIN_MAIL\",\"service_types\":[\"43\"],\"job_category\":\"01\",\"user_id\":\"$ADMIN\"}" >/dev/null
INITIAL="$(newest "$ADMIN_MAIL" '初期パスワード：(\S+)')"
USER_CHALLENGE="$(call -X POST "$URL/v1/user/login" -d "{\"user_id\":\"$ADMIN\",\"password\":\"$INITIAL\"}" | field "['challenge_id']")"
call -X POST "$URL/v1/user/login/$USER_CHALLENGE/send" -d '{"channel":"email"}' >/dev/null
USER_CODE="$(newest "$ADMIN_MAIL" 'コード[^0-9]*(\d{6})')"
RESTRICTED="$(call -X POST "$URL/v1/user/login/$USER_CHALLENGE/verify" -d "{\"code\":\"$USER_CODE\"}" | field "['session']['session_token']")"
USER_TOKEN="$(call -X POST "$URL/v1/user/password" -H "Authorization: Bearer $RESTRICTED" -d "{\"current_password\":\"$INITIAL\",\"new_password\":\"Api-test-$RANDOM-Pass\"}" | field "['session_token']")"
# The class's trainer: the link's cookie and the session's CSRF token.
TRAINER_LINK="$(sed -n 's/^  trainer.s link: *//p' "$WORK/demo.out")"
curl -sS --fail-with-body --cacert "$D/ca.pem" -c "$WORK/trainer.cookies" "$TRAINER_LINK" >/dev/null
TRAINER_COOKIE="$(awk '$6 == "kaigo_trainer" { print $7 }' "$WORK/trainer.cookies")"
[ -n "$TRAINER_COOKIE" ] || { echo "api-test: the trainer's link set no cookie" >&2; exit 1; }
CSRF="$(curl -sS --fail-with-body --cacert "$D/ca.pem" -H "Cookie: kaigo_trainer=$TRAINER_COOKIE" "$URL/v1/trainer/session" | field "['csrf_token']")"
export KAIGO_ST_TRAINER_COOKIE="$TRAINER_COOKIE" KAIGO_ST_CSRF="$CSRF"
# schemathesis.toml sends the office's session on the office's operations
# and the admin's on the admin's.
export KAIGO_ST_OFFICE_TOKEN="$TOKEN" KAIGO_ST_USER_TOKEN="$USER_TOKEN"

# Run from the work folder with a copy of tests/api/schemathesis.toml, so
# that schemathesis's cache (.schemathesis/) is not written into the clone.
cp tests/api/schemathesis.toml "$WORK/"
cd "$WORK"
# One worker: with two, hypothesis's description of its own lambdas (not
# thread-safe on Python 3.11) fails the run with "AST constructor recursion
# depth mismatch".
"$ST" run "$URL/openapi.json" \
  --checks all \
  --max-time "$SECONDS_BUDGET" \
  --workers 1 \
  --tls-verify "$D/ca.pem" --request-cert "$D/demo-office.pem" --request-cert-key "$D/demo-office-key.pem" \
  --seed "${KAIGO_SCHEMATHESIS_SEED:-$RANDOM}" \
  --report junit --report-dir "$TARGET/schemathesis"
