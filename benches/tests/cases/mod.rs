//! The bad-module corpus: small modules that must fail (or may pass) in a
//! precise way on every Wasm runtime variant, with the outcome they must
//! have there.
//!
//! One table, [`CASES`], shared by every test that drives runtimes: the
//! adapter conformance suite (`benches/tests/conformance.rs`) runs each case
//! in-process through `trevm_bench::abi::run`; the runner's tests run the
//! same cases through cell processes on the host and on the emulated boards.
//! Include it with
//!
//! ```ignore
//! #[path = "../../benches/tests/cases/mod.rs"]
//! mod cases;
//! ```
//!
//! It depends on nothing but [`Abi`] and `&'static str`s: outcomes are the
//! results format's names (`error.kind`, `error.stage`), so every consumer
//! can compare them with what it has (an `ErrorKind`, a record field, a
//! protocol line).
//!
//! Every case holds whatever the budgets (`Limits::EMBEDDED`, `Limits::HOST`,
//! a board's RAM): where an outcome depends on a budget, the module is far
//! beyond any of them.
#![allow(dead_code)]

use trevm_bench::abi::Abi;

/// The outcome name of a run that succeeded (and verified).
pub const OK: &str = "ok";

/// One module and the outcomes every runtime variant may give it.
#[derive(Clone, Copy, Debug)]
pub struct Case {
    /// A short name (also usable as a file name).
    pub name: &'static str,
    /// The benchmark ABI the module is run with.
    pub abi: Abi,
    /// The module, as WAT text.
    pub wat: &'static str,
    /// The acceptable outcomes: failure kinds by their results-format names
    /// (`"trap"`, `"link"`, ...), and [`OK`] when the run may also succeed.
    pub kinds: &'static [&'static str],
    /// The stages (results-format names) a failure may happen at. Several
    /// when runtimes legitimately differ: a runtime that prepares modules on
    /// the host (wasmtime precompiles, wasefire adds side tables) finds an
    /// invalid module while preparing it, the others when loading it.
    pub stages: &'static [&'static str],
    /// Runtime variants that cannot give the expected outcome, and why.
    /// Empty for almost every case: a deviation is a documented limit of
    /// the runtime, never of its adapter.
    pub deviations: &'static [Deviation],
}

/// A runtime variant's documented departure from a case's outcome.
#[derive(Clone, Copy, Debug)]
pub struct Deviation {
    /// The variant label (`wasm3`, ...).
    pub runtime: &'static str,
    /// The outcomes it gives instead (any outcome, as long as the runtime
    /// survives, when empty).
    pub kinds: &'static [&'static str],
    /// Why.
    pub why: &'static str,
}

impl Case {
    /// `true` when `kind` (a results-format name, or [`OK`]) is acceptable.
    pub fn accepts_kind(&self, kind: &str) -> bool {
        self.kinds.contains(&kind)
    }

    /// `true` when a failure at `stage` (a results-format name) is acceptable.
    pub fn accepts_stage(&self, stage: &str) -> bool {
        self.stages.contains(&stage)
    }

    /// `true` when a successful, verified run is acceptable.
    pub fn may_succeed(&self) -> bool {
        self.accepts_kind(OK)
    }

    /// The documented deviation of `runtime`, if it has one.
    pub fn deviation(&self, runtime: &str) -> Option<&'static Deviation> {
        self.deviations.iter().find(|d| d.runtime == runtime)
    }

    /// Checks the outcome on `runtime`: `Ok(())` when `kind` at `stage` is
    /// acceptable (the stage is ignored for [`OK`] and for a deviation),
    /// otherwise what was expected.
    pub fn check(&self, runtime: &str, kind: &str, stage: &str) -> Result<(), String> {
        if let Some(d) = self.deviation(runtime) {
            if d.kinds.is_empty() || d.kinds.contains(&kind) {
                return Ok(());
            }
        }
        if kind == OK && self.may_succeed() {
            return Ok(());
        }
        if self.accepts_kind(kind) && self.accepts_stage(stage) {
            return Ok(());
        }
        Err(format!(
            "case `{}`: got {kind} at {stage}, expected one of {:?} at one of {:?}",
            self.name, self.kinds, self.stages
        ))
    }
}

/// Stages a module that does not validate may be rejected at.
const INVALID_STAGES: &[&str] = &["load", "prepare"];

