//! Runtime-agnostic core of treVM bench.
//!
//! The same code runs inside firmware (`no_std` + `alloc`) and on the host
//! (`std` feature). It is layered as the data flows:
//!
//! - [`engine`]: the one interface every Wasm runtime is driven through
//!   ([`Runtime`], [`Instance`]), the host functions the benchmark ABIs import
//!   ([`Host`]), and the platform clock ([`Clock`]);
//! - [`runtimes`]: one adapter file per runtime, each behind a cargo feature;
//! - [`abi`]: the paper's two benchmark ABIs (CoreMark style and Embench
//!   style), implemented once above the engines;
//! - [`alloc`]: the tracking global allocator that measures peak heap;
//! - [`error`]: what can go wrong, classified so results can say why a cell
//!   failed.
#![cfg_attr(not(feature = "std"), no_std)]
#![warn(missing_docs)]

extern crate alloc as alloc_crate;

pub mod abi;
pub mod alloc;
pub mod capsule;
#[cfg(feature = "updates")]
pub mod device;
pub mod engine;
pub mod error;
pub mod runtimes;
#[cfg(feature = "updates")]
pub mod update;

pub use abi::{Abi, Outcome};
pub use engine::{Clock, Host, HostFn, Instance, Limits, Runtime, RuntimeInfo, Value};
pub use error::{Error, ErrorKind, Stage};
