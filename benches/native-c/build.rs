//! Compiles the C suites `make suites` prepared natively for the cargo
//! target and generates the table `src/lib.rs` includes.
//!
//! - Which sources: the manifest `scripts/suites.py` writes,
//!   `build/suites/sources.txt` (`suite=/path/to/tree` lines), or the file
//!   named by `TREVM_SUITES_SRC`. When it lists nothing, the table is empty.
//!   `TREVM_NATIVE_C` narrows the selection: comma-separated `suite` or
//!   `suite/benchmark` entries (`none` for nothing), e.g. for a board
//!   firmware that has room for one benchmark only.
//! - Each benchmark (CoreMark with this repository's `coremark-wasm/`
//!   port; every Embench program with Embench's `support/main.c` and
//!   `beebsc.c`) becomes one static library, compiled with the same defines
//!   as its Wasm module. All global symbols it defines are then renamed to
//!   `trevm_nc_<suite>_<benchmark>_<symbol>` (`objcopy --redefine-syms`, as
//!   trevm-wamr-sys does for WAMR's two interpreters), so the benchmarks'
//!   `main`s, `benchmark`s and helpers coexist; the host functions they call
//!   (`initialise_board`, `start_trigger`, `stop_trigger`, `clock_ms`) and
//!   `exit`/`abort` are renamed to the `trevm_native_c_*` hooks of
//!   `src/lib.rs`. C library calls keep their names.
//! - Targets: the x86_64 host (cc), Cortex-M (`thumbv7em-none-eabihf`,
//!   `thumbv8m.main-none-eabihf`: arm-none-eabi-gcc, newlib-nano headers)
//!   and RV32 (`riscv32imac-unknown-none-elf`: riscv64-unknown-elf-gcc,
//!   picolibc). On the boards the firmware links the C library and libm (as
//!   it does for WAMR); on the host this crate links libm.
//!
//! Environment: `TREVM_SUITES_SRC`, `TREVM_NATIVE_C`, `TREVM_NATIVE_C_OPT`
//! (default `-O2`, as `make suites`), `TREVM_NATIVE_C_OBJCOPY` /
//! `TREVM_NATIVE_C_NM` (default: the target toolchain's binutils, else any
//! `llvm-objcopy`/`llvm-nm`), and cc's usual `CC_<target>`/`CFLAGS_<target>`.

use std::collections::BTreeSet;
use std::env;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// CoreMark's own files (the port is this repository's `coremark-wasm/`).
const COREMARK_FILES: [&str; 5] = [
    "core_list_join.c",
    "core_main.c",
    "core_matrix.c",
    "core_state.c",
    "core_util.c",
];

/// The host functions and C library exits a benchmark may call, and the
/// hooks in src/lib.rs they are renamed to.
const HOOKS: [&str; 6] = [
    "initialise_board",
    "start_trigger",
    "stop_trigger",
    "clock_ms",
    "exit",
    "abort",
];

/// The suites this crate knows, in table order.
const SUITES: [&str; 3] = ["coremark", "embench", "embench-current"];

fn main() {
    for var in [
        "TREVM_SUITES_SRC",
        "TREVM_NATIVE_C",
        "TREVM_NATIVE_C_OPT",
        "TREVM_NATIVE_C_OBJCOPY",
        "TREVM_NATIVE_C_NM",
    ] {
        println!("cargo:rerun-if-env-changed={var}");
    }
    let triple = env::var("TARGET").unwrap();
    for var in ["CC", "CFLAGS", "AR"] {
        println!("cargo:rerun-if-env-changed={var}_{triple}");
        println!(
            "cargo:rerun-if-env-changed={var}_{}",
            triple.replace('-', "_")
        );
    }
    println!("cargo:rerun-if-changed=build.rs");

    let crate_dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap());
    let root = crate_dir.join("../..");
    let out = PathBuf::from(env::var("OUT_DIR").unwrap());
    let opt = env::var("TREVM_NATIVE_C_OPT").unwrap_or_else(|_| "-O2".into());

    let units = select(prepared_suites(&root), &root);
    let mut table = Table::default();
    if !units.is_empty() {
        let target = Target::detect();
        let mut tools = None;
        for unit in &units {
            let lib = format!("trevm_nc_{}", unit.ident());
            let mut build = base_build(&target, &opt);
            for inc in &unit.includes {
                build.include(inc);
            }
            for (k, v) in &unit.defines {
                build.define(k, v.as_deref());
            }
            for f in &unit.files {
                println!("cargo:rerun-if-changed={}", f.display());
                build.file(f);
            }
            build.compile(&lib);
            let tools = tools.get_or_insert_with(|| Tools::find(&build));
            let archive = out.join(format!("lib{lib}.a"));
            rename_symbols(tools, &archive, &format!("{lib}_"), &out);
            table.add(unit, &lib);
            if table.compiler.is_empty() {
                table.compiler = compiler_version(&build);
                table.cflags = opt.clone();
            }
        }
        println!("cargo:rustc-link-search=native={}", out.display());
        for unit in &units {
            println!("cargo:rustc-link-lib=static=trevm_nc_{}", unit.ident());
        }
        if target.os == "linux" {
            // cos, pow... for Embench's cubic, nbody, minver. The boards
            // link libm themselves, in the firmware crate.
            println!("cargo:rustc-link-lib=m");
        }
    }
    fs::write(out.join("table.rs"), table.render()).unwrap();
}

