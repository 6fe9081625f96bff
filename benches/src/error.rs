//! Errors, classified so that a failed cell says why it failed.

use alloc_crate::string::{String, ToString};
use core::fmt;

/// What kind of failure happened. The names match the `error.kind` field of
/// the results format (see `docs/results-format.md`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// The module (or its prepared form) is not valid.
    Malformed,
    /// An import could not be resolved, or an export is missing or has the
    /// wrong type.
    Link,
    /// The guest trapped.
    Trap,
    /// The guest ran out of fuel (runtimes with fuel metering).
    OutOfFuel,
    /// A memory budget (heap or linear memory) was exceeded.
    OutOfMemory,
    /// The workload ran but its self-check failed.
    Verify,
    /// The runtime cannot do what was asked (for example a missing feature).
    Unsupported,
    /// Anything else; a bug in the harness or the runtime.
    Internal,
}

impl ErrorKind {
    /// The name used in results files.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Malformed => "malformed",
            ErrorKind::Link => "link",
            ErrorKind::Trap => "trap",
            ErrorKind::OutOfFuel => "out-of-fuel",
            ErrorKind::OutOfMemory => "out-of-memory",
            ErrorKind::Verify => "verify",
            ErrorKind::Unsupported => "unsupported",
            ErrorKind::Internal => "internal",
        }
    }
}

/// Where in a cell's life the failure happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// Host-side preparation (precompiling, adding side tables).
    Prepare,
    /// Decoding and validating the module.
    Load,
    /// Linking imports and instantiating.
    Instantiate,
    /// Calling the module's exports.
    Run,
}

impl Stage {
    /// The name used in results files.
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Prepare => "prepare",
            Stage::Load => "load",
            Stage::Instantiate => "instantiate",
            Stage::Run => "run",
        }
    }
}

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
