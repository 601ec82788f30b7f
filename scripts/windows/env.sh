# shellcheck shell=bash
# Sourced: the environment for building the workspace for Windows
# (x86_64-pc-windows-gnu) on this Debian machine and running what it builds
# under Wine. Debian's Rust 1.96 (rustc-web, cargo-web) ships the standard
# library's source, so std is built for the target (-Zbuild-std); the rustup
# toolchain stays first on PATH and stays the one for Linux builds.
#   . scripts/windows/env.sh && windows_cargo test -p kaigo-domain

KAIGO_REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
KAIGO_WINDOWS_TARGET=x86_64-pc-windows-gnu
# Its own target folder: two compilers must not share build-script outputs.
KAIGO_WINDOWS_TARGET_DIR="${KAIGO_WINDOWS_TARGET_DIR:-${CARGO_TARGET_DIR:-$KAIGO_REPO/target}/cross-windows}"
export KAIGO_WINDOWS_TARGET KAIGO_WINDOWS_TARGET_DIR
export WINEPREFIX="${KAIGO_WINEPREFIX:-$KAIGO_WINDOWS_TARGET_DIR/wine-prefix}"
export WINEDEBUG=-all
# Wine's own bcryptprimitives lacks ProcessPrng; the shim (native) goes first.
export WINEDLLOVERRIDES="bcryptprimitives=n,b;mscoree=;mshtml=;winemenubuilder.exe="
export WINEARCH=win64

windows_cargo() {
  env RUSTC_BOOTSTRAP=1 RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc \
    CARGO_TARGET_DIR="$KAIGO_WINDOWS_TARGET_DIR" \
    CARGO_TARGET_X86_64_PC_WINDOWS_GNU_LINKER=x86_64-w64-mingw32-gcc \
    CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUNNER="$KAIGO_REPO/scripts/windows/wine-run.sh" \
    CC_x86_64_pc_windows_gnu=x86_64-w64-mingw32-gcc AR_x86_64_pc_windows_gnu=x86_64-w64-mingw32-ar \
    /usr/bin/cargo "$1" -Zbuild-std=std,panic_abort --target "$KAIGO_WINDOWS_TARGET" "${@:2}"
}

# A Wine prefix with the ProcessPrng shim in system32, made once.
windows_prefix() {
  local shim="$KAIGO_WINDOWS_TARGET_DIR/bcryptprimitives.dll"
  mkdir -p "$KAIGO_WINDOWS_TARGET_DIR"
  if [ ! -f "$shim" ] || [ "$KAIGO_REPO/scripts/windows/processprng.c" -nt "$shim" ]; then
    x86_64-w64-mingw32-gcc -O2 -shared -o "$shim" \
      "$KAIGO_REPO/scripts/windows/processprng.c" "$KAIGO_REPO/scripts/windows/processprng.def" -ladvapi32
  fi
  # wineboot has been seen to leave no prefix at all once in a CI run (its
  # output hidden): try again after stopping any wineserver, and say why.
  local try log="$KAIGO_WINDOWS_TARGET_DIR/wineboot.log"
  for try in 1 2 3; do
    [ -d "$WINEPREFIX/drive_c/windows/system32" ] && [ -f "$WINEPREFIX/system.reg" ] && break
    wineserver -k >/dev/null 2>&1 || true
    [ "$try" = 1 ] || rm -rf "$WINEPREFIX"
    /usr/lib/wine/wine64 wineboot --init >"$log" 2>&1 || true
    wineserver -w || true
  done
  if [ ! -d "$WINEPREFIX/drive_c/windows/system32" ]; then
    echo "windows_prefix: wineboot made no prefix at $WINEPREFIX; its output:" >&2
    cat "$log" >&2
    return 1
  fi
  # Wine links Desktop, Documents, Downloads… to the Linux home folder:
  # make them the prefix's own, so that tests (the installer's shortcuts)
  # never write outside it.
  local d
  for d in "$WINEPREFIX"/drive_c/users/*/{Desktop,Documents,Downloads,Music,Pictures,Videos,Templates}; do
    if [ -L "$d" ]; then rm "$d" && mkdir "$d"; fi
  done
  cmp -s "$shim" "$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll" ||
    cp "$shim" "$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll"
}
