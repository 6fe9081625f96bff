//! The host board: an x86_64 process per cell.
//!
//! Usage (the runner drives it; see `trevm-runner`):
//!
//! ```text
//! trevm-firmware list
//! trevm-firmware info
//! trevm-firmware prepare RUNTIME POINTER_WIDTH IN.wasm OUT
//! trevm-firmware run RUNTIME SLOT_FILE [HEAP_LIMIT_BYTES [FUEL]]
//! ```
//!
//! `run` prints the cell in the line protocol on stdout; the process exit
//! code is 0 when the cell verified, 1 when it failed, 2 on usage errors.

use std::io::Write as _;
use std::sync::OnceLock;
use std::time::Instant;

use trevm_bench::{runtimes, Clock, Limits};

use crate::cell::{self, Board};

#[global_allocator]
static HEAP: trevm_bench::alloc::Tracking<std::alloc::System> =
    trevm_bench::alloc::Tracking::new(std::alloc::System);

fn now_ns() -> u64 {
    static T0: OnceLock<Instant> = OnceLock::new();
    T0.get_or_init(Instant::now).elapsed().as_nanos() as u64
}

pub(crate) const CLOCK: Clock = Clock {
    now: now_ns,
    hz: 1_000_000_000,
    unit: "ns",
    source: "std::time::Instant",
};

/// Writes protocol lines to stdout, flushing after each so that nothing
/// finished is lost if the process dies later.
struct Stdout;

impl core::fmt::Write for Stdout {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        let mut out = std::io::stdout().lock();
        out.write_all(s.as_bytes()).map_err(|_| core::fmt::Error)?;
        if s.ends_with('\n') {
            out.flush().map_err(|_| core::fmt::Error)?;
        }
        Ok(())
    }
}

fn usage() -> ! {
    eprintln!(
        "usage:\n  trevm-firmware list\n  trevm-firmware info\n  trevm-firmware prepare RUNTIME POINTER_WIDTH IN.wasm OUT\n  trevm-firmware run RUNTIME SLOT_FILE [HEAP_LIMIT_BYTES [FUEL]]"
    );
    std::process::exit(2)
}

/// Entry point of the host board.
pub fn main() {
    main_as("host")
}

/// Entry point of a board whose cells are processes on the build machine
/// (`host`, and `ariel-native`, whose firmware is an Ariel OS application
/// that includes this file): `board` is the name its records carry.
pub fn main_as(board: &'static str) {
    now_ns();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        ["list"] => {
            for label in runtimes::available() {
                println!("{label}");
            }
        }
        // label, crate, version, features (tab-separated, one variant a line)
        ["info"] => {
            for label in runtimes::available() {
                if let Ok(rt) = runtimes::create(label, Limits::HOST) {
                    let i = rt.info();
                    println!(
                        "{label}\t{}\t{}\t{}",
                        i.crate_name,
                        i.version,
                        i.features.join(",")
                    );
                }
            }
        }
        // Preparing modules needs the runtimes' compilers (`prepare`), which
        // only the host board compiles in.
        #[cfg(feature = "board-host")]
        ["prepare", label, width, input, output] => {
            let width: u32 = width.parse().unwrap_or_else(|_| usage());
            let wasm = std::fs::read(input).unwrap_or_else(|e| {
                eprintln!("cannot read {input}: {e}");
                std::process::exit(2)
            });
            let prepared =
                runtimes::create(label, Limits::EMBEDDED).and_then(|rt| rt.prepare(&wasm, width));
            match prepared {
                Ok(bytes) => {
                    if let Err(e) = std::fs::write(output, bytes) {
                        eprintln!("cannot write {output}: {e}");
                        std::process::exit(2)
                    }
                }
                Err(e) => {
                    // The failure in the line protocol (its kind and stage
                    // typed for the runner), and in words for a person.
                    let _ = trevm_protocol::Message::Fail {
                        kind: e.kind.as_str(),
                        stage: e.stage.as_str(),
                        message: &e.message,
                    }
                    .write(&mut Stdout);
                    eprintln!("{e}");
                    std::process::exit(1)
                }
            }
        }
        ["run", label, slot_file, rest @ ..] => {
            let slot = std::fs::read(slot_file).unwrap_or_else(|e| {
                eprintln!("cannot read {slot_file}: {e}");
                std::process::exit(2)
            });
            let number = |s: &str| s.parse::<u64>().unwrap_or_else(|_| usage());
            let (heap, fuel) = match rest {
                [] => (256 * 1024 * 1024, Limits::HOST.fuel),
                [h] => (number(h) as usize, Limits::HOST.fuel),
                [h, f] => (number(h) as usize, number(f)),
                _ => usage(),
            };
            let limits = Limits {
                max_memory: heap.min(Limits::HOST.max_memory),
                fuel,
                ..Limits::HOST
            };
            let board = Board {
                name: board,
                clock: CLOCK,
                heap,
                heap_tracked: true,
                limits,
                stack: None,
            };
            // The budget counts from what the process holds now (args, slot).
            trevm_bench::alloc::set_limit(trevm_bench::alloc::current().saturating_add(heap));
            let ok = cell::run(&mut Stdout, &board, Some(label), &slot);
            std::process::exit(if ok { 0 } else { 1 })
        }
        _ => usage(),
    }
}
