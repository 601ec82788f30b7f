# shellcheck shell=bash
# Sourced by the scripts: the set-up they share, written once.
#   . scripts/lib.sh
# Puts rustup's cargo and the prebuilt tools of tools/ on PATH, and offers:
#   kaigo_keyring_session "$0" "$@"  re-runs the calling script inside a
#                                    private D-Bus session with an unlocked
#                                    gnome-keyring of its own (the OS keychain)
#   kaigo_display                    starts Xvfb on a free display (DISPLAY)
#   kaigo_run_start                  starts the whole run's clock, notes cold or warm
#   timed NAME COMMAND…              runs COMMAND; `phase_times` prints them all
#                                    (and keeps them in target/ci-times.txt)
#   beside NAME COMMAND… / joined NAME  a computing phase run beside a waiting one
#   as_root COMMAND…                 sudo unless already root
#   kaigo_tools                      the prebuilt tools of tools/ (npm and PyPI),
#                                    installed when missing or out of date
#   free_port                        prints a TCP port the kernel chose (never a
#                                    fixed one: tests/house checks)
#   start_tauri_driver LOG           tauri-driver (and WebKitWebDriver behind it)
#                                    on free ports: KAIGO_E2E_WEBDRIVER, DRIVER_PID
#   kaigo_update_config              builds the update key (and address) in:
#                                    TAURI_CONFIG from scripts/signing/update-key.sh

KAIGO_REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# The tools of tools/: prebuilt, from the npm registry and PyPI.
KAIGO_TOOLS_VENV="${XDG_CACHE_HOME:-$HOME/.cache}/kaigo-onboard/tools-venv"
export PATH="$KAIGO_REPO/tools/node_modules/.bin:$KAIGO_TOOLS_VENV/bin:$HOME/.cargo/bin:$PATH"

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

kaigo_keyring_session() {
  # The caller has changed to the repository's root: its own "$0" may have
  # been relative to where it was started.
  local script
  script="$KAIGO_REPO/scripts/$(basename "$1")"
  shift
  if [ -z "${KAIGO_IN_KEYRING_SESSION:-}" ]; then
    export KAIGO_IN_KEYRING_SESSION=1
    exec dbus-run-session -- "$script" "$@"
  fi
  # A keyring of its own, so that the user's login keyring is never touched.
  XDG_DATA_HOME="$(mktemp -d)"
  export XDG_DATA_HOME
  echo kaigo-test-keyring | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  # Wait until the keyring answers on the bus.
  for _ in $(seq 50); do
    if echo probe | secret-tool store --label=kaigo-probe kaigo-probe ready 2>/dev/null; then break; fi
    sleep 0.2
  done
  secret-tool clear kaigo-probe ready 2>/dev/null || true
}

# The scripts that start a display stop it by KAIGO_XVFB_PID.
# shellcheck disable=SC2034
KAIGO_XVFB_PID=""
# shellcheck disable=SC2034
# -noreset: by default the server resets when its last client leaves, and
# an app started at that moment cannot open the display ("Failed to
# initialize GTK", seen between the e2e's app sessions under load).
kaigo_display() {
  local n=93 tries=0
  while [ -e "/tmp/.X11-unix/X$n" ] || [ -e "/tmp/.X$n-lock" ]; do n=$((n + 1)); done
  Xvfb ":$n" -screen 0 1280x900x24 -nolisten tcp -noreset >/dev/null 2>&1 &
  KAIGO_XVFB_PID=$!
  export DISPLAY=":$n"
  # Ready once its socket is there (a first client before that is refused).
  while [ ! -S "/tmp/.X11-unix/X$n" ] && [ "$tries" -lt 100 ]; do sleep 0.1; tries=$((tries + 1)); done
}

