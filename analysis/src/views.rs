//! Data views: what each table and figure shows, extracted once from a
//! [`Dataset`] so that the Markdown/CSV tables and the plots agree.

use crate::dataset::{metric_value, normalise_time, sort_runtimes, sum_value, Dataset, Value};
use crate::record::{FOOTPRINT_SUITE, FOOTPRINT_WORKLOAD, NO_RUNTIME};
use crate::stats;
use std::collections::BTreeMap;

/// A 2-D view: rows × columns of [`Value`]s in one unit.
#[derive(Debug, Clone, PartialEq)]
pub struct Grid {
    /// Board the values belong to (empty for multi-board grids).
    pub board: String,
    /// What the numbers are (`time per run`, `peak RAM`, ...).
    pub quantity: String,
    /// Common unit of all `Ok` cells.
    pub unit: String,
    /// Row labels (benchmarks, or runtimes for Table I).
    pub rows: Vec<String>,
    /// Column labels (runtimes, or boards for Table I).
    pub cols: Vec<String>,
    /// Cell values keyed by (row, column); absent = [`Value::Missing`].
    pub cells: BTreeMap<(String, String), Value>,
    /// Per row: a reference level to mark (linear-memory size in Figure 6).
    pub markers: BTreeMap<String, f64>,
    /// Remarks to print under the table / in the index.
    pub notes: Vec<String>,
}

impl Grid {
    /// The value at (row, col).
    pub fn get(&self, row: &str, col: &str) -> Value {
        self.cells
            .get(&(row.to_string(), col.to_string()))
            .cloned()
            .unwrap_or(Value::Missing)
    }

    /// Number of measured cells.
    pub fn measured(&self) -> usize {
        self.cells.values().filter(|v| v.number().is_some()).count()
    }
}

/// Drops the columns and rows in which every cell is `Missing` (a runtime
/// with records of the suite but none of this quantity).
fn prune(g: &mut Grid) {
    let cells = &g.cells;
    let has = |r: &String, c: &String| {
        !matches!(
            cells.get(&(r.clone(), c.clone())),
            None | Some(Value::Missing)
        )
    };
    let cols: Vec<String> = g
        .cols
        .iter()
        .filter(|c| g.rows.iter().any(|r| has(r, c)))
        .cloned()
        .collect();
    let rows: Vec<String> = g
        .rows
        .iter()
        .filter(|r| cols.iter().any(|c| has(r, c)))
        .cloned()
        .collect();
    g.cells
        .retain(|(r, c), _| rows.contains(r) && cols.contains(c));
    g.cols = cols;
    g.rows = rows;
}

/// Keeps only the cells in the most frequent unit; the others become
/// `Missing` and are listed in a note.
fn unify_units(cells: &mut BTreeMap<(String, String), Value>, notes: &mut Vec<String>) -> String {
    let mut count: BTreeMap<String, usize> = BTreeMap::new();
    for v in cells.values() {
        if let Some(u) = v.unit() {
            *count.entry(u.to_string()).or_default() += 1;
        }
    }
    let unit = count
        .iter()
        .max_by_key(|(u, n)| (**n, std::cmp::Reverse((*u).clone())))
        .map(|(u, _)| u.clone())
        .unwrap_or_default();
    let mut dropped = Vec::new();
    for ((r, c), v) in cells.iter_mut() {
        if let Some(u) = v.unit() {
            if u != unit {
                dropped.push(format!("{c}/{r} ({u})"));
                *v = Value::Missing;
            }
        }
    }
    if !dropped.is_empty() {
        notes.push(format!(
            "not shown because their unit differs from `{unit}`: {}",
            dropped.join(", ")
        ));
    }
    unit
}

