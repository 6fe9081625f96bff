//! What differs between the Ariel OS boards: `native` runs cells as
//! processes ([`native`]), the microcontrollers run the one cell their
//! module slot names ([`mcu`]).

#[cfg(context = "native")]
#[path = "../../../firmware/src/board/host.rs"]
#[allow(dead_code)] // its `main` is the host board's
mod host;
#[cfg(all(context = "native", not(feature = "coap")))]
mod native;
/// The clock the board measures with.
#[cfg(context = "native")]
pub(crate) use host::CLOCK;
#[cfg(all(context = "native", not(feature = "coap")))]
pub use native::main;

#[cfg(not(context = "native"))]
#[cfg_attr(feature = "coap", allow(dead_code))] // the CoAP apps run no cells
mod mcu;
/// Starts the heap and the clock (the CoAP apps; cells start them in
/// `main`).
#[cfg(all(not(context = "native"), feature = "coap"))]
pub(crate) use mcu::init;
#[cfg(all(not(context = "native"), not(feature = "coap")))]
pub use mcu::main;
/// The clock the board measures with.
#[cfg(not(context = "native"))]
pub(crate) use mcu::CLOCK;
