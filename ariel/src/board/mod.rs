//! What differs between the Ariel OS boards: `native` runs cells as
//! processes ([`native`]), the microcontrollers run the one cell their
//! module slot names ([`mcu`]).

#[cfg(context = "native")]
#[path = "../../../firmware/src/board/host.rs"]
#[allow(dead_code)] // its `main` is the host board's
mod host;
#[cfg(context = "native")]
mod native;
#[cfg(context = "native")]
pub use native::main;

#[cfg(not(context = "native"))]
mod mcu;
#[cfg(not(context = "native"))]
pub use mcu::main;
