//! Errors, classified so that a failed cell says why it failed.

use alloc_crate::string::{String, ToString};
use core::fmt;

/// What kind of failure happened: the catalog's failure vocabulary (its
/// names are the `error.kind` field of the results format).
pub use trevm_catalog::failure::Kind as ErrorKind;
/// Where in a cell's life the failure happened (`error.stage`).
pub use trevm_catalog::failure::Stage;

/// A failure with its kind, stage and the runtime's own message.
#[derive(Clone, Debug, PartialEq)]
pub struct Error {
    /// What went wrong.
    pub kind: ErrorKind,
    /// Where it went wrong.
    pub stage: Stage,
    /// Human-readable detail, usually the runtime's message.
    pub message: String,
}

impl Error {
    /// A new error.
    pub fn new(kind: ErrorKind, stage: Stage, message: impl ToString) -> Self {
        Error {
            kind,
            stage,
            message: message.to_string(),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} during {}: {}",
            self.kind.as_str(),
            self.stage.as_str(),
            self.message
        )
    }
}

#[cfg(feature = "std")]
impl std::error::Error for Error {}
