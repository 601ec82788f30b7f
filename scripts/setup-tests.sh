#!/usr/bin/env bash
# Installs what the whole test suite needs beyond running the app (sudo when
# not root; each part only when missing, so a second run takes seconds):
# PostgreSQL, a virtual card reader, Chromium, WebDriver and a virtual
# display, Wine, mingw and NSIS for the Windows build, zig for the macOS
# check, the prebuilt tools of tools/ (tauri-driver, tauri-cli, cargo-fuzz,
# cargo-shear, zig, schemathesis), and axe-core (npm) for the accessibility
# checks.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
. scripts/setup.sh

TEST_PACKAGES=(
  postgresql            # the second database backend, for its tests
  iproute2              # ss: the listening socket's backlog (a test), the virtual reader ready (reader.sh)
  vsmartcard-vpcd vsmartcard-vpicc python3-pycryptodome  # a virtual reader and card for the card-reading test
  chromium poppler-utils  # the completion report's PDF test (headless Chromium, pdftotext)
  chromium-driver       # the trainer's page in a real browser (研修 end-to-end test)
  libnss3-tools         # certutil/pk12util for the NSS tests
  webkit2gtk-driver xvfb  # the end-to-end test drives the real window headless
  desktop-file-utils    # checks the .deb's desktop entry
  lintian               # Debian's own check of the .deb
  # Windows: Debian's Rust 1.96 with its std source (cross-builds std), the
  # mingw linker, Wine to run the tests and the installer, NSIS to make it.
  rustc-web cargo-web rust-web-src gcc-mingw-w64-x86-64 wine wine64 nsis
  osslsigncode          # Authenticode signatures of the Windows build, and their check
  softhsm2 libengine-pkcs11-openssl  # a PKCS#11 token for the test of signing with a token's key
  minisign              # signs the update bundle (tauri-plugin-updater checks it)
  python3 python3-venv  # the prebuilt tools of tools/requirements.txt (PyPI)
  shellcheck            # the fast gate lints every script
)
install_packages "${APP_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
ensure_toolchain

# axe-core, which the end-to-end test injects into the window and the
# trainer's page (tests/e2e/package.json, its lock pinning the version).
command -v npm >/dev/null 2>&1 || install_packages npm
(cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error)
# The tools, prebuilt and pinned (tools/): tauri-driver drives the app's
# window, tauri-cli's bundler makes the .deb, cargo-fuzz fuzzes, cargo-shear
# finds unused dependencies, zig carries macOS's headers for the macOS
# check, schemathesis tests the service against its OpenAPI document.
kaigo_tools
echo "test set-up complete: $(cargo --version), $(tauri --version)"
