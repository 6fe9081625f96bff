//! What every bare-metal board shares: the start-up sequence, the heap, the
//! RTT transport, the stack probe, the module slot and the fault path. A
//! board module (`crate::board::*`) adds only its name, clock and exit.

#[cfg(feature = "device")]
pub mod device;
pub mod heap;
pub mod rtt;
pub mod stack;

use core::fmt::Write as _;

use trevm_bench::Limits;
use trevm_protocol::Message;

use crate::board::this as board;
use crate::cell::{Board, Stack};

/// The firmware's life: set up, run the one cell the slot names, report,
/// wait until the host has read everything, exit. A device firmware
/// (feature `device`) serves requests instead, until it is stopped.
pub fn main() -> ! {
    stack::paint();
    heap::init();
    rtt::init();
    board::init();
    let b = Board {
        name: board::NAME,
        clock: board::CLOCK,
        heap: heap::size(),
        heap_tracked: true,
        limits: Limits::EMBEDDED,
        stack: Some(Stack {
            budget: stack::budget(),
            peak: stack::peak,
        }),
    };
    serve(&b)
}

/// A device firmware's work: requests, until it is stopped.
#[cfg(feature = "device")]
fn serve(b: &Board) -> ! {
    device::serve(&mut rtt::Out, b)
}

/// A cell firmware's work: the one cell, then the exit.
#[cfg(not(feature = "device"))]
fn serve(b: &Board) -> ! {
    let ok = crate::cell::run(&mut rtt::Out, b, None, crate::slot::region());
    rtt::flush();
    board::exit(ok)
}

/// Reports a fault that ended the cell (panic, hard fault, trap), then
/// exits. Allocation-free: the heap may be what failed.
pub fn fatal(kind: &str, what: core::fmt::Arguments<'_>) -> ! {
    let mut buf = Buf::<200>::new();
    let _ = buf.write_fmt(what);
    let kind = if kind == "crash" && trevm_bench::alloc::refusals().0 > 0 {
        let _ = write!(
            buf,
            " (the {} B heap ran out: {} B in use)",
            heap::size(),
            trevm_bench::alloc::current()
        );
        "out-of-memory"
    } else {
        kind
    };
    let mut out = rtt::Out;
    out.end_line();
    let _ = Message::Fail {
        kind,
        stage: "run",
        message: buf.as_str(),
    }
    .write(&mut out);
    let _ = Message::<&str>::Bye.write(&mut out);
    rtt::flush();
    board::exit(false)
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
    fatal("crash", format_args!("panic: {}", info.message()))
}

/// A fixed-size text buffer that truncates (no allocation).
struct Buf<const N: usize> {
    bytes: [u8; N],
    len: usize,
}

impl<const N: usize> Buf<N> {
    const fn new() -> Self {
        Buf {
            bytes: [0; N],
            len: 0,
        }
    }

    fn as_str(&self) -> &str {
        match core::str::from_utf8(&self.bytes[..self.len]) {
            Ok(s) => s,
            // Truncation split a character: keep the valid prefix.
            Err(e) => core::str::from_utf8(&self.bytes[..e.valid_up_to()]).unwrap_or(""),
        }
    }
}

impl<const N: usize> core::fmt::Write for Buf<N> {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        let n = s.len().min(N - self.len);
        self.bytes[self.len..self.len + n].copy_from_slice(&s.as_bytes()[..n]);
        self.len += n;
        Ok(())
    }
}
