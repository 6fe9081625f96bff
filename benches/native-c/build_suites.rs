//! Which C benchmarks `build.rs` compiles, and the table it generates for
//! `src/lib.rs`.
//!
//! - [`Selection`]: what `TREVM_NATIVE_C` asks for. Unset, empty or `none`:
//!   nothing (no file is read, so a build never depends on what earlier runs
//!   left in `build/`). `all`: every suite the manifest lists. Otherwise
//!   comma-separated `suite` or `suite/benchmark` entries.
//! - [`select`]: the asked-for benchmarks in the suites of the manifest
//!   `make suites` writes (`build/suites/sources.txt`, `suite=/path/to/tree`
//!   lines). Asking for a suite or a benchmark that is not prepared is an
//!   error that says to run `make suites`.
//! - [`Table`]: the generated `WORKLOADS` table.
//!
//! Everything here is a function of its arguments (no environment, no
//! cargo output), so `tests/selection.rs` runs it on stand-in trees.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

/// The suites this crate knows, in table order: the catalog's suites built
/// from upstream C sources.
pub fn suites() -> Vec<&'static str> {
    trevm_catalog::SUITES
        .iter()
        .filter(|s| s.is_upstream())
        .map(|s| s.name)
        .collect()
}

/// CoreMark's own files (the port is this repository's `coremark-wasm/`).
const COREMARK_FILES: [&str; 5] = [
    "core_list_join.c",
    "core_main.c",
    "core_matrix.c",
    "core_state.c",
    "core_util.c",
];

/// The host functions and C library exits a benchmark may call; `build.rs`
/// renames them to the `trevm_native_c_*` hooks of `src/lib.rs`.
pub const HOOKS: [&str; 6] = [
    "initialise_board",
    "start_trigger",
    "stop_trigger",
    "clock_ms",
    "exit",
    "abort",
];

/// What to do when asked for C suites that are not there.
const RUN_MAKE_SUITES: &str = "run `make suites` first (it builds the suites' Wasm modules and \
     writes the manifest), or leave TREVM_NATIVE_C unset to build without C suites";

/// What `TREVM_NATIVE_C` asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    /// Unset, empty or `none`: no C suites.
    Nothing,
    /// `all`: every suite the manifest lists.
    All,
    /// `suite` and `suite/benchmark` entries.
    Only(Vec<(&'static str, Option<String>)>),
}

impl Selection {
    /// Parses the value of `TREVM_NATIVE_C` (`None`: unset).
    pub fn parse(value: Option<&str>) -> Result<Selection, String> {
        let value = value.unwrap_or("").trim();
        match value {
            "" | "none" => return Ok(Selection::Nothing),
            "all" => return Ok(Selection::All),
            _ => {}
        }
        let mut picks = Vec::new();
        for entry in value.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            if entry == "all" || entry == "none" {
                return Err(format!(
                    "TREVM_NATIVE_C={value}: `{entry}` stands alone, it does not mix with other entries"
                ));
            }
            let (suite, name) = match entry.split_once('/') {
                Some((s, n)) if !n.is_empty() => (s, Some(n.to_string())),
                Some(_) => {
                    return Err(format!(
                        "TREVM_NATIVE_C={value}: `{entry}` names no benchmark"
                    ))
                }
                None => (entry, None),
            };
            let suite = suites().into_iter().find(|s| *s == suite).ok_or_else(|| {
                format!(
                    "TREVM_NATIVE_C={value}: unknown suite `{suite}` (known: {}; or `all`, `none`)",
                    suites().join(", ")
                )
            })?;
            picks.push((suite, name));
        }
        Ok(Selection::Only(picks))
    }

    /// Whether this selection takes suite `suite` (or some of it).
    fn takes(&self, suite: &str) -> bool {
        match self {
            Selection::Nothing => false,
            Selection::All => true,
            Selection::Only(picks) => picks.iter().any(|(s, _)| *s == suite),
        }
    }

    /// Whether this selection takes benchmark `name` of `suite`.
    fn takes_unit(&self, suite: &str, name: &str) -> bool {
        match self {
            Selection::Nothing => false,
            Selection::All => true,
            Selection::Only(picks) => picks
                .iter()
                .any(|(s, n)| *s == suite && n.as_deref().is_none_or(|n| n == name)),
        }
    }
}

/// One benchmark to compile.
#[derive(Debug)]
pub struct Unit {
    /// Its suite.
    pub suite: &'static str,
    /// Its name (the Wasm module's file stem).
    pub name: String,
    /// C files.
    pub files: Vec<PathBuf>,
    /// Include folders.
    pub includes: Vec<PathBuf>,
    /// Defines, as for its Wasm module.
    pub defines: Vec<(String, Option<String>)>,
}