/// The corpus.
pub const CASES: &[Case] = &[
    // --- Loading and linking -------------------------------------------
    Case {
        name: "same-import-twice",
        abi: Abi::Embench,
        // Valid: a module may import one function under two indices (the
        // reliability campaign found adapters that defined it twice).
        wat: r#"(module
  (import "env" "start_trigger" (func $start))
  (import "env" "stop_trigger" (func $stop))
  (import "env" "start_trigger" (func $start_again))
  (func (export "__original_main") (result i32) call $start call $stop i32.const 0))"#,
        kinds: &[OK],
        stages: &[],
        deviations: &[],
    },
    Case {
        name: "invalid-body",
        abi: Abi::Embench,
        // Assembles, but does not validate: an i64 where an i32 is due.
        wat: r#"(module (func (export "__original_main") (result i32) (i64.const 0)))"#,
        kinds: &["malformed"],
        stages: INVALID_STAGES,
        deviations: &[
            Deviation {
                runtime: "wasm3",
                kinds: &[],
                why: "wasm3 does not validate function bodies: it compiles them as they are, \
                      on first call, and a type error is not found",
            },
            Deviation {
                runtime: "wasmi@1.0.9",
                kinds: &[],
                why: "the paper's configuration loads modules with Module::new_unchecked: \
                      nothing is validated, and a type error is not found",
            },
        ],
    },
    Case {
        name: "unknown-import",
        abi: Abi::Embench,
        wat: r#"(module
  (import "env" "nope" (func))
  (func (export "__original_main") (result i32) (i32.const 0)))"#,
        kinds: &["link"],
        stages: &["instantiate"],
        deviations: &[],
    },
    Case {
        name: "import-from-other-module",
        abi: Abi::Embench,
        wat: r#"(module
  (import "other" "start_trigger" (func))
  (func (export "__original_main") (result i32) (i32.const 0)))"#,
        kinds: &["link"],
        stages: &["instantiate"],
        deviations: &[],
    },
    Case {
        name: "import-wrong-type",
        abi: Abi::CoreMark,
        // A known host function with the wrong signature.
        wat: r#"(module
  (import "env" "clock_ms" (func (param i32) (result i64)))
  (func (export "run") (result f32) (f32.const 1)))"#,
        kinds: &["link"],
        stages: &["instantiate"],
        deviations: &[],
    },
    Case {
        name: "missing-export",
        abi: Abi::Embench,
        wat: r#"(module (func (export "main") (result i32) (i32.const 0)))"#,
        kinds: &["link"],
        stages: &["run"],
        deviations: &[],
    },
    // --- Export signatures (case 4 of the adapter brief) ----------------
    Case {
        name: "main-takes-a-parameter",
        abi: Abi::Embench,
        wat: r#"(module
  (func (export "__original_main") (param i32) (result i32) (local.get 0)))"#,
        kinds: &["link"],
        stages: &["run"],
        deviations: &[],
    },
    Case {
        name: "main-returns-i64",
        abi: Abi::Embench,
        wat: r#"(module
  (import "env" "start_trigger" (func $start))
  (import "env" "stop_trigger" (func $stop))
  (func (export "__original_main") (result i64) call $start call $stop (i64.const 0)))"#,
        kinds: &["link"],
        stages: &["run"],
        deviations: &[],
    },
    Case {
        name: "main-returns-two-values",
        abi: Abi::Embench,
        wat: r#"(module
  (func (export "__original_main") (result i32 i32) (i32.const 0) (i32.const 0)))"#,
        kinds: &["link", "unsupported"],
        stages: &["load", "prepare", "run"],
        deviations: &[],
    },
    Case {
        name: "coremark-run-takes-a-parameter",
        abi: Abi::CoreMark,
        wat: r#"(module (func (export "run") (param f32) (result f32) (local.get 0)))"#,
        kinds: &["link"],
        stages: &["run"],
        deviations: &[],
    },
    Case {
        name: "coremark-run-returns-i32",
        abi: Abi::CoreMark,
        wat: r#"(module (func (export "run") (result i32) (i32.const 1)))"#,
        kinds: &["link"],
        stages: &["run"],
        deviations: &[],
    },
    // --- Instantiation (cases 1, 2 and 5) --------------------------------
    Case {
        name: "start-function-traps",
        abi: Abi::Embench,
        // No imports: a start function that calls one is not the point here
        // (and wasefire cannot run it, see its adapter).
        wat: r#"(module
  (func $boom unreachable)
  (start $boom)
  (func (export "__original_main") (result i32) (i32.const 0)))"#,
        kinds: &["trap"],
        stages: &["instantiate"],
        deviations: &[],
    },
    Case {
        name: "data-segment-out-of-bounds",
        abi: Abi::Embench,
        // One page; the segment starts at its last byte and is 4 bytes long.
        wat: r#"(module
  (memory 1)
  (data (i32.const 65535) "\01\02\03\04")
  (func (export "__original_main") (result i32) (i32.const 0)))"#,
        kinds: &["trap"],
        stages: &["instantiate"],
        deviations: &[],
    },
    Case {
        name: "memory-minimum-over-budget",
        abi: Abi::Embench,
        // 4096 pages = 256 MiB: more than any linear-memory or heap budget.
        wat: r#"(module
  (memory 4096)
  (func (export "__original_main") (result i32) (i32.const 0)))"#,
        kinds: &["out-of-memory"],
        stages: &["instantiate"],
        deviations: &[],
    },
    // --- Running (case 3 and the classic traps) --------------------------
    Case {
        name: "unreachable",
        abi: Abi::Embench,
        wat: r#"(module
  (import "env" "start_trigger" (func $start))
  (import "env" "stop_trigger" (func $stop))
  (func (export "__original_main") (result i32) call $start unreachable))"#,
        kinds: &["trap"],
        stages: &["run"],
        deviations: &[],
    },
    Case {
        name: "divide-by-zero",
        abi: Abi::CoreMark,
        wat: r#"(module
  (func (export "run") (result f32)
    (drop (i32.div_u (i32.const 1) (i32.const 0)))
    (f32.const 1)))"#,
        kinds: &["trap"],
        stages: &["run"],
        deviations: &[],
    },
    Case {
        name: "memory-access-out-of-bounds",
        abi: Abi::Embench,
        wat: r#"(module
  (memory 1)
  (func (export "__original_main") (result i32) (i32.load (i32.const 65534))))"#,
        kinds: &["trap"],
        stages: &["run"],
        deviations: &[],
    },
    Case {
        name: "deep-recursion",
        abi: Abi::Embench,
        // Exhausting the Wasm stack is a resource limit in the spec's
        // terms: a trap, or out-of-memory where the adapter says which
        // budget (`Limits::stack`) ran out. Never a crash.
        wat: r#"(module
  (func $f (param i32) (result i32)
    (i32.add (call $f (i32.add (local.get 0) (i32.const 1))) (i32.const 1)))
  (func (export "__original_main") (result i32) (call $f (i32.const 0))))"#,
        kinds: &["trap", "out-of-memory"],
        stages: &["run"],
        deviations: &[Deviation {
            runtime: "wasm3",
            kinds: &["crash"],
            why: "wasm3 interprets calls by recursing in C: on a board's 64 KiB native stack \
                  the native stack runs out before its Wasm stack does, and the firmware's \
                  fault handler reports the stack overflow (`crash`); on the host it traps",
        }],
    },
    Case {
        name: "many-locals",
        abi: Abi::Embench,
        // 5000 i64 locals (40 000 B, more than a 32 KiB Wasm stack); the
        // first and the last are used so that no compiler drops them.
        wat: MANY_LOCALS,
        kinds: &[OK, "out-of-memory"],
        // wasefire's limit on locals is found when preparing or loading.
        stages: &["run", "prepare", "load"],
        deviations: &[],
    },
    Case {
        name: "memory-growth-far-past-budget",
        abi: Abi::Embench,
        // Grows by 4096 pages (256 MiB) and traps when that fails: the
        // budget, not the guest, ends the cell.
        wat: r#"(module
  (import "env" "start_trigger" (func $start))
  (import "env" "stop_trigger" (func $stop))
  (memory 1)
  (func (export "__original_main") (result i32)
    call $start
    (if (i32.eq (memory.grow (i32.const 4096)) (i32.const -1)) (then unreachable))
    (i32.store (i32.const 268500000) (i32.const 1))
    call $stop
    (i32.const 0)))"#,
        kinds: &["out-of-memory"],
        stages: &["run"],
        deviations: &[Deviation {
            runtime: "wasefire",
            kinds: &["trap"],
            why: "wasefire runs the module in a fixed buffer and lets memory.grow succeed past \
                  it without exposing the new size; the access beyond the buffer traps \
                  without a reason (the adapter's message names the buffer)",
        }],
    },
];

