//! Access to a running target: its memory, its debug stub, its RTT output.
//!
//! The runner reads what firmware prints through SEGGER RTT. On a board the
//! memory comes through a debug probe (probe-rs); in QEMU through the GDB
//! stub. Both sit behind [`MemoryAccess`], so the RTT code ([`rtt`]) that the
//! boards use is the code CI exercises in QEMU.
//!
//! - [`gdb`]: a minimal GDB Remote Serial Protocol client for QEMU's gdbstub;
//! - [`rtt`]: the RTT up-channel reader and a line assembler;
//! - [`elf`]: symbols, entry and section sizes of a firmware ELF;
//! - [`coap`]: a CoAP client, for devices that serve capsules over CoAP.

use std::fmt;
use std::io;

pub mod coap;
pub mod elf;
pub mod gdb;
pub mod rtt;

/// Read and write target memory while the target runs or is halted.
///
/// Whether access works while the target runs depends on the transport: a
/// debug probe reads a running core, QEMU's GDB stub only a halted one (it
/// answers [`TargetError::Running`] otherwise).
pub trait MemoryAccess {
    /// Fills `buf` with the target bytes at `addr..addr + buf.len()`.
    fn read(&mut self, addr: u64, buf: &mut [u8]) -> Result<(), TargetError>;
    /// Writes `data` to the target at `addr..addr + data.len()`.
    fn write(&mut self, addr: u64, data: &[u8]) -> Result<(), TargetError>;
}

impl<M: MemoryAccess + ?Sized> MemoryAccess for &mut M {
    fn read(&mut self, addr: u64, buf: &mut [u8]) -> Result<(), TargetError> {
        (**self).read(addr, buf)
    }
    fn write(&mut self, addr: u64, data: &[u8]) -> Result<(), TargetError> {
        (**self).write(addr, data)
    }
}

/// Why talking to the target failed.
#[derive(Debug)]
pub enum TargetError {
    /// The transport failed (socket, pipe, probe driver).
    Io(io::Error),
    /// The connection closed: the emulator or probe is gone.
    Closed,
    /// The other side broke the protocol, or target data is inconsistent
    /// (e.g. a corrupt RTT control block). The text says what.
    Protocol(String),
    /// The stub answered a request with an error reply (`E xx`), e.g. a read
    /// of unmapped memory.
    Refused {
        /// The request, abbreviated.
        request: String,
        /// The stub's reply.
        reply: String,
    },
    /// Nothing arrived in time. The text says what was awaited.
    Timeout(String),
    /// The target exited with this code (GDB `W xx`).
    Exited(u8),
    /// The target was terminated by this signal (GDB `X xx`).
    Signalled(u8),
    /// The operation needs a halted target, and it runs.
    Running,
}

impl TargetError {
    /// Shorthand for a [`TargetError::Protocol`] error.
    pub fn protocol(msg: impl Into<String>) -> Self {
        TargetError::Protocol(msg.into())
    }
}

impl fmt::Display for TargetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TargetError::Io(e) => write!(f, "target I/O error: {e}"),
            TargetError::Closed => write!(f, "target connection closed"),
            TargetError::Protocol(m) => write!(f, "target protocol error: {m}"),
            TargetError::Refused { request, reply } => {
                write!(f, "target refused `{request}`: {reply}")
            }
            TargetError::Timeout(what) => write!(f, "timed out waiting for {what}"),
            TargetError::Exited(code) => write!(f, "target exited with code {code}"),
            TargetError::Signalled(sig) => write!(f, "target terminated by signal {sig}"),
            TargetError::Running => write!(f, "target is running; the request needs it halted"),
        }
    }
}

impl std::error::Error for TargetError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            TargetError::Io(e) => Some(e),
            _ => None,
        }
    }
}

impl From<io::Error> for TargetError {
    fn from(e: io::Error) -> Self {
        TargetError::Io(e)
    }
}