/// Time per run (`interval`) per workload × runtime for one board and suite
/// (Figures 1-4 and their tables). Times in ns/us/s are shown in ms.
/// Runtimes and workloads with no time at all (neither measured nor
/// failed) are left out. `None` when nothing is left.
pub fn time_grid(ds: &Dataset, board: &str, suite: &str) -> Option<Grid> {
    if !ds.has_suite(board, suite) {
        return None;
    }
    let rows = ds.workloads(board, suite);
    let cols: Vec<String> = ds
        .runtimes(board, suite)
        .into_iter()
        .filter(|r| r != NO_RUNTIME)
        .collect();
    let mut cells = BTreeMap::new();
    for w in &rows {
        for rt in &cols {
            let v = match ds.value(board, rt, suite, w, "interval") {
                Value::Ok { value, unit } => {
                    let (value, unit) = normalise_time(value, &unit);
                    Value::Ok { value, unit }
                }
                other => other,
            };
            cells.insert((w.clone(), rt.clone()), v);
        }
    }
    let mut notes = Vec::new();
    let unit = unify_units(&mut cells, &mut notes);
    let mut g = Grid {
        board: board.to_string(),
        quantity: "time per run".to_string(),
        unit,
        rows,
        cols,
        cells,
        markers: BTreeMap::new(),
        notes,
    };
    prune(&mut g);
    (!g.cols.is_empty()).then_some(g)
}

/// Peak RAM per workload × runtime (Figure 6): `peak_heap + data + bss`,
/// with each workload's `linear_memory` as marker. A cell with a peak heap
/// but no section sizes (host records) shows the peak heap alone, with a
/// note. `None` when no cell of the suite on the board has `peak_heap`.
pub fn ram_grid(ds: &Dataset, board: &str, suite: &str) -> Option<Grid> {
    let rows = ds.workloads(board, suite);
    let cols: Vec<String> = ds
        .runtimes(board, suite)
        .into_iter()
        .filter(|r| r != NO_RUNTIME)
        .collect();
    let mut any_heap = false;
    let mut heap_only = Vec::new();
    let mut cells = BTreeMap::new();
    let mut markers = BTreeMap::new();
    for w in &rows {
        for rt in &cols {
            let Some(cell) = ds.get(board, rt, suite, w) else {
                continue;
            };
            let r = &cell.record;
            any_heap |= r.metric("peak_heap").is_some();
            let mut v = sum_value(r, &["peak_heap", "data", "bss"]);
            if v == Value::Missing && r.metric("peak_heap").is_some() {
                v = metric_value(r, "peak_heap");
                heap_only.push(format!("{rt}/{w}"));
            }
            if let Some(lm) = r
                .failure()
                .is_none()
                .then(|| r.metric("linear_memory"))
                .flatten()
            {
                let e = markers.entry(w.clone()).or_insert(lm.value);
                *e = f64::max(*e, lm.value);
            }
            cells.insert((w.clone(), rt.clone()), v);
        }
    }
    if !any_heap {
        return None;
    }
    let mut notes = Vec::new();
    if !heap_only.is_empty() {
        notes.push(format!(
            "peak heap only (the records carry no .data/.bss): {}",
            heap_only.join(", ")
        ));
    }
    if markers.is_empty() {
        notes.push("no record gives the linear-memory size (`linear_memory`)".to_string());
    }
    let unit = unify_units(&mut cells, &mut notes);
    let mut g = Grid {
        board: board.to_string(),
        quantity: "peak RAM (heap + .data + .bss)".to_string(),
        unit,
        rows,
        cols,
        cells,
        markers,
        notes,
    };
    prune(&mut g);
    Some(g)
}

