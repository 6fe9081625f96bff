//! Which workloads exist: the built Wasm modules of each of the catalog's
//! suites, and what a result of the C suites needs beyond the cell's own
//! report (the CoreMark score in the board's terms, how the module was
//! built).
//!
//! The C suites are built by `make suites` (`scripts/suites.py`) into
//! `build/suites/<suite>/`, each with a `build.json` that names the upstream
//! commit, the compiler and its flags.

use std::path::{Path, PathBuf};

use serde_json::{json, Value};
use trevm_catalog::record::{Metric, Record};
use trevm_catalog::runtime::Preparation;
use trevm_catalog::suite::{self, Abi, Source, Suite};
use trevm_protocol::slot::SlotAbi;

use crate::error::{Error, Result};
use crate::workspace;

/// CoreMark's run rule: the timed part must last at least this long for a
/// result to be called a CoreMark score.
pub const COREMARK_MIN_SECONDS: f64 = 10.0;

/// One benchmark module.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Workload {
    /// Suite name.
    pub suite: String,
    /// Workload name (the module's file stem).
    pub name: String,
    /// Its ABI.
    pub abi: SlotAbi,
    /// The `.wasm` file.
    pub wasm: PathBuf,
}

impl Workload {
    /// Whether runtime variant `label` runs it: capsules need a runtime
    /// with the Component Model (the catalog's
    /// [`trevm_catalog::runtime::RuntimeVariant::runs`]).
    pub fn runs_on(&self, label: &str) -> bool {
        trevm_catalog::runtime::find(label).is_none_or(|r| r.runs(abi(self.abi)))
    }
}

/// The catalog's ABI of a slot's ABI (the inverse of [`slot_abi`]).
pub fn abi(abi: SlotAbi) -> Abi {
    match abi {
        SlotAbi::CoreMark => Abi::CoreMark,
        SlotAbi::Embench => Abi::Embench,
        SlotAbi::Capsule => Abi::Capsule,
    }
}

/// The slot format's name of a suite's ABI.
pub fn slot_abi(abi: Abi) -> SlotAbi {
    match abi {
        Abi::CoreMark => SlotAbi::CoreMark,
        Abi::Embench => SlotAbi::Embench,
        Abi::Capsule => SlotAbi::Capsule,
    }
}

/// Where the built modules of `suite` are.
pub fn module_dir(suite: &Suite) -> PathBuf {
    match suite.source {
        Source::Own => workspace::root().join("target/wasm32v1-none/guest"),
        Source::Capsules | Source::Upstream(_) => {
            workspace::build_dir().join("suites").join(suite.name)
        }
    }
}

fn modules_in(dir: &Path, suite: &str, abi: SlotAbi) -> Vec<Workload> {
    let mut v: Vec<Workload> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "wasm"))
        .map(|p| Workload {
            suite: suite.into(),
            name: p.file_stem().unwrap().to_string_lossy().into_owned(),
            abi,
            wasm: p,
        })
        .collect();
    v.sort_by(|a, b| a.name.cmp(&b.name));
    v
}

/// The built `own` workload called `name` (tests and examples use it).
///
/// # Panics
/// When the `own` modules are not built (`make workloads`) or have no
/// workload of that name.
pub fn own(name: &str) -> Workload {
    let own = trevm_catalog::suite::find("own").expect("the catalog has the own suite");
    discover(own)
        .expect("the own modules are built (`make workloads`)")
        .into_iter()
        .find(|w| w.name == name)
        .unwrap_or_else(|| panic!("no own workload `{name}`"))
}

/// The workloads of `suite` that are built, or an error saying how to
/// build them.
pub fn discover(suite: &'static Suite) -> Result<Vec<Workload>> {
    let dir = module_dir(suite);
    let found = modules_in(&dir, suite.name, slot_abi(suite.abi));
    if !found.is_empty() {
        return Ok(found);
    }
    Err(Error::SuiteNotBuilt {
        suite: suite.name,
        dir,
        hint: match suite.source {
            Source::Own => "run `make workloads`",
            Source::Capsules => "run `make capsules`",
            Source::Upstream(_) => {
                "run `make suites` (downloads the pinned upstream sources) \
                 or `make suites COREMARK_SRC=/path/to/coremark EMBENCH_SRC=/path/to/embench-iot`"
            }
        },
    })
}

/// The suite of a record, when it is one of the catalog's C suites.
fn upstream_suite(name: &str) -> Option<&'static Suite> {
    suite::find(name).filter(|s| s.is_upstream())
}

