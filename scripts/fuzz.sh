#!/usr/bin/env bash
# Coverage-guided fuzzing (cargo-fuzz, libFuzzer) of every parser and rule of
# crates/domain and of every request body of the API (fuzz/, one target per
# family; what each asserts is at the top of fuzz/fuzz_targets/<target>.rs).
#
#   scripts/fuzz.sh [seconds-per-target]     (default 15: a smoke run)
#
# Builds every target, then runs each for that long (one on each core at a
# time) from its committed seed corpus (fuzz/corpus/<target>, read only). Fails when any
# target crashes (a panic, a broken assertion, a sanitizer report, a
# timeout or running out of memory); the failing input and the log are
# named at the end. Needs no display, no input, and no network once the
# crates are fetched. Nothing is written in the clone: the build, the
# inputs found and any crash go to ${CARGO_TARGET_DIR:-<repo>/target}/fuzz.
#
# FUZZ_TARGETS="ids codes" runs only those; FUZZ_SANITIZER=address|none
# overrides the choice below; extra libFuzzer flags go in FUZZ_ARGS
# (e.g. FUZZ_ARGS="-runs=10000000" for a long run, with a large
# seconds-per-target).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

PER_TARGET="${1:-15}"
case "$PER_TARGET" in '' | *[!0-9]*) echo "usage: $0 [seconds-per-target]" >&2; exit 2 ;; esac

if ! command -v cargo-fuzz >/dev/null 2>&1; then
  echo "cargo-fuzz is not installed: run scripts/setup-tests.sh (tools/requirements.txt)" >&2
  exit 1
fi

# cargo-fuzz passes nightly-only flags (-Zsanitizer, the sancov passes); the
# stable toolchain accepts them with RUSTC_BOOTSTRAP=1.
export RUSTC_BOOTSTRAP=1

# The sanitizer: AddressSanitizer when the toolchain ships its runtime —
# rustup's stable does (librustc-stable_rt.asan.a) and so it is used here
# (tried with rustc 1.95 from rustup: builds and runs). Debian's rustc 1.96
# (rustc-web) ships no sanitizer runtimes, so with it linking fails
# ("cannot find …/librustc-stable_rt.asan.a") and the targets are built with
# `-s none`: still coverage-guided with overflow checks and debug
# assertions on, only without ASan's memory checks (of little weight here:
# the domain and API crates have no unsafe code).
HOST="$(rustc -vV | sed -n 's/^host: //p')"
if compgen -G "$(rustc --print sysroot)/lib/rustlib/$HOST/lib/librustc-*_rt.asan.a" >/dev/null; then
  SANITIZER="${FUZZ_SANITIZER:-address}"
else
  SANITIZER="${FUZZ_SANITIZER:-none}"
fi

FUZZ_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}/fuzz"
BIN="$FUZZ_TARGET_DIR/$HOST/release"
RUNS="$FUZZ_TARGET_DIR/runs"

echo "fuzz: building with $(rustc -V), sanitizer: $SANITIZER, into $FUZZ_TARGET_DIR"
build_start=$SECONDS
cargo fuzz build --sanitizer "$SANITIZER" --target-dir "$FUZZ_TARGET_DIR"
echo "fuzz: built in $((SECONDS - build_start)) s"

TARGETS="${FUZZ_TARGETS:-$(cargo fuzz list)}"
# No target is a broken list, not a pass.
[ -n "${TARGETS//[[:space:]]/}" ] || { echo "fuzz: no target to run (cargo fuzz list is empty)" >&2; exit 1; }
# One target on each core at a time (libFuzzer runs one process a target):
# FUZZ_JOBS overrides.
JOBS="${FUZZ_JOBS:-$(nproc)}"
# Runs one target; its exit status and time go to $dir/status.
run_target() {
  local target="$1" dir="$RUNS/$1" start=$SECONDS status
  local args=(-max_total_time="$PER_TARGET" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$dir/artifacts/")
  case "$target" in api_* | reference_lists) args+=(-dict=fuzz/json.dict) ;; esac
  # shellcheck disable=SC2206 # FUZZ_ARGS is a list of flags
  args+=(${FUZZ_ARGS:-})
  # New inputs go to $dir/found (first corpus); the committed seeds are only read.
  local seeds=()
  [ -d "fuzz/corpus/$target" ] && seeds=("fuzz/corpus/$target")
  set +e
  timeout --kill-after=30 $((PER_TARGET * 2 + 300)) "$BIN/$target" "${args[@]}" "$dir/found" "${seeds[@]}" </dev/null >"$dir/log" 2>&1
  status=$?
  set -e
  echo "$status $((SECONDS - start))" >"$dir/status"
}

for target in $TARGETS; do
  [ -x "$BIN/$target" ] || { echo "fuzz: no such target: $target" >&2; exit 2; }
  rm -rf "${RUNS:?}/$target"
  mkdir -p "$RUNS/$target/found" "$RUNS/$target/artifacts"
done
for target in $TARGETS; do
  while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do wait -n || true; done
  run_target "$target" &
done
wait

failed=()
for target in $TARGETS; do
  dir="$RUNS/$target"
  read -r status took <"$dir/status" || { status=1; took=0; }
  runs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/log" | tail -1)"
  rate="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$dir/log" | tail -1)"
  if [ "$status" -eq 0 ]; then
    printf 'fuzz: %-16s ok     %10s runs  %7s exec/s  %4d s\n' "$target" "${runs:-?}" "${rate:-?}" "$took"
  else
    printf 'fuzz: %-16s FAILED (exit %d) after %d s; log: %s\n' "$target" "$status" "$took" "$dir/log"
    grep -m1 -A4 -E "panicked at|ERROR: (AddressSanitizer|libFuzzer)|==[0-9]+==ERROR" "$dir/log" | sed 's/^/    /' || tail -n 20 "$dir/log" | sed 's/^/    /'
    for a in "$dir"/artifacts/*; do [ -e "$a" ] && echo "    input: $a (replay: $BIN/$target $a)"; done
    failed+=("$target")
  fi
done

if [ "${#failed[@]}" -gt 0 ]; then
  echo "fuzz: ${#failed[@]} target(s) crashed: ${failed[*]}" >&2
  exit 1
fi
echo "fuzz: every target ran ${PER_TARGET} s without a crash"