/// Table I: CoreMark `score` per runtime (rows) × board (columns). A board
/// whose CoreMark suite has a workload other than `coremark` gets a column
/// `board/workload`. Boards without CoreMark cells are listed in a note.
pub fn coremark_grid(ds: &Dataset, boards: &[String]) -> Grid {
    let mut cols = Vec::new();
    let mut col_keys = Vec::new();
    let mut cells = BTreeMap::new();
    let mut units: BTreeMap<String, String> = BTreeMap::new();
    let mut notes = Vec::new();
    let mut without = Vec::new();
    let mut runtimes = Vec::new();
    for b in boards {
        let workloads = ds.workloads(b, "coremark");
        if workloads.is_empty() {
            without.push(b.clone());
        }
        for w in workloads {
            let col = if w == "coremark" {
                b.clone()
            } else {
                format!("{b}/{w}")
            };
            cols.push(col.clone());
            col_keys.push((b.clone(), w, col));
        }
        runtimes.extend(ds.runtimes(b, "coremark"));
    }
    let rows = sort_runtimes(runtimes.into_iter().filter(|r| r != NO_RUNTIME));
    for (b, w, col) in &col_keys {
        for rt in &rows {
            let v = ds.value(b, rt, "coremark", w, "score");
            if let Some(u) = v.unit() {
                let e = units.entry(col.clone()).or_insert_with(|| u.to_string());
                if e != u {
                    notes.push(format!("{col}: mixed units `{e}` and `{u}`"));
                }
            }
            cells.insert((rt.clone(), col.clone()), v);
        }
    }
    if !without.is_empty() {
        notes.push(format!("no CoreMark results for: {}", without.join(", ")));
    }
    let unit_list: Vec<String> = units.iter().map(|(c, u)| format!("{c}: {u}")).collect();
    let distinct: std::collections::BTreeSet<&String> = units.values().collect();
    let unit = if distinct.len() == 1 {
        distinct.into_iter().next().cloned().unwrap_or_default()
    } else {
        if !unit_list.is_empty() {
            notes.push(format!("units per column: {}", unit_list.join("; ")));
        }
        "per column".to_string()
    };
    Grid {
        board: String::new(),
        quantity: "CoreMark score".to_string(),
        unit,
        rows,
        cols,
        cells,
        markers: BTreeMap::new(),
        notes,
    }
}

/// Section sizes of one firmware (bytes).
#[derive(Debug, Clone, PartialEq)]
pub struct Sections {
    /// `.text`
    pub text: Value,
    /// `.rodata`
    pub rodata: Value,
    /// `.data`
    pub data: Value,
    /// `.bss`
    pub bss: Value,
    /// text + rodata + data (what goes to flash).
    pub flash: Value,
    /// data + bss (static RAM).
    pub static_ram: Value,
}

impl Sections {
    fn of(ds: &Dataset, board: &str, runtime: &str) -> Sections {
        Sections::of_workload(ds, board, runtime, FOOTPRINT_WORKLOAD)
    }

    /// The footprint record of `workload` (`firmware`, the cells'; or a
    /// CoAP app's name).
    fn of_workload(ds: &Dataset, board: &str, runtime: &str, workload: &str) -> Sections {
        let rec = || ds.get(board, runtime, FOOTPRINT_SUITE, workload);
        let v = |m: &str| match rec() {
            None => Value::Missing,
            Some(c) => metric_value(&c.record, m),
        };
        let s = |ms: &[&str]| match rec() {
            None => Value::Missing,
            Some(c) => sum_value(&c.record, ms),
        };
        Sections {
            text: v("text"),
            rodata: v("rodata"),
            data: v("data"),
            bss: v("bss"),
            flash: s(&["text", "rodata", "data"]),
            static_ram: s(&["data", "bss"]),
        }
    }

    /// Section by section difference `self − base` (the runtime's own share).
    pub fn minus(&self, base: &Sections) -> Sections {
        fn d(a: &Value, b: &Value) -> Value {
            match (a, b) {
                (Value::Failed(r), _) => Value::Failed(r.clone()),
                (Value::Ok { value: x, unit }, Value::Ok { value: y, .. }) => Value::Ok {
                    value: x - y,
                    unit: unit.clone(),
                },
                _ => Value::Missing,
            }
        }
        Sections {
            text: d(&self.text, &base.text),
            rodata: d(&self.rodata, &base.rodata),
            data: d(&self.data, &base.data),
            bss: d(&self.bss, &base.bss),
            flash: d(&self.flash, &base.flash),
            static_ram: d(&self.static_ram, &base.static_ram),
        }
    }
}