impl Unit {
    /// `<suite>_<name>` as a C identifier part.
    pub fn ident(&self) -> String {
        format!("{}_{}", self.suite, self.name)
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect()
    }
}

/// What [`select`] found.
#[derive(Debug, Default)]
pub struct Selected {
    /// The benchmarks, in manifest order, each suite's sorted by name.
    pub units: Vec<Unit>,
    /// The files the result depends on: manifest, build records, sources.
    pub watch: Vec<PathBuf>,
}

impl Selected {
    /// The suites with at least one benchmark selected, in table order.
    pub fn suites(&self) -> Vec<&'static str> {
        suites()
            .into_iter()
            .filter(|s| self.units.iter().any(|u| u.suite == *s))
            .collect()
    }
}

/// The benchmarks `selection` asks for, from the suites `manifest` lists.
/// `root` is the repository (for CoreMark's port, `coremark-wasm/`), `opt`
/// the optimisation flag (recorded in CoreMark's `COMPILER_FLAGS`).
pub fn select(
    selection: &Selection,
    manifest: &Path,
    root: &Path,
    opt: &str,
) -> Result<Selected, String> {
    let mut selected = Selected::default();
    if *selection == Selection::Nothing {
        return Ok(selected);
    }
    let listed = read_manifest(manifest)?;
    selected.watch.push(manifest.to_path_buf());
    if listed.is_empty() {
        return Err(format!(
            "TREVM_NATIVE_C asks for C suites, but {} lists none: {RUN_MAKE_SUITES}",
            manifest.display()
        ));
    }
    if let Selection::Only(picks) = selection {
        for (suite, _) in picks {
            if !listed.iter().any(|(s, _)| s == suite) {
                return Err(format!(
                    "TREVM_NATIVE_C asks for `{suite}`, which {} does not list (prepared: {}): \
                     run `make suites BUILD_SUITES={suite}`",
                    manifest.display(),
                    listed
                        .iter()
                        .map(|(s, _)| *s)
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
        }
    }
    let records = manifest.parent().unwrap_or(Path::new("."));
    for (suite, dir) in listed.into_iter().filter(|(s, _)| selection.takes(s)) {
        if !dir.is_dir() {
            return Err(format!(
                "the {suite} sources {} lists are gone ({}): {RUN_MAKE_SUITES}",
                manifest.display(),
                dir.display()
            ));
        }
        let all = if suite == "coremark" {
            let info = records.join("coremark/build.json");
            selected.watch.push(info.clone());
            coremark_units(&dir, root, coremark_iterations(&info), opt)?
        } else {
            embench_units(suite, &dir)?
        };
        if let Selection::Only(picks) = selection {
            for (_, name) in picks.iter().filter(|(s, _)| *s == suite) {
                if let Some(name) = name {
                    if !all.iter().any(|u| u.name == *name) {
                        return Err(format!(
                            "TREVM_NATIVE_C asks for `{suite}/{name}`, which is not in {} (there: {})",
                            dir.display(),
                            all.iter().map(|u| u.name.as_str()).collect::<Vec<_>>().join(", ")
                        ));
                    }
                }
            }
        }
        if suite == "coremark" {
            selected
                .watch
                .push(root.join("coremark-wasm/core_portme.h"));
        }
        for unit in all
            .into_iter()
            .filter(|u| selection.takes_unit(u.suite, &u.name))
        {
            selected.watch.extend(unit.files.iter().cloned());
            selected.units.push(unit);
        }
    }
    Ok(selected)
}

/// The manifest's `suite=/path` lines.
pub fn read_manifest(manifest: &Path) -> Result<Vec<(&'static str, PathBuf)>, String> {
    let text = fs::read_to_string(manifest).map_err(|e| {
        format!(
            "TREVM_NATIVE_C asks for C suites, but their manifest {} cannot be read ({e}): {RUN_MAKE_SUITES}",
            manifest.display()
        )
    })?;
    let mut found = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let at = format!("{}:{}", manifest.display(), n + 1);
        let (suite, dir) = line
            .split_once('=')
            .ok_or_else(|| format!("{at}: expected `suite=/path`, got `{line}`"))?;
        let suite = suites()
            .into_iter()
            .find(|s| *s == suite.trim())
            .ok_or_else(|| {
                format!(
                    "{at}: unknown suite `{}` (known: {:?})",
                    suite.trim(),
                    suites()
                )
            })?;
        found.push((suite, PathBuf::from(dir.trim())));
    }
    Ok(found)
}

fn coremark_units(
    src: &Path,
    root: &Path,
    iterations: u64,
    opt: &str,
) -> Result<Vec<Unit>, String> {
    let port = root.join("coremark-wasm");
    let mut files: Vec<PathBuf> = COREMARK_FILES.iter().map(|f| src.join(f)).collect();
    if let Some(missing) = files.iter().find(|f| !f.is_file()) {
        return Err(format!(
            "{} is not a CoreMark tree ({} is missing)",
            src.display(),
            missing.display()
        ));
    }
    files.push(port.join("core_portme.c"));
    Ok(vec![Unit {
        suite: "coremark",
        name: "coremark".into(),
        files,
        includes: vec![port, src.to_path_buf()],
        defines: vec![
            ("ITERATIONS".into(), Some(iterations.to_string())),
            (
                "COMPILER_FLAGS".into(),
                Some(format!("\"{opt} (native, trevm-native-c)\"")),
            ),
        ],
    }])
}

/// The iteration count `make suites` built CoreMark's module with (its
/// `build.json`), so both rows run the same work; 0 (CoreMark picks,
/// >= 10 s) when unknown.
fn coremark_iterations(info: &Path) -> u64 {
    let text = fs::read_to_string(info).unwrap_or_default();
    text.split_once("\"iterations\":")
        .and_then(|(_, rest)| {
            let digits: String = rest
                .trim_start()
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            digits.parse().ok()
        })
        .unwrap_or(0)
}

fn embench_units(suite: &'static str, src: &Path) -> Result<Vec<Unit>, String> {
    let support = src.join("support");
    if !(support.join("main.c").is_file() && src.join("src").is_dir()) {
        return Err(format!(
            "{} is not an Embench tree (no support/main.c or src/)",
            src.display()
        ));
    }
    let mut defines = vec![
        ("CPU_MHZ".to_string(), Some("1".to_string())),
        ("WARMUP_HEAT".to_string(), Some("1".to_string())),
    ];
    if suite == "embench-current" {
        defines.push(("GLOBAL_SCALE_FACTOR".into(), Some("1".into())));
    }
    let mut benches: Vec<PathBuf> = fs::read_dir(src.join("src"))
        .map_err(|e| format!("cannot read {}/src: {e}", src.display()))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    benches.sort();
    let mut units = Vec::new();
    for bench in benches {
        let mut files: Vec<PathBuf> = fs::read_dir(&bench)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "c"))
            .collect();
        if files.is_empty() {
            continue;
        }
        files.sort();
        files.push(support.join("main.c"));
        files.push(support.join("beebsc.c"));
        units.push(Unit {
            suite,
            name: bench.file_name().unwrap().to_string_lossy().into_owned(),
            files,
            includes: vec![support.clone(), bench.clone()],
            defines: defines.clone(),
        });
    }
    Ok(units)
}

