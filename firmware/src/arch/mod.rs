//! Processor-family code shared by the boards of a family: reset entry,
//! fault handlers and the cycle/instruction counter.

#[cfg(target_arch = "arm")]
pub mod cortex_m;
#[cfg(target_arch = "riscv32")]
pub mod riscv;
