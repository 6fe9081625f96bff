//! The transport: protocol lines over an RTT up channel (`rtt-target`),
//! and, in a device firmware (feature `device`), request frames from the
//! host over a down channel.
//!
//! The host reads the channel while the target is halted at
//! [`trevm_rtt_flush`], which the firmware calls after every line and
//! before the buffer could fill: under QEMU the runner puts a breakpoint
//! there and drains the buffer over the GDB stub, so the guest is stopped
//! only between measurements, never during one. On a board the probe reads
//! the buffer while the core runs; either way [`flush`] then waits until
//! the host has read everything.

use core::cell::RefCell;

use critical_section::Mutex;
use rtt_target::{rtt_init, ChannelMode, UpChannel};

/// Channel buffer size.
const SIZE: usize = 1024;
/// Down channel buffer size (device firmware).
#[cfg(feature = "device")]
const DOWN_SIZE: usize = 1024;
/// Flush before the bytes written since the last flush could exceed this.
const HIGH_WATER: usize = SIZE / 2;

struct State {
    channel: UpChannel,
    #[cfg(feature = "device")]
    down: rtt_target::DownChannel,
    /// Bytes written since the last flush.
    pending: usize,
    /// The last byte written ended a line.
    line_start: bool,
}

static STATE: Mutex<RefCell<Option<State>>> = Mutex::new(RefCell::new(None));

/// Sets up the RTT control block (`_SEGGER_RTT`) with one up channel (and
/// one down channel in a device firmware).
pub fn init() {
    #[cfg(not(feature = "device"))]
    let channels = rtt_init! {
        up: {
            0: {
                size: SIZE,
                mode: ChannelMode::BlockIfFull,
                name: "trevm"
            }
        }
    };
    #[cfg(feature = "device")]
    let channels = rtt_init! {
        up: {
            0: {
                size: SIZE,
                mode: ChannelMode::BlockIfFull,
                name: "trevm"
            }
        }
        down: {
            0: {
                size: DOWN_SIZE,
                name: "trevm-requests"
            }
        }
    };
    critical_section::with(|cs| {
        STATE.borrow_ref_mut(cs).replace(State {
            channel: channels.up.0,
            #[cfg(feature = "device")]
            down: channels.down.0,
            pending: 0,
            line_start: true,
        })
    });
}

/// What the host has put in the down channel since the last call, into
/// `buf`; 0 when nothing waits. On nothing, the host gets its cue
/// ([`trevm_rtt_flush`]) to hand over more: under QEMU the guest stops
/// there until the host has written.
#[cfg(feature = "device")]
pub fn read(buf: &mut [u8]) -> usize {
    let n = critical_section::with(|cs| {
        STATE
            .borrow_ref_mut(cs)
            .as_mut()
            .map_or(0, |s| s.down.read(buf))
    });
    if n == 0 {
        trevm_rtt_flush();
    }
    n
}

/// The host's cue: it stops the target here and drains the channel.
/// Never inlined, so that its address is a stable breakpoint.
#[unsafe(no_mangle)]
#[inline(never)]
pub extern "C" fn trevm_rtt_flush() {
    static CALLS: core::sync::atomic::AtomicU32 = core::sync::atomic::AtomicU32::new(0);
    CALLS.fetch_add(1, core::sync::atomic::Ordering::Relaxed);
}

fn flush_state(s: &mut State) {
    if s.pending > 0 {
        trevm_rtt_flush();
        s.channel.flush();
        s.pending = 0;
    }
}

/// Hands everything written so far to the host and waits until it has read
/// it.
pub fn flush() {
    critical_section::with(|cs| {
        if let Some(s) = STATE.borrow_ref_mut(cs).as_mut() {
            flush_state(s);
        }
    });
}

/// Protocol output: a [`core::fmt::Write`] onto the channel that flushes
/// at every line end.
pub struct Out;

impl Out {
    /// Ends a partly written line (before a fault report).
    pub fn end_line(&mut self) {
        let partial = critical_section::with(|cs| {
            STATE.borrow_ref(cs).as_ref().is_some_and(|s| !s.line_start)
        });
        if partial {
            let _ = core::fmt::Write::write_str(self, "\n");
        }
    }
}

impl core::fmt::Write for Out {
    fn write_str(&mut self, text: &str) -> core::fmt::Result {
        critical_section::with(|cs| {
            let mut state = STATE.borrow_ref_mut(cs);
            let s = state.as_mut().ok_or(core::fmt::Error)?;
            for chunk in text.as_bytes().chunks(HIGH_WATER) {
                if s.pending + chunk.len() > HIGH_WATER {
                    flush_state(s);
                }
                let mut rest = chunk;
                while !rest.is_empty() {
                    let n = s.channel.write(rest);
                    rest = &rest[n..];
                }
                s.pending += chunk.len();
            }
            if let Some(&last) = text.as_bytes().last() {
                s.line_start = last == b'\n';
                if s.line_start {
                    flush_state(s);
                }
            }
            Ok(())
        })
    }
}
