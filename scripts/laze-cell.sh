#!/usr/bin/env bash
# Builds ONE Ariel OS firmware cell (board × runtime build) with laze, as an
# Ariel OS user builds any Ariel OS application, from the laze project at the
# repository root (laze-project.yml, ariel/laze.yml), and checks its ELF.
# laze and ninja come from scripts/setup.sh (`make setup`); Ariel OS is
# found by scripts/ariel-os.sh (exit 3, with how to get it, when it is not).
#
#   scripts/laze-cell.sh [BOARD [APP]]     default: nrf52840dk wasmi
#
# BOARD: an Ariel OS laze builder (`native`, `rpi-pico2-w`, `nrf52840dk`,
# `espressif-esp32-c6-devkitc-1`); APP: a firmware build of the catalog
# (ariel/laze.yml lists them). The bare-metal firmwares are the laze project
# in firmware/ (`laze -C firmware build -b qemu-m33 -a wasmi`).
# The ELF: build/bin/<BOARD>/cargo/<rust target>/release/<APP>.
set -euo pipefail
cd "$(dirname "$0")/.."

BOARD=${1:-nrf52840dk}
APP=${2:-wasmi}

# The apps ariel/laze.yml defines.
apps=$(awk '/^apps:/ { in_apps = 1 } in_apps && $1 == "-" && $2 == "name:" { print $3 }' ariel/laze.yml)
grep -qx -- "$APP" <<<"$apps" ||
  { echo "laze-cell: unknown app \`$APP\` (known: $(paste -sd' ' <<<"$apps"))" >&2; exit 2; }

bash scripts/ariel-os.sh check

# This run's ELF, not an older one.
rm -f build/bin/"$BOARD"/cargo/*/release/"$APP"
echo "laze-cell: $(laze --version): building $APP for $BOARD (Ariel OS)"
laze build --global -b "$BOARD" -a "$APP"

elf=$(ls build/bin/"$BOARD"/cargo/*/release/"$APP" 2>/dev/null | head -n1)
if [ -z "$elf" ] || [ ! -s "$elf" ]; then
  echo "laze-cell: error: laze did not produce build/bin/$BOARD/cargo/*/release/$APP" >&2
  exit 1
fi
if [ "$(head -c4 "$elf" | od -An -tx1 | tr -d ' \n')" != "7f454c46" ]; then
  echo "laze-cell: error: $elf is not an ELF file" >&2
  exit 1
fi
echo "laze-cell: ok: $elf ($(stat -c %s "$elf") bytes)"
