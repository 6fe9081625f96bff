//! Board modules: everything that differs between boards.

#[cfg(feature = "board-host")]
pub mod host;
