#!/usr/bin/env bash
# Installs what building and running the app needs on Debian 12 (sudo when
# not root): the compilers and the libraries of its window, the card
# reader, the keychain and the certificate database, and Japanese fonts;
# then checks the Rust toolchain (rust-toolchain.toml names it). What the
# tests need on top is scripts/setup-tests.sh's.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

APP_PACKAGES=(
  build-essential pkg-config ca-certificates curl
  libwebkit2gtk-4.1-dev libsoup-3.0-dev librsvg2-dev libxdo-dev  # the app's window (Tauri)
  libpcsclite-dev pcscd   # card readers (PC/SC): the pre-flight check and the card-reading test
  gnome-keyring dbus-x11 libsecret-tools  # the OS keychain (Secret Service)
  libnss3                 # the user's NSS certificate database (libsoftokn3)
  fonts-noto-cjk          # Japanese text
)

# Installs the packages of the arguments not installed yet.
install_packages() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    echo "installing: ${missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
}

# The toolchain rust-toolchain.toml pins: the machine's stable one when it
# is that version (these machines fetch no toolchain), else rustup's.
ensure_toolchain() {
  if ! command -v rustup >/dev/null 2>&1; then
    echo "Rust is not installed. Install it with rustup (https://rustup.rs), then run this again." >&2
    exit 1
  fi
  local want host toolchains
  want="$(sed -n 's/^channel = "\(.*\)"$/\1/p' "$KAIGO_REPO/rust-toolchain.toml")"
  host="x86_64-unknown-linux-gnu"
  toolchains="${RUSTUP_HOME:-$HOME/.rustup}/toolchains"
  if [ ! -e "$toolchains/$want-$host" ]; then
    if "$toolchains/stable-$host/bin/rustc" --version 2>/dev/null | grep -q "^rustc $want "; then
      ln -s "$toolchains/stable-$host" "$toolchains/$want-$host"
    else
      rustup toolchain install "$want" --profile minimal --component rustfmt --component clippy
    fi
  fi
}

# Sourced by setup-tests.sh for the functions alone.
[ "${BASH_SOURCE[0]}" = "$0" ] || return 0

install_packages "${APP_PACKAGES[@]}"
ensure_toolchain
echo "set-up complete: $(cargo --version)"