/// Figure 5: firmware sections per runtime on one board, and the runtime's
/// own share (minus the `none` build).
#[derive(Debug, Clone, PartialEq)]
pub struct FootprintView {
    /// Board.
    pub board: String,
    /// Runtimes with a footprint record (without `none`), in display order.
    pub runtimes: Vec<String>,
    /// Whole firmware per runtime.
    pub whole: BTreeMap<String, Sections>,
    /// The `none` build, when present and measured.
    pub baseline: Option<Sections>,
    /// Remarks.
    pub notes: Vec<String>,
}

impl FootprintView {
    /// The runtime's own share (`None` without a usable `none` build).
    pub fn share(&self, runtime: &str) -> Option<Sections> {
        let base = self.baseline.as_ref()?;
        Some(self.whole.get(runtime)?.minus(base))
    }
}

/// Footprint view of one board; `None` without footprint records.
pub fn footprint_view(ds: &Dataset, board: &str) -> Option<FootprintView> {
    let all = ds.runtimes(board, crate::record::FOOTPRINT_SUITE);
    if all.is_empty() {
        return None;
    }
    let runtimes: Vec<String> = all.iter().filter(|r| *r != NO_RUNTIME).cloned().collect();
    let whole = runtimes
        .iter()
        .map(|r| (r.clone(), Sections::of(ds, board, r)))
        .collect();
    let mut notes = Vec::new();
    let baseline = if all.iter().any(|r| r == NO_RUNTIME) {
        let s = Sections::of(ds, board, NO_RUNTIME);
        if s.flash.number().is_some() {
            Some(s)
        } else {
            notes.push(
                "the no-runtime build (`none`) failed or lacks sections: runtime share not available"
                    .to_string(),
            );
            None
        }
    } else {
        notes.push(
            "no no-runtime build (`none`) on this board: runtime share not available".to_string(),
        );
        None
    };
    Some(FootprintView {
        board: board.to_string(),
        runtimes,
        whole,
        baseline,
        notes,
    })
}

/// The operating system the paper's firmware ran on: Ariel OS, at the
/// commit the catalog pins for it (`trevm_catalog::os::ARIEL_OS_SOURCE`).
pub const PAPER_OS: &trevm_catalog::Os = &trevm_catalog::os::ARIEL_OS;

/// Label of the paper's builds in a [`FootprintComparison`].
pub const PAPER_COLUMN: &str = "paper";

/// One set of builds in a [`FootprintComparison`]: one board under one OS,
/// ours or the paper's, with its own `none` build as baseline.
#[derive(Debug, Clone, PartialEq)]
pub struct FootprintColumn {
    /// Short label: the OS of our builds (`bare`, `ariel-os`), or
    /// [`PAPER_COLUMN`].
    pub label: String,
    /// The OS the builds ran on.
    pub os: String,
    /// Whether these are the paper's builds.
    pub paper: bool,
    /// The builds (board: the platform or paper board name).
    pub view: FootprintView,
}

/// Figure 5 across operating systems: one board's builds on each OS it has
/// footprint records for, and the paper's builds of the board it is
/// compared with. The runtime share of each build is taken against the
/// `none` build of the same board and OS.
#[derive(Debug, Clone, PartialEq)]
pub struct FootprintComparison {
    /// Our board (catalog name, without OS).
    pub board: String,
    /// The paper's board, when its builds are shown.
    pub paper_board: Option<String>,
    /// Runtimes with a footprint in any column (without `none`), in table
    /// order.
    pub runtimes: Vec<String>,
    /// Our OSes in table order, then the paper's.
    pub columns: Vec<FootprintColumn>,
}

impl FootprintComparison {
    /// The bars to draw: (runtime, column) for each runtime and each
    /// column that has it, runtime by runtime.
    pub fn slots(&self) -> Vec<(&str, &FootprintColumn)> {
        let mut v = Vec::new();
        for rt in &self.runtimes {
            for c in &self.columns {
                if c.view.whole.contains_key(rt) {
                    v.push((rt.as_str(), c));
                }
            }
        }
        v
    }