/// The generated table (`$OUT_DIR/table.rs`).
#[derive(Default)]
pub struct Table {
    decls: String,
    rows: String,
    /// The C compiler's `--version` line (empty when nothing was compiled).
    pub compiler: String,
    /// The optimisation flags.
    pub cflags: String,
}

impl Table {
    /// Adds `unit`, compiled into library `lib` (its symbols prefixed with
    /// `<lib>_`).
    pub fn add(&mut self, unit: &Unit, lib: &str) {
        let p = format!("{lib}_");
        let entry = if unit.suite == "coremark" {
            writeln!(
                self.decls,
                "    fn {p}run() -> f32;\n    fn {p}iterations() -> c_int;\n    fn {p}validated() -> c_int;"
            )
            .unwrap();
            format!(
                "Entry::CoreMark {{ run: {p}run, iterations: {p}iterations, validated: {p}validated }}"
            )
        } else {
            writeln!(
                self.decls,
                "    fn {p}main(argc: c_int, argv: *mut *mut c_char) -> c_int;"
            )
            .unwrap();
            format!("Entry::Embench({p}main)")
        };
        writeln!(
            self.rows,
            "    Workload {{ suite: {:?}, name: {:?}, entry: {entry} }},",
            unit.suite, unit.name
        )
        .unwrap();
    }

    /// The Rust source.
    pub fn render(&self) -> String {
        let mut s = String::from("// Generated by build.rs.\n");
        if !self.decls.is_empty() {
            s += &format!("extern \"C\" {{\n{}}}\n", self.decls);
        }
        s += &format!(
            "/// The natively compiled benchmarks (empty unless `TREVM_NATIVE_C` selects C suites).\n\
             pub static WORKLOADS: &[Workload] = &[\n{}];\n\
             /// The C compiler the benchmarks were built with (empty when none were).\n\
             pub const COMPILER: &str = {:?};\n\
             /// Its optimisation flags.\n\
             pub const CFLAGS: &str = {:?};\n",
            self.rows, self.compiler, self.cflags
        );
        s
    }
}
