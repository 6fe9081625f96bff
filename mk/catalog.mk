# Generated from the catalog (catalog/src) by `make catalog`; do not edit.
# Runtime variant labels, in table order.
CATALOG_RUNTIMES := native trevm wasmtime wasmtime@42.0.1 wasmtime-no-simd wasmtime-no-simd@42.0.1 wasmi wasmi@1.0.9 wamr wamr-fast wasm-interpreter wasefire tinywasm wasm3
# The paper's plotted runtimes, current and paper-pinned versions (make reproduce).
CATALOG_PAPER_RUNTIMES := wasmtime wasmtime@42.0.1 wasmtime-no-simd wasmtime-no-simd@42.0.1 wasmi wasmi@1.0.9 wamr wamr-fast
# Memory profiles of the firmwares (`default` first).
CATALOG_PROFILES := default paper
# Firmware builds (`none`: no runtime, the footprint baseline).
CATALOG_BUILDS := none wasmtime wasmtime-no-simd trevm wasmtime-42 wasmtime-no-simd-42 wasmi wasmi-1 wamr wasm-interpreter wasefire tinywasm wasm3 native
# Boards: all; emulated; with firmware buildable by rustup's targets.
CATALOG_BOARDS := host ariel-native qemu-m33 qemu-m4f qemu-rv32 rpi-pico2-w nrf52840dk espressif-esp32-c6-devkitc-1 espressif-esp32-devkitc
CATALOG_EMULATED_BOARDS := qemu-m33 qemu-m4f qemu-rv32
CATALOG_FIRMWARE_BOARDS := qemu-m33 qemu-m4f qemu-rv32 rpi-pico2-w nrf52840dk espressif-esp32-c6-devkitc-1
# Rust targets of those boards' firmware (rustup installs them).
CATALOG_TARGETS := riscv32imac-unknown-none-elf thumbv7em-none-eabihf thumbv8m.main-none-eabihf
# Operating systems (`bare` first); boards with Ariel OS firmware.
CATALOG_OSES := bare ariel-os
CATALOG_ARIEL_BOARDS := ariel-native rpi-pico2-w nrf52840dk espressif-esp32-c6-devkitc-1
# Ariel OS: repository and pinned commit (scripts/ariel-os.sh).
CATALOG_ARIEL_OS_GIT := https://github.com/ariel-os/ariel-os
CATALOG_ARIEL_OS_COMMIT := 90f41cfe52c86c96b09b276b44e1a40e14733058
# Suites.
CATALOG_SUITES := own capsules coremark embench embench-current
