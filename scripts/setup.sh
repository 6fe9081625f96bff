#!/usr/bin/env bash
# Installs what treVM bench needs on a fresh Debian 12 machine with rustup:
# Debian packages (QEMU, cross C compilers and libcs, clang, Emscripten and
# wasi-libc for the C suites, wabt, fonts),
# and the Rust targets for stable and nightly. Idempotent; run by `make`.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
have() { command -v "$1" >/dev/null 2>&1; }
pkg_ok() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

PKGS=(qemu-system-arm qemu-system-misc clang-14 lld-14 libclang-14-dev gcc-arm-none-eabi libnewlib-arm-none-eabi
      gcc-riscv64-unknown-elf picolibc-riscv64-unknown-elf wabt binaryen libudev-dev pkg-config
      gdb-multiarch fonts-dejavu-core ninja-build iproute2  # iproute2: the CoAP test's TAP interface
      emscripten wasi-libc libclang-rt-14-dev-wasm32)  # the last three: `make suites`
for p in "${PKGS[@]}"; do pkg_ok "$p" || need_apt+=("$p"); done

if [ ${#need_apt[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${need_apt[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  extra=()
  # A qemu-utils from backports (>= 8) conflicts with bookworm's qemu-system 7.2:
  # take qemu-utils from bookworm too (the harness needs only qemu-system-*).
  if pkg_ok qemu-utils && dpkg --compare-versions "$(dpkg-query -W -f='${Version}' qemu-utils)" ge 1:8; then
    extra+=(--allow-downgrades qemu-utils/bookworm)
  fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${extra[@]}" "${need_apt[@]}" >/dev/null
fi

# The firmware targets of the catalog's boards (mk/catalog.mk, generated from
# catalog/src), and wasm32v1-none for the guest modules.
read -r -a BOARD_TARGETS <<<"$(sed -n 's/^CATALOG_TARGETS := //p' mk/catalog.mk)"
[ ${#BOARD_TARGETS[@]} -gt 0 ] || { echo "setup: mk/catalog.mk names no targets" >&2; exit 1; }
TARGETS=("${BOARD_TARGETS[@]}" wasm32v1-none)
installed=$(rustup target list --installed)
for t in "${TARGETS[@]}"; do
  grep -qx "$t" <<<"$installed" || rustup target add "$t"
done
# wasefire needs nightly; its Wasm guests are built with stable, so nightly
# only needs the host and the board targets (a nightly without a wasm32v1-none
# std is fine).
if rustup toolchain list | grep -q '^nightly'; then
  installed=$(rustup +nightly target list --installed)
  for t in "${BOARD_TARGETS[@]}"; do
    grep -qx "$t" <<<"$installed" || rustup +nightly target add "$t" || echo "setup: warning: nightly target $t unavailable (wasefire firmware for it will not build)"
  done
else
  echo "setup: warning: no nightly toolchain; the wasefire variant will be missing"
fi
# laze, the build tool of Ariel OS (the Ariel OS firmwares), from crates.io.
LAZE_VERSION=0.1.39
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
laze_ok() {
  have laze || return 1
  local v
  v=$(laze --version | awk '{print $2}')
  [ "$(printf '%s\n%s\n' "$LAZE_VERSION" "$v" | sort -V | head -n1)" = "$LAZE_VERSION" ]
}
if ! laze_ok; then
  echo "setup: installing laze $LAZE_VERSION from crates.io (a few minutes)"
  cargo install laze --locked --version "$LAZE_VERSION"
fi
echo "setup: ok"