/// What `make suites` recorded about how `suite` was built
/// (`build/suites/<suite>/build.json`), if it was.
pub fn build_info(suite: &str) -> Option<Value> {
    let suite = upstream_suite(suite)?;
    let text = std::fs::read_to_string(module_dir(suite).join("build.json")).ok()?;
    serde_json::from_str(&text).ok()
}

/// Completes the record of a C-suite cell after its report was decoded:
///
/// - `meta.upstream`: the upstream repository, commit and content hash the
///   suite was built from; for Wasm runtimes also `meta.build`: compiler,
///   flags and the module's sha256 (from [`build_info`]);
/// - CoreMark: the `score` metric. On a real clock (`ns`, `cycles`) it is
///   CoreMark's own score, iterations per second of the timed part
///   (`reported_score`). Under emulation the clock counts instructions, so
///   it is iterations per million instructions: the module's seconds are
///   instructions divided by the nominal `clock_hz`, hence `reported_score`
///   × 10⁶ / `clock_hz` (the timed part only); `iterations` × 10⁶ /
///   `interval` when the module reported no score. `meta.coremark` holds
///   CoreMark's reporting line, or why this result may not be called a
///   CoreMark score.
///
/// Records of other suites are left alone.
pub fn annotate(record: &mut Record) {
    let Some(suite) = upstream_suite(&record.suite) else {
        return;
    };
    let info = build_info(&record.suite);
    if let Some(info) = &info {
        if let Some(up) = info.get("upstream") {
            record.meta.extra.insert("upstream".into(), up.clone());
        }
        if !compiled_in(&record.runtime) {
            let module = info
                .pointer(&format!("/modules/{}/sha256", record.workload))
                .cloned()
                .unwrap_or(Value::Null);
            let mut build = json!({ "module_sha256": module });
            for key in [
                "compiler",
                "cc",
                "cflags",
                "ldflags",
                "compiler_flags",
                "iterations",
            ] {
                if let Some(v) = info.get(key) {
                    build[key] = v.clone();
                }
            }
            record.meta.extra.insert("build".into(), build);
        }
    }
    if suite.abi == Abi::CoreMark && record.is_ok() {
        coremark_score(record, info.as_ref());
    }
}

/// Whether `label` runs the workload compiled into its program (no module).
fn compiled_in(label: &str) -> bool {
    trevm_catalog::runtime::find(label).is_some_and(|r| r.caps.preparation == Preparation::Native)
}

fn metric(record: &Record, name: &str) -> Option<f64> {
    record.metrics.get(name).map(|m| m.value)
}

