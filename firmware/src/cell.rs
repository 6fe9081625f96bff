//! What every firmware does, whatever the board: read the module slot, run
//! one cell with the chosen runtime variant, and report it in the line
//! protocol. Boards supply only the clock, the heap, the slot memory and
//! the output.

use core::fmt::Write;

use alloc::format;
use alloc::string::String;

use trevm_bench::alloc as heap;
use trevm_bench::{abi, runtimes, Abi, Clock, Limits};
use trevm_protocol::slot::{self, SlotAbi};
use trevm_protocol::{Message, Number};

/// What a board tells the shared code about itself.
pub struct Board {
    /// Board name as in results (`host`, `qemu-m33`, ...).
    pub name: &'static str,
    /// The clock intervals are measured with.
    pub clock: Clock,
    /// Heap available to the runtime, in bytes.
    pub heap: usize,
    /// Whether the global allocator is the tracking allocator
    /// (`trevm_bench::alloc::Tracking`), so that peak heap can be
    /// reported; not where the OS's own allocator cannot be wrapped.
    pub heap_tracked: bool,
    /// Budgets for the runtime.
    pub limits: Limits,
    /// The stack probe, on boards that have one.
    pub stack: Option<Stack>,
}

/// A board's stack budget and its peak-use probe.
pub struct Stack {
    /// Stack size in bytes.
    pub budget: usize,
    /// Peak stack use so far, in bytes (the budget when it overflowed).
    pub peak: fn() -> usize,
}

fn metric<W: Write>(out: &mut W, name: &str, value: Number, unit: &str) {
    let _ = Message::Metric { name, value, unit }.write(out);
}

/// Runs the module in `slot_region` with runtime variant `label` (by
/// default the one the slot names, else the firmware's first) and reports
/// the cell on `out`. Returns `true` when the cell verified.
pub fn run<W: Write>(out: &mut W, board: &Board, label: Option<&str>, slot_region: &[u8]) -> bool {
    let ok = run_inner(out, board, label, slot_region);
    let _ = Message::<&str>::Bye.write(out);
    ok
}

/// The `hello` line: the board, the runtime variant `label` and, when it
/// started, its crate, version and features.
pub fn hello<W: Write>(
    out: &mut W,
    board: &Board,
    label: &str,
    info: Option<trevm_bench::RuntimeInfo>,
) {
    let (crate_name, version, features) = match &info {
        Some(i) => (i.crate_name, i.version, i.features),
        None => ("", "", &[][..]),
    };
    let mut feature_list = String::new();
    for (i, f) in features.iter().enumerate() {
        if i > 0 {
            feature_list.push(',');
        }
        feature_list.push_str(f);
    }
    let _ = Message::Hello {
        board: board.name,
        runtime: label,
        crate_name,
        version,
        features: &feature_list,
        clock_unit: board.clock.unit,
        clock_source: board.clock.source,
        clock_hz: board.clock.hz,
        heap: board.heap as u64,
    }
    .write(out);
}

fn fail<W: Write>(out: &mut W, kind: &str, stage: &str, message: &str) -> bool {
    let _ = Message::Fail {
        kind,
        stage,
        message,
    }
    .write(out);
    false
}

fn run_inner<W: Write>(
    out: &mut W,
    board: &Board,
    label: Option<&str>,
    slot_region: &[u8],
) -> bool {
    heap::reset_peak();
    let base = heap::current();
    let base_requested = heap::requested();
    let slot = slot::read(slot_region);
    let available = runtimes::available();
    let label = label
        .or_else(|| slot.ok().map(|s| s.runtime).filter(|r| !r.is_empty()))
        .or_else(|| available.first().copied())
        .unwrap_or("none");
    let limits = Limits {
        abi: slot.ok().map(|s| match s.abi {
            SlotAbi::Embench => Abi::Embench,
            SlotAbi::CoreMark => Abi::CoreMark,
            SlotAbi::Capsule => Abi::Capsule,
        }),
        ..board.limits
    };
    let runtime = runtimes::create(label, limits);
    let heap_counted = runtime.as_ref().is_ok_and(|r| r.heap_counted());
    hello(out, board, label, runtime.as_ref().ok().map(|r| r.info()));

    let slot = match slot {
        Ok(s) => s,
        Err(e) => {
            let _ = Message::Cell {
                suite: "?",
                workload: "?",
                abi: "?",
            }
            .write(out);
            return fail(out, "malformed", "load", &format!("{e}"));
        }
    };
    let _ = Message::Cell {
        suite: slot.suite,
        workload: slot.workload,
        abi: slot.abi.as_str(),
    }
    .write(out);
    let mut runtime = match runtime {
        Ok(r) => r,
        Err(e) => return fail(out, e.kind.as_str(), e.stage.as_str(), &e.message),
    };
    let abi = match slot.abi {
        SlotAbi::Embench => Abi::Embench,
        SlotAbi::CoreMark => Abi::CoreMark,
        SlotAbi::Capsule => Abi::Capsule,
    };
    let result = abi::run(&mut *runtime, abi, slot.payload, board.clock);
    drop(runtime);
    let unit = board.clock.unit;
    if let Some(stack) = &board.stack {
        let peak = (stack.peak)();
        metric(out, "peak_stack", Number::U64(peak as u64), "B");
        if peak >= stack.budget {
            return fail(
                out,
                "crash",
                "run",
                &format!("stack overflow: the {} B stack was used up", stack.budget),
            );
        }
    }
    if heap_counted && board.heap_tracked {
        metric(
            out,
            "peak_heap",
            Number::U64(heap::peak().saturating_sub(base) as u64),
            "B",
        );
        // The paper's accounting: the peak of the bytes requested.
        metric(
            out,
            "peak_heap_requested",
            Number::U64(heap::peak_requested().saturating_sub(base_requested) as u64),
            "B",
        );
    }
    metric(
        out,
        "module_bytes",
        Number::U64(slot.payload.len() as u64),
        "B",
    );
    match result {
        Ok(o) => {
            metric(out, "interval", Number::U64(o.interval), unit);
            metric(out, "load", Number::U64(o.load), unit);
            if let Some(m) = o.linear_memory {
                metric(out, "linear_memory", Number::U64(m as u64), "B");
            }
            if let Some(s) = o.score {
                metric(out, "reported_score", Number::F64(s), "iterations/s");
            }
            if let Some(n) = o.iterations {
                metric(out, "iterations", Number::U64(n), "1");
            }
            let _ = Message::<&str>::Done {
                verified: o.verified,
                exit: o.exit_code as i64,
            }
            .write(out);
            o.verified
        }
        Err(e) => fail(out, e.kind.as_str(), e.stage.as_str(), &e.message),
    }
}
