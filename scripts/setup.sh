#!/usr/bin/env bash
# Installs what Kaigo Onboard needs on Debian 12: system packages (sudo when
# not root), a check of the Rust toolchain, tauri-driver, tauri-cli and
# cargo-fuzz, and zig for the macOS check.
set -euo pipefail

PACKAGES=(
  build-essential pkg-config ca-certificates curl
  postgresql            # the second database backend, for its tests
  libpcsclite-dev pcscd # card readers (PC/SC), for the pre-flight check and the card-reading test
  vsmartcard-vpcd vsmartcard-vpicc python3-pycryptodome  # a virtual reader and card for that test
  chromium poppler-utils  # the completion report's PDF test (headless Chromium, pdftotext)
  gnome-keyring dbus-x11 libsecret-tools  # the OS keychain (Secret Service)
  libnss3 libnss3-tools # the user's NSS certificate database (libsoftokn3), and certutil/pk12util for its tests
  libwebkit2gtk-4.1-dev libsoup-3.0-dev librsvg2-dev libxdo-dev  # the app's window (Tauri)
  fonts-noto-cjk        # Japanese text
  webkit2gtk-driver xvfb  # the end-to-end test drives the real window headless
  desktop-file-utils    # checks the .deb's desktop entry
  # Windows: Debian's Rust 1.96 with its std source (cross-builds std), the
  # mingw linker, Wine to run the tests and the installer, NSIS to make it.
  rustc-web cargo-web rust-web-src gcc-mingw-w64-x86-64 wine wine64 nsis
  python3 python3-venv  # zig (from PyPI) compiles C for the macOS check
)

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if ! command -v cargo >/dev/null 2>&1; then
  if [ -x "$HOME/.cargo/bin/cargo" ]; then
    export PATH="$HOME/.cargo/bin:$PATH"
  else
    echo "Rust is not installed. Install it with rustup (https://rustup.rs), then run this again." >&2
    exit 1
  fi
fi
# Drives the app's window for the end-to-end test (WebDriver).
if ! command -v tauri-driver >/dev/null 2>&1; then
  cargo install tauri-driver --locked
fi
# Makes the .deb (tauri-cli's bundler); 2.x, as the app.
if ! cargo tauri --version 2>/dev/null | grep -q '^tauri-cli 2\.'; then
  cargo install tauri-cli --version '^2' --locked
fi
# Coverage-guided fuzzing of the rules and the API's bodies (scripts/fuzz.sh).
if ! command -v cargo-fuzz >/dev/null 2>&1; then
  cargo install cargo-fuzz --locked
fi
# zig, a C compiler that carries macOS's headers (scripts/check-macos.sh).
ZIG_VENV="${XDG_CACHE_HOME:-$HOME/.cache}/kaigo-onboard/zig-venv"
if [ ! -x "$ZIG_VENV/bin/python-zig" ]; then
  /usr/bin/python3 -m venv "$ZIG_VENV"
  "$ZIG_VENV/bin/pip" install --quiet ziglang==0.14.1
  printf '#!/bin/sh\nexec "%s/bin/python" -m ziglang "$@"\n' "$ZIG_VENV" >"$ZIG_VENV/bin/python-zig"
  chmod +x "$ZIG_VENV/bin/python-zig"
fi
# Schemathesis, which tests the service against its OpenAPI document
# (scripts/api-test.sh).
ST_VENV="${XDG_CACHE_HOME:-$HOME/.cache}/kaigo-onboard/schemathesis-venv"
if ! "$ST_VENV/bin/schemathesis" --version 2>/dev/null | grep -q '4\.32\.5'; then
  /usr/bin/python3 -m venv "$ST_VENV"
  "$ST_VENV/bin/pip" install --quiet schemathesis==4.32.5
fi
echo "set-up complete: $(cargo --version), $(tauri-driver --version 2>/dev/null || echo tauri-driver)"
