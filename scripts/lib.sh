# Sourced by the scripts: the set-up they share, written once.
#   . scripts/lib.sh
# Puts rustup's cargo on PATH, and offers:
#   kaigo_keyring_session "$0" "$@"  re-runs the calling script inside a
#                                    private D-Bus session with an unlocked
#                                    gnome-keyring of its own (the OS keychain)
#   kaigo_display                    starts Xvfb on a free display (DISPLAY)
#   timed NAME COMMAND…              runs COMMAND; `phase_times` prints them all
#   as_root COMMAND…                 sudo unless already root
#   tool_install CRATE [ARGS…]       cargo install of a test tool, built quickly
#   kaigo_update_config              builds the update key (and address) in:
#                                    TAURI_CONFIG from scripts/signing/update-key.sh

KAIGO_REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$HOME/.cargo/bin:$PATH"

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

KAIGO_XVFB_PID=""
kaigo_display() {
  local n=93
  while [ -e "/tmp/.X11-unix/X$n" ] || [ -e "/tmp/.X$n-lock" ]; do n=$((n + 1)); done
  Xvfb ":$n" -screen 0 1280x900x24 -nolisten tcp >/dev/null 2>&1 &
  KAIGO_XVFB_PID=$!
  export DISPLAY=":$n"
}

KAIGO_TIMES=()
timed() {
  local name="$1" start=$SECONDS
  shift
  "$@"
  KAIGO_TIMES+=("$name: $((SECONDS - start)) s")
}

phase_times() {
  printf '%s\n' "${KAIGO_TIMES[@]}"
}

# A cargo tool of the tests is built once per machine, quickly rather than
# small: without link-time optimisation, in parallel pieces, lightly
# optimised. tauri-cli's own release profile (fat LTO, one piece) took
# 9 min 20 s on a new two-core machine — a sixth of a cold CI run — and
# none of these tools does enough work for its speed to matter.
tool_install() {
  CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
    CARGO_PROFILE_RELEASE_OPT_LEVEL=1 CARGO_PROFILE_RELEASE_DEBUG=false \
    cargo install --locked "$@"
}

kaigo_update_config() {
  export KAIGO_UPDATE_TEST_KEY_DIR="${KAIGO_UPDATE_TEST_KEY_DIR:-${CARGO_TARGET_DIR:-$KAIGO_REPO/target}/update-test-key}"
  if [ -z "${TAURI_CONFIG:-}" ]; then
    TAURI_CONFIG="$("$KAIGO_REPO/scripts/signing/update-key.sh")"
    export TAURI_CONFIG
  fi
}