// ---------------------------------------------------------------------------
// Which benchmarks

/// One benchmark to compile.
struct Unit {
    suite: &'static str,
    name: String,
    files: Vec<PathBuf>,
    includes: Vec<PathBuf>,
    defines: Vec<(String, Option<String>)>,
}

impl Unit {
    /// `<suite>_<name>` as a C identifier part.
    fn ident(&self) -> String {
        format!("{}_{}", self.suite, self.name)
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect()
    }
}

/// The suites `make suites` prepared: (suite, source tree).
fn prepared_suites(root: &Path) -> Vec<(&'static str, PathBuf)> {
    let manifest = match env::var_os("TREVM_SUITES_SRC") {
        Some(p) => {
            let p = PathBuf::from(p);
            assert!(
                p.is_file(),
                "trevm-native-c: TREVM_SUITES_SRC={} is not a file (it names the manifest \
                 `make suites` writes, build/suites/sources.txt)",
                p.display()
            );
            p
        }
        None => root.join("build/suites/sources.txt"),
    };
    if !manifest.exists() {
        // Cargo reruns a build script whose watched file is missing on
        // every build; an empty manifest dated in the past keeps this one
        // quiet until `make suites` writes the real one.
        write_placeholder(&manifest);
    }
    println!("cargo:rerun-if-changed={}", manifest.display());
    let text = fs::read_to_string(&manifest).unwrap_or_default();
    let mut found = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (suite, dir) = line.split_once('=').unwrap_or_else(|| {
            panic!(
                "trevm-native-c: {}:{}: expected `suite=/path`, got `{line}`",
                manifest.display(),
                n + 1
            )
        });
        let suite = SUITES
            .into_iter()
            .find(|s| *s == suite.trim())
            .unwrap_or_else(|| {
                panic!(
                    "trevm-native-c: {}:{}: unknown suite `{}` (known: {SUITES:?})",
                    manifest.display(),
                    n + 1,
                    suite.trim()
                )
            });
        let dir = PathBuf::from(dir.trim());
        if !dir.is_dir() {
            println!(
                "cargo:warning=trevm-native-c: the {suite} sources listed in {} are gone ({}); \
                 run `make suites` again. Building without them.",
                manifest.display(),
                dir.display()
            );
            continue;
        }
        found.push((suite, dir));
    }
    found
}

fn write_placeholder(manifest: &Path) {
    let written = manifest
        .parent()
        .map_or(Ok(()), fs::create_dir_all)
        .and_then(|_| {
            fs::write(
                manifest,
                "# No C suites prepared: `make suites` writes suite=/path lines here.\n",
            )
        })
        .and_then(|_| fs::File::options().write(true).open(manifest))
        .and_then(|f| {
            f.set_modified(std::time::UNIX_EPOCH + std::time::Duration::from_secs(86_400))
        });
    if let Err(e) = written {
        println!(
            "cargo:warning=trevm-native-c: cannot write {}: {e}",
            manifest.display()
        );
    }
}

