//! Which workloads exist: the built Wasm modules of each suite.

use std::path::{Path, PathBuf};

use trevm_protocol::slot::SlotAbi;

use crate::workspace;

/// The suites the harness knows, in table order.
pub const SUITES: &[&str] = &["own", "coremark", "embench"];

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

/// Where the built modules of `suite` are.
pub fn module_dir(suite: &str) -> PathBuf {
    match suite {
        "own" => workspace::root().join("target/wasm32v1-none/guest"),
        other => workspace::build_dir().join("suites").join(other),
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

/// The workloads of `suite` that are built, or a message saying how to get
/// them.
pub fn discover(suite: &str) -> Result<Vec<Workload>, String> {
    let abi = if suite == "coremark" {
        SlotAbi::CoreMark
    } else {
        SlotAbi::Embench
    };
    let dir = module_dir(suite);
    let found = modules_in(&dir, suite, abi);
    if !found.is_empty() {
        return Ok(found);
    }
    Err(match suite {
        "own" => format!("no `own` modules in {}: run `make workloads`", dir.display()),
        "coremark" | "embench" => format!(
            "suite `{suite}` is not built ({} is empty): run `make suites` (downloads the pinned upstream sources) \
             or `make suites COREMARK_SRC=/path/to/coremark EMBENCH_SRC=/path/to/embench-iot`",
            dir.display()
        ),
        other => format!("unknown suite `{other}` (known: {SUITES:?})"),
    })
}