// `wat` has no repetition: the 5000 declarations are spelt out by these
// macros, each a string literal of ten times the one before.
macro_rules! locals_10 {
    () => {
        "(local i64 i64 i64 i64 i64 i64 i64 i64 i64 i64)\n"
    };
}
macro_rules! locals_100 {
    () => {
        concat!(
            locals_10!(),
            locals_10!(),
            locals_10!(),
            locals_10!(),
            locals_10!(),
            locals_10!(),
            locals_10!(),
            locals_10!(),
            locals_10!(),
            locals_10!()
        )
    };
}
macro_rules! locals_1000 {
    () => {
        concat!(
            locals_100!(),
            locals_100!(),
            locals_100!(),
            locals_100!(),
            locals_100!(),
            locals_100!(),
            locals_100!(),
            locals_100!(),
            locals_100!(),
            locals_100!()
        )
    };
}

/// Case `many-locals`: `__original_main` calls a function with 5000 `i64`
/// locals and returns 0 when it saw what it stored.
const MANY_LOCALS: &str = concat!(
    r#"(module
  (import "env" "start_trigger" (func $start))
  (import "env" "stop_trigger" (func $stop))
  (func $wide (result i64)
"#,
    locals_1000!(),
    locals_1000!(),
    locals_1000!(),
    locals_1000!(),
    locals_1000!(),
    r#"    (local.set 4999 (i64.const 7))
    (i64.add (local.get 0) (local.get 4999)))
  (func (export "__original_main") (result i32)
    (local $r i64)
    call $start
    (local.set $r (call $wide))
    call $stop
    (i32.wrap_i64 (i64.sub (local.get $r) (i64.const 7)))))"#
);