/// The benchmarks of the prepared suites, narrowed by `TREVM_NATIVE_C`.
fn select(suites: Vec<(&'static str, PathBuf)>, root: &Path) -> Vec<Unit> {
    let filter: Option<Vec<String>> = env::var("TREVM_NATIVE_C")
        .ok()
        .filter(|s| !s.trim().is_empty())
        .map(|s| s.split(',').map(|x| x.trim().to_string()).collect());
    let wanted = |suite: &str, name: &str| match &filter {
        None => true,
        Some(f) => f
            .iter()
            .any(|x| x == suite || *x == format!("{suite}/{name}")),
    };
    let mut units = Vec::new();
    for (suite, dir) in suites {
        let all = if suite == "coremark" {
            coremark_units(&dir, root)
        } else {
            embench_units(suite, &dir)
        };
        units.extend(all.into_iter().filter(|u| wanted(u.suite, &u.name)));
    }
    units
}

fn coremark_units(src: &Path, root: &Path) -> Vec<Unit> {
    let port = root.join("coremark-wasm");
    let mut files: Vec<PathBuf> = COREMARK_FILES.iter().map(|f| src.join(f)).collect();
    for f in &files {
        assert!(
            f.is_file(),
            "trevm-native-c: {} is not a CoreMark tree ({} is missing)",
            src.display(),
            f.display()
        );
    }
    files.push(port.join("core_portme.c"));
    println!(
        "cargo:rerun-if-changed={}",
        port.join("core_portme.h").display()
    );
    vec![Unit {
        suite: "coremark",
        name: "coremark".into(),
        files,
        includes: vec![port, src.to_path_buf()],
        defines: vec![
            (
                "ITERATIONS".into(),
                Some(coremark_iterations(root).to_string()),
            ),
            (
                "COMPILER_FLAGS".into(),
                Some(format!(
                    "\"{} (native, trevm-native-c)\"",
                    env::var("TREVM_NATIVE_C_OPT").unwrap_or_else(|_| "-O2".into())
                )),
            ),
        ],
    }]
}

/// The iteration count `make suites` built CoreMark's module with
/// (`build/suites/coremark/build.json`), so both rows run the same work;
/// 0 (CoreMark picks, >= 10 s) when unknown.
fn coremark_iterations(root: &Path) -> u64 {
    let info = root.join("build/suites/coremark/build.json");
    println!("cargo:rerun-if-changed={}", info.display());
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

fn embench_units(suite: &'static str, src: &Path) -> Vec<Unit> {
    let support = src.join("support");
    assert!(
        support.join("main.c").is_file() && src.join("src").is_dir(),
        "trevm-native-c: {} is not an Embench tree (no support/main.c or src/)",
        src.display()
    );
    let mut defines = vec![
        ("CPU_MHZ".to_string(), Some("1".to_string())),
        ("WARMUP_HEAT".to_string(), Some("1".to_string())),
    ];
    if suite == "embench-current" {
        defines.push(("GLOBAL_SCALE_FACTOR".into(), Some("1".into())));
    }
    let mut benches: Vec<PathBuf> = fs::read_dir(src.join("src"))
        .unwrap_or_else(|e| panic!("trevm-native-c: cannot read {}/src: {e}", src.display()))
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
    units
}

// ---------------------------------------------------------------------------
// Compiling

/// What is being built for.
struct Target {
    arch: String,
    os: String,
}

impl Target {
    fn detect() -> Self {
        let t = Target {
            arch: env::var("CARGO_CFG_TARGET_ARCH").unwrap(),
            os: env::var("CARGO_CFG_TARGET_OS").unwrap_or_default(),
        };
        assert!(
            matches!(t.arch.as_str(), "x86_64" | "aarch64" | "arm" | "riscv32"),
            "trevm-native-c: target {} is not supported (host, thumbv7em/thumbv8m.main eabihf, riscv32imac)",
            env::var("TARGET").unwrap()
        );
        t
    }
}

fn base_build(target: &Target, opt: &str) -> cc::Build {
    let mut b = cc::Build::new();
    b.cargo_metadata(false)
        .warnings(false)
        .extra_warnings(false)
        .opt_level_str(opt.trim_start_matches("-O"));
    b.flag("-std=gnu99")
        .flag("-fno-common")
        .flag("-ffunction-sections")
        .flag("-fdata-sections")
        .flag_if_supported("-w"); // third-party code: keep cargo's output readable
    let has_specs = b
        .get_compiler()
        .args()
        .iter()
        .any(|a| a.to_string_lossy().starts_with("--specs="));
    if target.arch == "arm" {
        if !has_specs {
            b.flag("--specs=nano.specs");
        }
        b.flag("-mthumb");
    } else if target.arch == "riscv32" && !has_specs {
        b.flag("--specs=picolibc.specs");
    }
    b
}

fn compiler_version(build: &cc::Build) -> String {
    let c = build.get_compiler();
    Command::new(c.path())
        .arg("--version")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.lines().next().map(str::to_string))
        .unwrap_or_else(|| c.path().display().to_string())
}

// ---------------------------------------------------------------------------
// Renaming

/// The binutils used to rename symbols.
struct Tools {
    nm: PathBuf,
    objcopy: PathBuf,
}

impl Tools {
    /// `$TREVM_NATIVE_C_NM`/`$TREVM_NATIVE_C_OBJCOPY`, else the binutils
    /// beside the C compiler (`arm-none-eabi-gcc` -> `arm-none-eabi-objcopy`),
    /// else `llvm-nm`/`llvm-objcopy` in any version.
    fn find(build: &cc::Build) -> Tools {
        let compiler = build.get_compiler();
        let cc_name = compiler
            .path()
            .file_name()
            .and_then(|s| s.to_str())
            .unwrap_or("cc")
            .to_string();
        let prefix = ["gcc", "clang", "cc"]
            .iter()
            .find_map(|suffix| cc_name.strip_suffix(suffix))
            .unwrap_or("")
            .to_string();
        let pick = |var: &str, tool: &str| -> PathBuf {
            if let Some(p) = env::var_os(var) {
                return PathBuf::from(p);
            }
            let mut candidates = vec![format!("{prefix}{tool}"), format!("llvm-{tool}")];
            candidates.extend((14..=22).rev().map(|v| format!("llvm-{tool}-{v}")));
            candidates
                .iter()
                .find(|c| {
                    Command::new(c)
                        .arg("--version")
                        .output()
                        .is_ok_and(|o| o.status.success())
                })
                .map(PathBuf::from)
                .unwrap_or_else(|| {
                    panic!(
                        "trevm-native-c: no `{tool}` found to rename the benchmarks' symbols \
                         (tried {candidates:?}); install binutils for the target or LLVM, or set {var}"
                    )
                })
        };
        Tools {
            nm: pick("TREVM_NATIVE_C_NM", "nm"),
            objcopy: pick("TREVM_NATIVE_C_OBJCOPY", "objcopy"),
        }
    }
}

/// The global symbols an archive defines.
fn defined_symbols(nm: &Path, archive: &Path) -> BTreeSet<String> {
    let out = Command::new(nm)
        .args(["--defined-only", "--extern-only", "-P"])
        .arg(archive)
        .output()
        .unwrap_or_else(|e| panic!("trevm-native-c: cannot run {}: {e}", nm.display()));
    assert!(
        out.status.success(),
        "trevm-native-c: {} failed on {}: {}",
        nm.display(),
        archive.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.trim_end().ends_with(':'))
        .filter_map(|l| l.split_whitespace().next())
        .map(str::to_string)
        .collect()
}

/// Prefixes every global symbol `archive` defines (definitions and
/// references alike) and points the hook calls at `trevm_native_c_*`.
fn rename_symbols(tools: &Tools, archive: &Path, prefix: &str, out: &Path) {
    let defined = defined_symbols(&tools.nm, archive);
    assert!(
        defined.contains("main") || defined.contains("run"),
        "trevm-native-c: {} defines neither main nor run",
        archive.display()
    );
    let mut map = String::new();
    for s in &defined {
        assert!(
            !HOOKS.contains(&s.as_str()),
            "trevm-native-c: {} defines `{s}`, which the harness provides",
            archive.display()
        );
        writeln!(map, "{s} {prefix}{s}").unwrap();
    }
    for h in HOOKS {
        writeln!(map, "{h} trevm_native_c_{h}").unwrap();
    }
    let map_file = out.join(format!("{prefix}symbols.map"));
    fs::write(&map_file, map).unwrap();
    let status = Command::new(&tools.objcopy)
        .arg(format!("--redefine-syms={}", map_file.display()))
        .arg(archive)
        .status()
        .unwrap_or_else(|e| {
            panic!(
                "trevm-native-c: cannot run {}: {e}",
                tools.objcopy.display()
            )
        });
    assert!(
        status.success(),
        "trevm-native-c: {} failed on {}",
        tools.objcopy.display(),
        archive.display()
    );
    let renamed = defined_symbols(&tools.nm, archive);
    assert!(
        renamed.iter().all(|s| s.starts_with(prefix)),
        "trevm-native-c: renaming the symbols of {} with {} left some unprefixed",
        archive.display(),
        tools.objcopy.display()
    );
}

// ---------------------------------------------------------------------------
// The generated table

#[derive(Default)]
struct Table {
    decls: String,
    rows: String,
    compiler: String,
    cflags: String,
}

impl Table {
    fn add(&mut self, unit: &Unit, lib: &str) {
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

    fn render(&self) -> String {
        let mut s = String::from("// Generated by build.rs.\n");
        if !self.decls.is_empty() {
            s += &format!("extern \"C\" {{\n{}}}\n", self.decls);
        }
        s += &format!(
            "/// The natively compiled benchmarks (empty when `make suites` has not run).\n\
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
