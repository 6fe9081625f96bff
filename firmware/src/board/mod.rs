//! Board modules: everything that differs between boards. Exactly one is
//! compiled in, chosen by a `board-*` feature, and re-exported as `this`.
//!
//! A bare-metal board module provides `NAME`, `CLOCK`, `init()` (start its
//! clock) and `exit(ok) -> !`; its memory map is `memory/<board>.x`.

#[cfg(feature = "board-host")]
pub mod host;
#[cfg(feature = "board-qemu-m33")]
pub mod qemu_m33;
#[cfg(feature = "board-qemu-m33")]
pub use qemu_m33 as this;
#[cfg(feature = "board-qemu-m4f")]
pub mod qemu_m4f;
#[cfg(feature = "board-qemu-m4f")]
pub use qemu_m4f as this;
#[cfg(feature = "board-qemu-rv32")]
pub mod qemu_rv32;
#[cfg(feature = "board-qemu-rv32")]
pub use qemu_rv32 as this;
#[cfg(feature = "board-rpi-pico2-w")]
pub mod rpi_pico2_w;
#[cfg(feature = "board-rpi-pico2-w")]
pub use rpi_pico2_w as this;
#[cfg(feature = "board-nrf52840dk")]
pub mod nrf52840dk;
#[cfg(feature = "board-nrf52840dk")]
pub use nrf52840dk as this;
#[cfg(feature = "board-espressif-esp32-c6-devkitc-1")]
pub mod espressif_esp32_c6_devkitc_1;
#[cfg(feature = "board-espressif-esp32-c6-devkitc-1")]
pub use espressif_esp32_c6_devkitc_1 as this;
