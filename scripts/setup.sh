#!/usr/bin/env bash
# Installs what Kaigo Onboard needs on Debian 12 / Ubuntu 22.04+:
# system packages (sudo when not root) and a check of the Rust toolchain.
set -euo pipefail

PACKAGES=(
  build-essential pkg-config ca-certificates curl
  postgresql            # the second database backend, for its tests
  libpcsclite-dev pcscd # card readers (PC/SC), for the pre-flight check
  gnome-keyring dbus-x11 libsecret-tools  # the OS keychain (Secret Service)
  libnss3 libnss3-tools # the user's NSS certificate database (libsoftokn3), and certutil/pk12util for its tests
  libwebkit2gtk-4.1-dev libsoup-3.0-dev librsvg2-dev libxdo-dev  # the app's window (Tauri)
  fonts-noto-cjk        # Japanese text
  webkit2gtk-driver xvfb  # the end-to-end test drives the real window headless
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
echo "set-up complete: $(cargo --version), $(tauri-driver --version 2>/dev/null || echo tauri-driver)"
