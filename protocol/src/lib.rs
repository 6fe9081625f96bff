//! The versioned line protocol that results travel in.
//!
//! Firmware (over RTT), and the host board's cell process (over stdout),
//! print one message per line; the runner parses them with the same code
//! whatever the transport. A line is
//!
//! ```text
//! @T1 <kind> key=value key="quoted value" ... *CRC
//! ```
//!
//! - `@T1` names the protocol and its version ([`PREFIX`]); lines without it
//!   are not messages (for example a panic message printed by a host
//!   process) and are kept as log text;
//! - `CRC` is the CRC-16/CCITT-FALSE of everything before ` *`, as four hex
//!   digits, so a line garbled on the wire is detected, never misread;
//! - values are bare when they hold no space, quote, backslash or `*`, else
//!   quoted with `\"`, `\\` and `\n` escapes.
//!
//! The messages ([`Message`]) of one session, in order: one `hello`, then for
//! each cell a `cell`, any number of `metric`s and one `done` or `fail`; last
//! `bye`. `log` may appear anywhere. A device (a firmware that serves
//! capsules instead of running cells) answers each request that reached it
//! over the RTT down channel ([`request`]) with a `reply`.
#![cfg_attr(not(test), no_std)]
#![warn(missing_docs)]

#[cfg(feature = "alloc")]
extern crate alloc;

use core::fmt::{self, Write};

/// The first token of every protocol line: protocol name and version.
pub const PREFIX: &str = "@T1";

/// One protocol message. `S` is `&str` when encoding (firmware) and
/// `String` when decoding (runner).
#[derive(Clone, Debug, PartialEq)]
pub enum Message<S> {
    /// Who is speaking: board, runtime variant and how time is measured.
    Hello {
        /// Board name (`qemu-m33`, `rpi-pico2-w`, `host`, ...).
        board: S,
        /// Runtime variant label.
        runtime: S,
        /// Runtime crate name.
        crate_name: S,
        /// Runtime crate version.
        version: S,
        /// Runtime features, comma-separated.
        features: S,
        /// Clock unit: `ns`, `cycles` or `instructions`.
        clock_unit: S,
        /// Clock source, e.g. `SysTick`.
        clock_source: S,
        /// Nominal clock rate in Hz.
        clock_hz: u64,
        /// Heap size available to the runtime, in bytes.
        heap: u64,
    },
    /// A cell starts.
    Cell {
        /// Suite name.
        suite: S,
        /// Workload name.
        workload: S,
        /// Benchmark ABI (`embench` or `coremark`).
        abi: S,
    },
    /// One measured number of the current cell.
    Metric {
        /// Metric name (see the results format).
        name: S,
        /// The value, as decimal text (integer or float).
        value: Number,
        /// Unit.
        unit: S,
    },
    /// The current cell ran to completion.
    Done {
        /// The workload's self-check passed.
        verified: bool,
        /// What the workload's main returned.
        exit: i64,
    },
    /// The current cell failed.
    Fail {
        /// Error kind (`trap`, `out-of-memory`, ...).
        kind: S,
        /// Stage (`load`, `run`, ...).
        stage: S,
        /// Detail.
        message: S,
    },
    /// A device's answer to one request ([`request`]).
    Reply {
        /// The CoAP response code (`2.04` is 68).
        code: u8,
        /// The answer's payload bytes in hex ([`request::hex`]); capsules
        /// answer with binary data as often as with text.
        payload: S,
    },
    /// Free text.
    Log {
        /// The text.
        message: S,
    },
    /// The session ends; nothing follows.
    Bye,
}

/// A metric value: integers stay exact, anything else is a float.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Number {
    /// An unsigned integer.
    U64(u64),
    /// A float.
    F64(f64),
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Number::U64(v) => write!(f, "{v}"),
            Number::F64(v) => write!(f, "{v:?}"),
        }
    }
}

impl core::str::FromStr for Number {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        if let Ok(v) = s.parse::<u64>() {
            return Ok(Number::U64(v));
        }
        s.parse::<f64>().map(Number::F64).map_err(|_| ())
    }
}

/// CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF).
pub fn crc16(bytes: &[u8], mut crc: u16) -> u16 {
    for &b in bytes {
        crc ^= (b as u16) << 8;
        for _ in 0..8 {
            crc = if crc & 0x8000 != 0 {
                (crc << 1) ^ 0x1021
            } else {
                crc << 1
            };
        }
    }
    crc
}

