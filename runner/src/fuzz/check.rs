//! The campaign's checks: the invariant every cell must hold
//! ([`check`], [`Violation`]), no QEMU left behind ([`qemu_processes`]),
//! and the runtimes' agreement on what modules returned ([`differ`],
//! [`Finding`]).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::Duration;

use trevm_catalog::record::Record;
use trevm_catalog::Kind;

/// How far past its budget a cell may end: QEMU's start and stop, a
/// process's exit, on a loaded machine.
pub const GRACE: Duration = Duration::from_secs(15);

/// A cell that broke the invariant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// The module (workload name), or `-` for the campaign as a whole.
    pub module: String,
    /// The runtime variant, or `-`.
    pub runtime: String,
    /// What happened.
    pub what: Broken,
}

/// How the invariant broke.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Broken {
    /// The cell has no record.
    #[error("no record: the cell was lost")]
    Lost,
    /// The cell failed as a harness bug (a panic in the runner included).
    #[error("failed `internal` at {stage}: {message}")]
    Internal {
        /// Where.
        stage: trevm_catalog::Stage,
        /// The record's message.
        message: String,
    },
    /// The record is failed and says no kind.
    #[error("failed without saying why")]
    Unexplained,
    /// The cell ended later than its budget and the grace allow.
    #[error("ran {:.1} s, past its budget of {} s and the grace of {} s", .took.as_secs_f64(), .budget.as_secs(), GRACE.as_secs())]
    Overran {
        /// How long it took.
        took: Duration,
        /// Its budget.
        budget: Duration,
    },
    /// QEMUs of this workspace outlived the campaign.
    #[error("QEMU processes left behind after the campaign: {0:?}")]
    QemuLeft(Vec<u32>),
}

/// Runtimes that ran a module to its end and disagree on what it returned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// The module (workload name).
    pub module: String,
    /// Each value returned, with the variants that returned it.
    pub returned: BTreeMap<i64, Vec<String>>,
}

/// `ok`, or the failure's kind.
pub fn outcome(r: &Record) -> String {
    match &r.error {
        None => "ok".into(),
        Some(e) => e.kind.as_str().into(),
    }
}

/// The invariant over the cells (`runtime`, `module`) and what each
/// delivered, with how long it took.
pub fn check(
    cells: &[(String, String)],
    records: &[Option<(Record, Duration)>],
    timeout: Duration,
) -> Vec<Violation> {
    let mut out = Vec::new();
    for ((runtime, module), got) in cells.iter().zip(records) {
        let v = |what: Broken| Violation {
            module: module.clone(),
            runtime: runtime.clone(),
            what,
        };
        let Some((rec, took)) = got else {
            out.push(v(Broken::Lost));
            continue;
        };
        if let Some(e) = rec.error.as_ref().filter(|e| e.kind == Kind::Internal) {
            out.push(v(Broken::Internal {
                stage: e.stage,
                message: e.message.clone(),
            }));
        }
        if !rec.is_ok() && rec.error.is_none() {
            out.push(v(Broken::Unexplained));
        }
        if *took > timeout + GRACE {
            out.push(v(Broken::Overran {
                took: *took,
                budget: timeout,
            }));
        }
    }
    out
}

/// The modules on which the runtimes that returned disagree, and how
/// many modules at least two runtimes returned from.
pub fn differ(records: &[&Record]) -> (Vec<Finding>, usize) {
    let mut by_module: BTreeMap<&str, BTreeMap<i64, Vec<String>>> = BTreeMap::new();
    for r in records {
        if let Some(v) = r.returned {
            by_module
                .entry(&r.workload)
                .or_default()
                .entry(v)
                .or_default()
                .push(r.runtime.clone());
        }
    }
    let compared = by_module
        .values()
        .filter(|vals| vals.values().map(Vec::len).sum::<usize>() >= 2)
        .count();
    let findings = by_module
        .into_iter()
        .filter(|(_, vals)| vals.len() > 1)
        .map(|(m, returned)| Finding {
            module: m.into(),
            returned,
        })
        .collect();
    (findings, compared)
}

/// The QEMU processes that load one of `slots` (the slot files of a
/// campaign's cells): the campaign's own, not those of another run beside
/// it.
pub fn qemu_processes(slots: &BTreeSet<String>) -> BTreeSet<u32> {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return BTreeSet::new();
    };
    dir.filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read(format!("/proc/{pid}/cmdline")).is_ok_and(|c| {
                let c = String::from_utf8_lossy(&c);
                let mut args = c.split('\0');
                let program = args.next().unwrap_or("");
                Path::new(program)
                    .file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with("qemu-system"))
                    && args.any(|a| slots.iter().any(|s| a.contains(s.as_str())))
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use trevm_catalog::suite::FUZZ;
    use trevm_catalog::Stage;

    fn rec(runtime: &str, module: &str, returned: Option<i64>) -> Record {
        let mut r = Record::ok("host", runtime, FUZZ, module);
        r.returned = returned;
        r
    }

    #[test]
    fn the_invariant_names_lost_internal_and_overlong_cells() {
        let cells: Vec<(String, String)> = ["a", "b", "c", "d"]
            .iter()
            .map(|m| ("wasmi".to_string(), m.to_string()))
            .collect();
        let mut internal = rec("wasmi", "b", None);
        internal.fail(Kind::Internal, Stage::Run, "boom");
        let mut trap = rec("wasmi", "d", None);
        trap.fail(Kind::Trap, Stage::Run, "unreachable");
        let t = Duration::from_secs(1);
        let records = vec![
            None,
            Some((internal, t)),
            Some((rec("wasmi", "c", Some(0)), Duration::from_secs(60))),
            Some((trap, t)),
        ];
        let v = check(&cells, &records, Duration::from_secs(10));
        assert_eq!(v.len(), 3, "{v:?}");
        assert_eq!((v[0].module.as_str(), &v[0].what), ("a", &Broken::Lost));
        assert_eq!(v[1].module, "b");
        assert!(
            matches!(&v[1].what, Broken::Internal { message, .. } if message == "boom"),
            "{v:?}"
        );
        assert_eq!(v[2].module, "c");
        assert!(matches!(v[2].what, Broken::Overran { .. }), "{v:?}");
        assert!(v[2].what.to_string().contains("past its budget of 10 s"));
    }

    #[test]
    fn disagreements_list_who_returned_what() {
        let a = rec("wasmi", "m1", Some(5));
        let b = rec("wamr", "m1", Some(5));
        let c = rec("wasm3", "m1", Some(6));
        let d = rec("wasmi", "m2", Some(1));
        let e = rec("wamr", "m2", None);
        let (findings, compared) = differ(&[&a, &b, &c, &d, &e]);
        assert_eq!(compared, 1);
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].module, "m1");
        assert_eq!(findings[0].returned[&5], vec!["wasmi", "wamr"]);
        assert_eq!(findings[0].returned[&6], vec!["wasm3"]);
    }
}