# The whole run's clock and whether its target folder was new, taken once by
# the outermost script (before set-up) and handed on through the
# environment (the keyring session starts the script again).
kaigo_run_start() {
  if [ -z "${KAIGO_RUN_STARTED:-}" ]; then
    KAIGO_RUN_STARTED="$(date +%s)"
    if [ -d "${CARGO_TARGET_DIR:-$KAIGO_REPO/target}/debug" ]; then KAIGO_RUN_STATE=warm; else KAIGO_RUN_STATE=cold; fi
    export KAIGO_RUN_STARTED KAIGO_RUN_STATE
  fi
}

# Where the phase table is kept (written after every phase, so that a run
# that is stopped leaves it behind too) by the script that owns the run's
# table (scripts/test.sh: KAIGO_TIMES_OWNED); a script it calls keeps its own
# table to itself.
if [ -z "${KAIGO_TIMES_OWNED:-}" ]; then KAIGO_TIMES_FILE="$KAIGO_REPO/target/ci-times.txt"; else KAIGO_TIMES_FILE=""; fi
# CI stops a run at 90 minutes: past this, say so before the next phase.
KAIGO_LATE_SECONDS="${KAIGO_LATE_SECONDS:-$((70 * 60))}"
KAIGO_TIMES=()
KAIGO_LATE_SAID=""
timed() {
  local name="$1" start=$SECONDS elapsed
  shift
  if [ -n "${KAIGO_RUN_STARTED:-}" ] && [ -n "$KAIGO_TIMES_FILE" ] && [ -z "$KAIGO_LATE_SAID" ]; then
    elapsed=$(($(date +%s) - KAIGO_RUN_STARTED))
    if [ "$elapsed" -gt "$KAIGO_LATE_SECONDS" ]; then
      KAIGO_LATE_SAID=1
      {
        echo "WARNING: this run has taken $((elapsed / 60)) min before \"$name\"."
        echo "CI stops a run at 90 min: this one may not land. The phases so far:"
        phase_times
      } >&2
    fi
  fi
  "$@"
  KAIGO_TIMES+=("$name: $((SECONDS - start)) s")
  phase_times >/dev/null
}

# A phase that only computes (a type-check) run beside one that mostly waits
# (tests of windows, databases, processes): `beside NAME COMMAND…` starts
# it with its output kept aside; `joined NAME` waits for it, prints its
# output, records its time as "NAME (beside)" and fails as it failed.
declare -A KAIGO_BESIDE_PID KAIGO_BESIDE_LOG KAIGO_BESIDE_START
beside() {
  local name="$1"
  shift
  KAIGO_BESIDE_LOG[$name]="$(mktemp)"
  KAIGO_BESIDE_START[$name]=$SECONDS
  "$@" >"${KAIGO_BESIDE_LOG[$name]}" 2>&1 &
  KAIGO_BESIDE_PID[$name]=$!
}
joined() {
  local name="$1" status=0
  wait "${KAIGO_BESIDE_PID[$name]}" || status=$?
  cat "${KAIGO_BESIDE_LOG[$name]}"
  rm -f "${KAIGO_BESIDE_LOG[$name]}"
  KAIGO_TIMES+=("$name (beside): $((SECONDS - KAIGO_BESIDE_START[$name])) s")
  phase_times >/dev/null
  if [ "$status" -ne 0 ]; then
    echo "$name failed (exit $status)" >&2
    return "$status"
  fi
}

# Prints the phase table — and, for the run's own table, the whole run's
# time and whether it was cold, written to target/ci-times.txt too.
phase_times() {
  local table state
  table="$(printf '%s\n' "${KAIGO_TIMES[@]}")"
  if [ -n "${KAIGO_RUN_STARTED:-}" ] && [ -n "$KAIGO_TIMES_FILE" ]; then
    if [ "${KAIGO_RUN_STATE:-}" = cold ]; then state="cold: the target folder was new"; else state="warm: the target folder was there"; fi
    table+=$'\n'"total: $(($(date +%s) - KAIGO_RUN_STARTED)) s ($state)"
    mkdir -p "$(dirname "$KAIGO_TIMES_FILE")"
    printf '%s\n' "$table" >"$KAIGO_TIMES_FILE"
  fi
  printf '%s\n' "$table"
}

