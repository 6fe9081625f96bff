//! The microcontrollers under Ariel OS (`rpi-pico2-w`, `nrf52840dk`,
//! `espressif-esp32-c6-devkitc-1`): the one cell the module slot names,
//! run in Ariel OS's autostart task and reported on Ariel OS's log channel
//! (RTT through probe-rs), as the bare-metal firmware does on its own RTT.
//!
//! What is Ariel OS's here and what is ours:
//! - start-up, clocks, interrupts, the executor and its stack: Ariel OS's
//!   (the cell runs on the executor's stack, sized by laze's
//!   `executor_stacksize_required`, see `ariel/laze.yml`), measured with
//!   Ariel OS's own stack paint ([`ariel_os::rt::stack::Stack`]);
//! - the heap: [`heap`], the allocator Ariel OS uses, over the RAM Ariel OS
//!   leaves for it, under the tracking allocator;
//! - time: [`clock`], the core's cycle counter, not Ariel OS's `Instant`
//!   (which only tells the counter's wraps apart);
//! - the module slot: the end of flash, reserved by `trevm-ariel.x`.

mod clock;
pub(crate) use clock::CLOCK;
#[cfg(context = "esp32c6")]
#[path = "../../../firmware/src/board/esp32c6_slot.rs"]
mod esp32c6_slot;
mod heap;

use core::fmt::Write;

use ariel_os::debug::{exit, ExitCode};
use trevm_bench::Limits;

use crate::cell::{self, Board, Stack};

/// The module slot (`trevm-ariel.x` reserves it at the end of flash).
#[path = "../../../firmware/src/slot.rs"]
mod slot;

/// Peak use of the stack the cell runs on (Ariel OS's paint).
fn stack_peak() -> usize {
    ariel_os::rt::stack::Stack::get().peak_usage()
}

/// Starts what any program on the board needs first: the heap and the
/// clock (the cells' `main` calls it; so do the CoAP apps).
pub fn init() {
    heap::init();
    clock::start();
}

/// Runs the slot's cell, reports it, and ends the program.
pub fn main() {
    init();
    #[cfg(context = "esp32c6")]
    esp32c6_slot::map();
    let stack = ariel_os::rt::stack::Stack::get();
    stack.repaint();
    let board = Board {
        name: ariel_os::buildinfo::BOARD,
        clock: clock::CLOCK,
        heap: heap::size(),
        heap_tracked: heap::TRACKED,
        limits: Limits::EMBEDDED,
        stack: Some(Stack {
            budget: stack.size(),
            peak: stack_peak,
        }),
    };
    let mut out = LogLines::new();
    let ok = cell::run(&mut out, &board, None, slot::region());
    trevm_rtt_flush();
    exit(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Where the runner waits until it has read every line (a breakpoint, as
/// on the bare-metal firmware): the log channel is non-blocking.
#[unsafe(no_mangle)]
#[inline(never)]
pub extern "C" fn trevm_rtt_flush() {
    core::hint::black_box(());
}

/// The protocol's lines, each as one Ariel OS log message (the runner
/// finds `@T1` after the log's level prefix). Allocation-free: a line is
/// collected in a fixed buffer (a longer one is cut, and its CRC then
/// tells the runner so).
struct LogLines {
    line: [u8; 512],
    len: usize,
}

impl LogLines {
    const fn new() -> Self {
        LogLines {
            line: [0; 512],
            len: 0,
        }
    }

    fn emit(&mut self) {
        let text = match core::str::from_utf8(&self.line[..self.len]) {
            Ok(s) => s,
            Err(e) => core::str::from_utf8(&self.line[..e.valid_up_to()]).unwrap_or(""),
        };
        ariel_os::log::info!("{}", text);
        self.len = 0;
    }
}

impl Write for LogLines {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        for &b in s.as_bytes() {
            if b == b'\n' {
                self.emit();
            } else if self.len < self.line.len() {
                self.line[self.len] = b;
                self.len += 1;
            }
        }
        Ok(())
    }
}
