#!/usr/bin/env bash
# Builds ONE firmware cell (board × runtime build) through laze, the build
# tool of Ariel OS, from laze-project.yml, and checks that its ELF is there.
# Installs ninja (Debian package ninja-build) and laze (crates.io) when
# missing. The Rust targets and cross C toolchains come from scripts/setup.sh
# (`make setup`).
#
#   scripts/laze-cell.sh [BOARD [APP]]     default: qemu-m33 wasmi
#
# BOARD: a laze builder, APP: a laze app (a firmware build); both come from the
# catalog (laze-project.yml is generated from it; `make help` lists them).
# The ELF: build/laze/<BOARD>/<APP>/trevm-firmware.elf.
set -euo pipefail
cd "$(dirname "$0")/.."

BOARD=${1:-qemu-m33}
APP=${2:-wasmi}
# The laze this file was written for (also `laze_required_version` there).
LAZE_VERSION=${LAZE_VERSION:-0.1.39}

have() { command -v "$1" >/dev/null 2>&1; }

# The names laze-project.yml defines under `builders:` or `apps:`.
names() {
  awk -v section="$1:" '
    /^[^ #]/ { in_section = ($1 == section) }
    in_section && $1 == "-" && $2 == "name:" { print $3 }
  ' laze-project.yml
}
grep -qx -- "$BOARD" <(names builders) ||
  { echo "laze-cell: unknown board \`$BOARD\` (known: $(names builders | paste -sd' '))" >&2; exit 2; }
grep -qx -- "$APP" <(names apps) ||
  { echo "laze-cell: unknown app \`$APP\` (known: $(names apps | paste -sd' '))" >&2; exit 2; }

if ! have ninja; then
  echo "laze-cell: installing ninja (Debian package ninja-build)"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq ninja-build >/dev/null
fi

export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
laze_ok() {
  have laze || return 1
  local v
  v=$(laze --version | awk '{print $2}')
  # at least LAZE_VERSION
  [ "$(printf '%s\n%s\n' "$LAZE_VERSION" "$v" | sort -V | head -n1)" = "$LAZE_VERSION" ]
}
if ! laze_ok; then
  echo "laze-cell: installing laze $LAZE_VERSION from crates.io (a few minutes)"
  start=$SECONDS
  cargo install laze --locked --version "$LAZE_VERSION"
  echo "laze-cell: laze installed in $((SECONDS - start)) s"
fi

elf="build/laze/$BOARD/$APP/trevm-firmware.elf"
# The check below must see this run's ELF, not an older one.
rm -f "$elf"
echo "laze-cell: $(laze --version): building $APP for $BOARD"
laze build -b "$BOARD" -a "$APP"

if [ ! -s "$elf" ]; then
  echo "laze-cell: error: laze did not produce $elf" >&2
  exit 1
fi
if [ "$(head -c4 "$elf" | od -An -tx1 | tr -d ' \n')" != "7f454c46" ]; then
  echo "laze-cell: error: $elf is not an ELF file" >&2
  exit 1
fi
echo "laze-cell: ok: $elf ($(stat -c %s "$elf") bytes)"