    /// The OS labels of our columns.
    pub fn our_oses(&self) -> Vec<&str> {
        self.columns
            .iter()
            .filter(|c| !c.paper)
            .map(|c| c.os.as_str())
            .collect()
    }
}

/// Figure 5 across OSes for the catalog board `board`: a column per OS of
/// the board with footprint records in `ours`, and one for the paper's
/// board `paper` (a data set and board name) when it has footprint
/// records. `None` when no column has any.
pub fn footprint_comparison(
    ours: &Dataset,
    board: &str,
    paper: Option<(&Dataset, &str)>,
) -> Option<FootprintComparison> {
    let mut columns: Vec<FootprintColumn> = ours
        .platforms_of(board)
        .into_iter()
        .filter_map(|p| {
            let view = footprint_view(ours, &p.name())?;
            Some(FootprintColumn {
                label: p.os.clone(),
                os: p.os,
                paper: false,
                view,
            })
        })
        .collect();
    let paper_board = paper.map(|(_, b)| b.to_string());
    if let Some(view) = paper.and_then(|(ds, b)| footprint_view(ds, b)) {
        columns.push(FootprintColumn {
            label: PAPER_COLUMN.to_string(),
            os: PAPER_OS.name.to_string(),
            paper: true,
            view,
        });
    }
    if columns.is_empty() {
        return None;
    }
    let runtimes = sort_runtimes(columns.iter().flat_map(|c| c.view.runtimes.iter().cloned()));
    Some(FootprintComparison {
        board: board.to_string(),
        paper_board,
        runtimes,
        columns,
    })
}

/// Overhead of one runtime versus a reference (normally `native`).
#[derive(Debug, Clone, PartialEq)]
pub struct Overhead {
    /// Runtime.
    pub runtime: String,
    /// Per-benchmark ratios runtime / reference, both measured.
    pub ratios: Vec<(String, f64)>,
    /// Geometric mean of the ratios.
    pub geomean: Option<f64>,
    /// Geometric standard deviation of the ratios (Embench style).
    pub geo_std: Option<f64>,
    /// Benchmarks where the runtime's cell failed.
    pub failed: Vec<String>,
    /// Benchmarks with a reference time but no time of this runtime.
    pub missing: Vec<String>,
}

/// Overhead versus `reference` per runtime for one board and suite, from the
/// [`time_grid`]. `None` when the grid or the reference column is absent.
pub fn overhead(ds: &Dataset, board: &str, suite: &str, reference: &str) -> Option<Vec<Overhead>> {
    let g = time_grid(ds, board, suite)?;
    if !g.cols.iter().any(|c| c == reference) {
        return None;
    }
    let mut out = Vec::new();
    for rt in g.cols.iter().filter(|c| *c != reference) {
        let mut o = Overhead {
            runtime: rt.clone(),
            ratios: Vec::new(),
            geomean: None,
            geo_std: None,
            failed: Vec::new(),
            missing: Vec::new(),
        };
        for w in &g.rows {
            let Some(r) = g.get(w, reference).number() else {
                continue;
            };
            match g.get(w, rt) {
                Value::Ok { value, .. } if r > 0.0 => o.ratios.push((w.clone(), value / r)),
                Value::Failed(_) => o.failed.push(w.clone()),
                _ => o.missing.push(w.clone()),
            }
        }
        let xs: Vec<f64> = o.ratios.iter().map(|(_, x)| *x).collect();
        o.geomean = stats::geomean(&xs);
        o.geo_std = stats::geo_std(&xs);
        out.push(o);
    }
    Some(out)
}