# The tools of tools/, each as pinned there, installed again only when their
# list changed: nothing is compiled (tauri-cli from source alone took 8–9
# minutes of every cold run).
kaigo_tools() {
  local stamp="$KAIGO_REPO/tools/node_modules/.kaigo-lock"
  if ! cmp -s "$KAIGO_REPO/tools/package-lock.json" "$stamp" 2>/dev/null; then
    # `npm install` with the lock rather than `npm ci`: tauri-driver names
    # builds for other platforms that the registry here lacks, which `npm
    # ci` takes for a lock out of date; the versions and hashes are still
    # the lock's, and --no-save leaves it as it is.
    (cd "$KAIGO_REPO/tools" && npm install --no-audit --no-fund --no-save --loglevel=error)
    cp "$KAIGO_REPO/tools/package-lock.json" "$stamp"
  fi
  kaigo_python_tools
}

# The PyPI half alone (the fast gate needs only cargo-shear from it).
kaigo_python_tools() {
  local python=/usr/bin/python3
  [ -x "$python" ] || python=python3
  if ! cmp -s "$KAIGO_REPO/tools/requirements.txt" "$KAIGO_TOOLS_VENV/requirements.txt" 2>/dev/null; then
    rm -rf "$KAIGO_TOOLS_VENV"
    "$python" -m venv "$KAIGO_TOOLS_VENV"
    "$KAIGO_TOOLS_VENV/bin/pip" install --quiet --disable-pip-version-check -r "$KAIGO_REPO/tools/requirements.txt"
    # zig as one program, for the C compiler of scripts/macos/zig-cc.sh.
    # shellcheck disable=SC2016 # "$@" is the wrapper's own
    printf '#!/bin/sh\nexec "%s/bin/python" -m ziglang "$@"\n' "$KAIGO_TOOLS_VENV" >"$KAIGO_TOOLS_VENV/bin/python-zig"
    chmod +x "$KAIGO_TOOLS_VENV/bin/python-zig"
    cp "$KAIGO_REPO/tools/requirements.txt" "$KAIGO_TOOLS_VENV/requirements.txt"
  fi
}

# A port the kernel chose among its free ones: bound, read and let go, for a
# program that cannot be told to take port 0 (PostgreSQL, pcscd's vpcd,
# tauri-driver). A caller that finds it taken all the same asks again.
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# tauri-driver in front of WebKitWebDriver, both on ports the kernel chose;
# ready once it listens (a few tries with new ports, then its log).
start_tauri_driver() {
  local log="$1" port native _try
  for _try in 1 2 3; do
    port="$(free_port)"
    native="$(free_port)"
    tauri-driver --port "$port" --native-port "$native" >"$log" 2>&1 &
    DRIVER_PID=$!
    for _ in $(seq 50); do
      if ss -Hltn "sport = :$port" | grep -q .; then
        export KAIGO_E2E_WEBDRIVER="http://127.0.0.1:$port"
        return 0
      fi
      kill -0 "$DRIVER_PID" 2>/dev/null || break
      sleep 0.1
    done
    kill "$DRIVER_PID" 2>/dev/null || true
  done
  echo "tauri-driver did not start:" >&2
  tail -n 20 "$log" >&2
  return 1
}

kaigo_update_config() {
  export KAIGO_UPDATE_TEST_KEY_DIR="${KAIGO_UPDATE_TEST_KEY_DIR:-${CARGO_TARGET_DIR:-$KAIGO_REPO/target}/update-test-key}"
  if [ -z "${TAURI_CONFIG:-}" ]; then
    TAURI_CONFIG="$("$KAIGO_REPO/scripts/signing/update-key.sh")"
    export TAURI_CONFIG
  fi
}