fn coremark_score(record: &mut Record, info: Option<&Value>) {
    let reported = metric(record, "reported_score").filter(|s| s.is_finite() && *s > 0.0);
    let iterations = metric(record, "iterations").filter(|n| *n > 0.0);
    let interval = metric(record, "interval").filter(|t| *t > 0.0);
    let hz = record.meta.clock_hz as f64;
    let emulated = record.meta.clock_unit == "instructions";
    let score = if emulated {
        match (reported, iterations, interval) {
            (Some(s), _, _) if hz > 0.0 => Some((s * 1e6 / hz, "iterations/Minstr")),
            (_, Some(n), Some(t)) => Some((n * 1e6 / t, "iterations/Minstr")),
            _ => None,
        }
    } else {
        reported.map(|s| (s, "iterations/s"))
    };
    let Some((value, unit)) = score else {
        record.meta.extra.insert(
            "coremark".into(),
            "no score: the module reported neither a score nor its iterations".into(),
        );
        return;
    };
    if let Some(m) = Metric::float(value, unit) {
        record.metrics.insert("score".into(), m);
    }
    let seconds = match (iterations, reported) {
        (Some(n), Some(s)) => n / s,
        _ => 0.0,
    };
    let pinned = info
        .and_then(|i| i.pointer("/upstream/pinned"))
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let line = if emulated {
        "not a CoreMark score: time is an instruction count (emulated board)".to_string()
    } else if !pinned {
        "not a CoreMark score: built from a CoreMark tree that is not the pinned upstream commit"
            .to_string()
    } else if seconds < COREMARK_MIN_SECONDS {
        format!(
            "not a CoreMark score: the timed part ran {seconds:.2} s, CoreMark requires at least {COREMARK_MIN_SECONDS} s (build with ITERATIONS=0)"
        )
    } else {
        let build = if compiled_in(&record.runtime) {
            "native C build (benches/native-c)".to_string()
        } else {
            let get = |k: &str| {
                info.and_then(|i| i.get(k))
                    .and_then(Value::as_str)
                    .unwrap_or("?")
            };
            format!("{} {}", get("compiler"), get("compiler_flags"))
        };
        format!("CoreMark 1.0 : {value:.6} / {build} / STATIC")
    };
    record.meta.extra.insert("coremark".into(), line.into());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_workload_runs_where_its_own_abi_runs() {
        for a in Abi::ALL {
            assert_eq!(abi(slot_abi(a)), a);
        }
        let w = |abi| Workload {
            suite: trevm_catalog::suite::TEST.into(),
            name: "w".into(),
            abi,
            wasm: "w.wasm".into(),
        };
        assert!(w(SlotAbi::Capsule).runs_on("trevm"));
        assert!(!w(SlotAbi::Capsule).runs_on("wasmi"));
        assert!(w(SlotAbi::Embench).runs_on("wasmi"));
    }

    fn coremark_record(
        unit: &str,
        hz: u64,
        reported: f64,
        iterations: u64,
        interval: u64,
    ) -> Record {
        let mut r = Record::ok("b", "wasmi", "coremark", "coremark");
        r.meta.clock_unit = unit.into();
        r.meta.clock_hz = hz;
        r.metrics.insert(
            "reported_score".into(),
            Metric::float(reported, "iterations/s").unwrap(),
        );
        r.metrics
            .insert("iterations".into(), Metric::int(iterations, "1"));
        r.metrics
            .insert("interval".into(), Metric::int(interval, unit));
        r
    }

    fn pinned() -> Value {
        json!({"upstream": {"pinned": true}, "compiler": "clang 14", "compiler_flags": "-O2"})
    }

    #[test]
    fn real_clock_keeps_coremarks_own_score() {
        // 2000 iterations in 12.5 s by the module's clock; the interval
        // (whole run call) is longer and must not change the score.
        let mut r = coremark_record("ns", 1_000_000_000, 160.0, 2000, 13_000_000_000);
        coremark_score(&mut r, Some(&pinned()));
        let m = &r.metrics["score"];
        assert_eq!((m.value, m.unit.as_str()), (160.0, "iterations/s"));
        let line = r.meta.extra["coremark"].as_str().unwrap().to_string();
        assert!(
            line.starts_with("CoreMark 1.0 : 160.000000 / clang 14 -O2 / STATIC"),
            "{line}"
        );
    }

    #[test]
    fn short_or_unpinned_runs_are_not_coremark_scores() {
        let mut r = coremark_record("ns", 1_000_000_000, 1000.0, 2000, 2_000_000_000);
        coremark_score(&mut r, Some(&pinned()));
        assert!(r.meta.extra["coremark"]
            .as_str()
            .unwrap()
            .contains("2.00 s"));
        let mut r = coremark_record("ns", 1_000_000_000, 100.0, 2000, 21_000_000_000);
        coremark_score(&mut r, Some(&json!({"upstream": {"pinned": false}})));
        assert!(r.meta.extra["coremark"]
            .as_str()
            .unwrap()
            .contains("not the pinned"));
    }

    #[test]
    fn emulated_score_is_per_million_instructions() {
        // Nominal 20 MHz: the module saw 2000 iterations in 4 "seconds",
        // i.e. 80e6 instructions: 25 iterations per million.
        let mut r = coremark_record("instructions", 20_000_000, 500.0, 2000, 81_000_000);
        coremark_score(&mut r, None);
        let m = &r.metrics["score"];
        assert_eq!((m.value, m.unit.as_str()), (25.0, "iterations/Minstr"));
        assert!(r.meta.extra["coremark"]
            .as_str()
            .unwrap()
            .contains("instruction count"));
        // Without a reported score: the whole interval.
        let mut r = coremark_record("instructions", 20_000_000, 500.0, 2000, 80_000_000);
        r.metrics.remove("reported_score");
        coremark_score(&mut r, None);
        assert_eq!(r.metrics["score"].value, 25.0);
    }

    #[test]
    fn other_suites_are_left_alone() {
        let mut r = coremark_record("ns", 1, 1.0, 1, 1);
        r.suite = "own".into();
        let before = r.clone();
        annotate(&mut r);
        assert_eq!(r, before);
    }

    #[test]
    fn suites_say_how_to_build_them_when_not_built() {
        for s in trevm_catalog::SUITES {
            if let Err(e) = discover(s) {
                let want = if s.is_upstream() {
                    "make suites"
                } else {
                    "make workloads"
                };
                assert!(e.to_string().contains(want), "{e}");
            }
        }
    }
}