/// Initial value of [`crc16`].
pub const CRC_INIT: u16 = 0xFFFF;

/// A `fmt::Write` adapter that keeps a running CRC of what passes through.
struct Crc<'w, W: Write> {
    inner: &'w mut W,
    crc: u16,
}

impl<W: Write> Write for Crc<'_, W> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.crc = crc16(s.as_bytes(), self.crc);
        self.inner.write_str(s)
    }
}

fn needs_quotes(v: &str) -> bool {
    v.is_empty()
        || v.bytes()
            .any(|b| matches!(b, b' ' | b'"' | b'\\' | b'*' | b'=' | b'\n' | b'\r' | b'\t'))
}

fn write_value<W: Write>(w: &mut W, v: &str) -> fmt::Result {
    if !needs_quotes(v) {
        return w.write_str(v);
    }
    w.write_char('"')?;
    for c in v.chars() {
        match c {
            '"' => w.write_str("\\\"")?,
            '\\' => w.write_str("\\\\")?,
            '\n' => w.write_str("\\n")?,
            '\r' => w.write_str("\\r")?,
            '\t' => w.write_str("\\t")?,
            c => w.write_char(c)?,
        }
    }
    w.write_char('"')
}

struct Fields<'w, W: Write> {
    w: Crc<'w, W>,
}

impl<W: Write> Fields<'_, W> {
    fn s(&mut self, k: &str, v: &str) -> fmt::Result {
        write!(self.w, " {k}=")?;
        write_value(&mut self.w, v)
    }
    fn n(&mut self, k: &str, v: impl fmt::Display) -> fmt::Result {
        write!(self.w, " {k}={v}")
    }
}

impl<S: AsRef<str>> Message<S> {
    /// The message kind as written on the wire.
    pub fn kind(&self) -> &'static str {
        match self {
            Message::Hello { .. } => "hello",
            Message::Cell { .. } => "cell",
            Message::Metric { .. } => "metric",
            Message::Done { .. } => "done",
            Message::Fail { .. } => "fail",
            Message::Reply { .. } => "reply",
            Message::Log { .. } => "log",
            Message::Bye => "bye",
        }
    }

    /// Writes the message as one line, newline included.
    pub fn write<W: Write>(&self, out: &mut W) -> fmt::Result {
        let mut f = Fields {
            w: Crc {
                inner: out,
                crc: CRC_INIT,
            },
        };
        write!(f.w, "{PREFIX} {}", self.kind())?;
        match self {
            Message::Hello {
                board,
                runtime,
                crate_name,
                version,
                features,
                clock_unit,
                clock_source,
                clock_hz,
                heap,
            } => {
                f.s("board", board.as_ref())?;
                f.s("runtime", runtime.as_ref())?;
                f.s("crate", crate_name.as_ref())?;
                f.s("version", version.as_ref())?;
                f.s("features", features.as_ref())?;
                f.s("clock_unit", clock_unit.as_ref())?;
                f.s("clock_source", clock_source.as_ref())?;
                f.n("clock_hz", clock_hz)?;
                f.n("heap", heap)?;
            }
            Message::Cell {
                suite,
                workload,
                abi,
            } => {
                f.s("suite", suite.as_ref())?;
                f.s("workload", workload.as_ref())?;
                f.s("abi", abi.as_ref())?;
            }
            Message::Metric { name, value, unit } => {
                f.s("name", name.as_ref())?;
                f.n("value", value)?;
                f.s("unit", unit.as_ref())?;
            }
            Message::Done { verified, exit } => {
                f.n("verified", *verified as u8)?;
                f.n("exit", exit)?;
            }
            Message::Fail {
                kind,
                stage,
                message,
            } => {
                f.s("kind", kind.as_ref())?;
                f.s("stage", stage.as_ref())?;
                f.s("msg", message.as_ref())?;
            }
            Message::Reply { code, payload } => {
                f.n("code", code)?;
                f.s("payload", payload.as_ref())?;
            }
            Message::Log { message } => f.s("msg", message.as_ref())?,
            Message::Bye => {}
        }
        let crc = f.w.crc;
        write!(f.w.inner, " *{crc:04X}\n")
    }
}

#[cfg(feature = "alloc")]
mod decode;
#[cfg(feature = "alloc")]
pub use decode::{parse, Line, ParseError};
#[cfg(feature = "alloc")]
pub mod request;

pub mod slot;