/// Table II: treVM capsules. One row per (board, runtime, capsule) cell
/// of a suite of the capsule ABI (`capsules`), run by a runtime that hosts
/// components (`trevm`).
#[derive(Debug, Clone, PartialEq)]
pub struct CapsuleRow {
    /// Board.
    pub board: String,
    /// Runtime variant.
    pub runtime: String,
    /// Suite.
    pub suite: String,
    /// Workload (the capsule).
    pub workload: String,
    /// The measured interval (`run`, or the persistent capsule's requests).
    pub interval: Value,
    /// The unit of [`CapsuleRow::interval`].
    pub unit: String,
    /// Size of the original `.wasm`.
    pub wasm_bytes: Value,
    /// Size of the capsule.
    pub capsule_bytes: Value,
    /// Peak heap of the run.
    pub peak_heap: Value,
    /// Largest linear memory of the capsule.
    pub linear_memory: Value,
}

/// Table II's firmware part: treVM's share of a board's firmware, by
/// differencing builds of the same board and OS.
#[derive(Debug, Clone, PartialEq)]
pub struct TrevmShare {
    /// Board (platform name: board and OS).
    pub board: String,
    /// The runtime-free build.
    pub none: Sections,
    /// The `trevm` build.
    pub trevm: Sections,
    /// `trevm − none`: treVM's share.
    pub share: Sections,
    /// `trevm − wasmtime-no-simd`: what the Component Model host adds to
    /// the same wasmtime without it.
    pub components: Sections,
    /// The minimal CoAP server (the `coap-minimal` app: Ariel OS's CoAP
    /// server, no capsule host); missing without its record (`make size
    /// ... --coap`, Ariel OS boards).
    pub coap_minimal: Sections,
    /// The treVM device (the `trevm-coap` app).
    pub coap_device: Sections,
    /// `trevm-coap − coap-minimal`: treVM's share of a CoAP device.
    pub coap_share: Sections,
}

/// The boards of `boards` with footprints of both `none` and `trevm`.
pub fn trevm_share(ds: &Dataset, boards: &[String]) -> Vec<TrevmShare> {
    boards
        .iter()
        .filter(|b| ds.footprint(b, NO_RUNTIME).is_some() && ds.footprint(b, "trevm").is_some())
        .map(|b| {
            let none = Sections::of(ds, b, NO_RUNTIME);
            let trevm = Sections::of(ds, b, "trevm");
            let plain = Sections::of(ds, b, "wasmtime-no-simd");
            let app = |name: &str| {
                let app = trevm_catalog::os::coap_app(name).expect("a CoAP app of the catalog");
                Sections::of_workload(ds, b, app.runtime(), app.name)
            };
            let (coap_minimal, coap_device) = (app("coap-minimal"), app("trevm-coap"));
            TrevmShare {
                board: b.clone(),
                share: trevm.minus(&none),
                components: trevm.minus(&plain),
                coap_share: coap_device.minus(&coap_minimal),
                none,
                trevm,
                coap_minimal,
                coap_device,
            }
        })
        .collect()
}

/// Rows of Table II (empty until capsule records exist).
pub fn capsules(ds: &Dataset, boards: &[String]) -> Vec<CapsuleRow> {
    let mut out = Vec::new();
    for (k, c) in ds.iter() {
        let platform = k.platform_name();
        let capsule_abi = trevm_catalog::suite::find(&k.suite)
            .is_some_and(|s| s.abi == trevm_catalog::suite::Abi::Capsule);
        if !capsule_abi || !boards.contains(&platform) || c.record.is_footprint() {
            continue;
        }
        let r = &c.record;
        out.push(CapsuleRow {
            board: platform,
            runtime: k.runtime.clone(),
            suite: k.suite.clone(),
            workload: k.workload.clone(),
            interval: metric_value(r, "interval"),
            unit: r
                .metric("interval")
                .map(|m| m.unit.clone())
                .unwrap_or_default(),
            linear_memory: metric_value(r, "linear_memory"),
            wasm_bytes: metric_value(r, "wasm_bytes"),
            capsule_bytes: metric_value(r, "module_bytes"),
            peak_heap: metric_value(r, "peak_heap"),
        });
    }
    out
}
