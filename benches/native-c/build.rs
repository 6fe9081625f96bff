//! Compiles the C suites that `TREVM_NATIVE_C` selects natively for the
//! cargo target and generates the table `src/lib.rs` includes.
//!
//! - Which benchmarks: only what `TREVM_NATIVE_C` asks for, never what
//!   happens to lie in `build/`. Unset (the default), empty or `none`: no C
//!   suites, an empty table, no file read. `all`: every suite the manifest
//!   of `make suites` lists (`build/suites/sources.txt`, or the file named
//!   by `TREVM_SUITES_SRC`). Otherwise comma-separated `suite` or
//!   `suite/benchmark` entries, e.g. for a board firmware that has room for
//!   one benchmark only. Asking for suites whose sources are not prepared
//!   fails, saying to run `make suites` (see `build_suites.rs`).
//! - Each benchmark (CoreMark with this repository's `coremark-wasm/`
//!   port; every Embench program with Embench's `support/main.c` and
//!   `beebsc.c`) becomes one static library, compiled with the same defines
//!   as its Wasm module. All global symbols it defines are then renamed to
//!   `trevm_nc_<suite>_<benchmark>_<symbol>`, so the benchmarks' `main`s,
//!   `benchmark`s and helpers coexist; the host functions they call
//!   (`initialise_board`, `start_trigger`, `stop_trigger`, `clock_ms`) and
//!   `exit`/`abort` are renamed to the `trevm_native_c_*` hooks of
//!   `src/lib.rs`. C library calls keep their names.
//! - Targets, C compiler, C library headers and the renaming: the table and
//!   helpers of `trevm-build-support`. On the boards the firmware links the
//!   C library and libm (as it does for WAMR); on the host this crate links
//!   libm.
//! - Tells the tests what is compiled in: cfg `trevm_native_c_coremark`,
//!   `trevm_native_c_embench` (either Embench set), and to dependents'
//!   build scripts `DEP_TREVM_NATIVE_C_SUITES` (comma-separated suites).
//!
//! Environment: `TREVM_NATIVE_C`, `TREVM_SUITES_SRC`, `TREVM_NATIVE_C_OPT`
//! (default `-O2`, as `make suites`), `TREVM_NATIVE_C_OBJCOPY` /
//! `TREVM_NATIVE_C_NM` (default: the target toolchain's binutils, else any
//! `llvm-objcopy`/`llvm-nm`), and cc's usual `CC_<target>`/`CFLAGS_<target>`.

mod build_suites;

use std::fs;
use std::path::{Path, PathBuf};

use build_suites::{select, Selection, Table, Unit, HOOKS};
use trevm_build_support::{cargo_env, env_var, env_var_os, toolchain, Binutils, OrFail, Target};

const KRATE: &str = "trevm-native-c";

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=build_suites.rs");
    println!("cargo:rustc-check-cfg=cfg(trevm_native_c_coremark)");
    println!("cargo:rustc-check-cfg=cfg(trevm_native_c_embench)");
    // The repository: benches/native-c/../..
    let crate_dir = PathBuf::from(cargo_env("CARGO_MANIFEST_DIR"));
    let root = crate_dir.ancestors().nth(2).unwrap().to_path_buf();
    let out = PathBuf::from(cargo_env("OUT_DIR"));

    let selection = Selection::parse(env_var("TREVM_NATIVE_C").as_deref()).or_fail(KRATE);
    let mut table = Table::default();
    let mut suites = Vec::new();
    if selection != Selection::Nothing {
        let manifest = env_var_os("TREVM_SUITES_SRC")
            .map(PathBuf::from)
            .unwrap_or_else(|| root.join("build/suites/sources.txt"));
        let opt = env_var("TREVM_NATIVE_C_OPT").unwrap_or_else(|| "-O2".into());
        let selected = select(&selection, &manifest, &root, &opt).or_fail(KRATE);
        for f in &selected.watch {
            println!("cargo:rerun-if-changed={}", f.display());
        }
        compile(&selected.units, &opt, &out, &mut table);
        suites = selected.suites();
    }
    if suites.contains(&"coremark") {
        println!("cargo:rustc-cfg=trevm_native_c_coremark");
    }
    if suites.iter().any(|s| s.starts_with("embench")) {
        println!("cargo:rustc-cfg=trevm_native_c_embench");
    }
    println!("cargo:suites={}", suites.join(","));
    fs::write(out.join("table.rs"), table.render()).unwrap();
}

/// Compiles each unit into `lib<trevm_nc_...>.a`, renames its symbols, adds
/// it to `table` and links it.
fn compile(units: &[Unit], opt: &str, out: &Path, table: &mut Table) {
    let target = Target::cargo().or_fail(KRATE);
    toolchain::rerun_if_cc_env_changed(target.triple);
    let mut tools = None;
    for unit in units {
        let lib = format!("trevm_nc_{}", unit.ident());
        let mut build = toolchain::c_build(
            target,
            &[
                "-std=gnu99",
                "-fno-common",
                "-ffunction-sections",
                "-fdata-sections",
            ],
        )
        .or_fail(KRATE);
        build
            .opt_level_str(opt.trim_start_matches("-O"))
            .flag_if_supported("-w"); // third-party code: keep cargo's output readable
        for inc in &unit.includes {
            build.include(inc);
        }
        for (k, v) in &unit.defines {
            build.define(k, v.as_deref());
        }
        for f in &unit.files {
            build.file(f);
        }
        let archive = toolchain::compile(&build, &lib, out).or_fail(KRATE);
        let tools = tools.get_or_insert_with(|| {
            Binutils::find(
                &build,
                target,
                "TREVM_NATIVE_C_NM",
                "TREVM_NATIVE_C_OBJCOPY",
            )
            .or_fail(KRATE)
        });
        rename_symbols(tools, &archive, &format!("{lib}_"), out);
        table.add(unit, &lib);
        if table.compiler.is_empty() {
            table.compiler = toolchain::compiler_version(&build);
            table.cflags = opt.to_string();
        }
    }
    toolchain::link_static(out, units.iter().map(|u| format!("trevm_nc_{}", u.ident())));
    // cos, pow... for Embench's cubic, nbody, minver, on the host. The
    // boards link libm themselves, in the firmware crate.
    toolchain::link_host_libs(target);
}

/// Prefixes every global symbol `archive` defines (definitions and
/// references alike) and points the hook calls at `trevm_native_c_*`.
fn rename_symbols(tools: &Binutils, archive: &Path, prefix: &str, out: &Path) {
    let defined = tools.defined_symbols(archive).or_fail(KRATE);
    assert!(
        defined.contains("main") || defined.contains("run"),
        "{KRATE}: {} defines neither main nor run",
        archive.display()
    );
    if let Some(s) = defined.iter().find(|s| HOOKS.contains(&s.as_str())) {
        panic!(
            "{KRATE}: {} defines `{s}`, which the harness provides",
            archive.display()
        );
    }
    let hooks: Vec<(&str, String)> = HOOKS
        .iter()
        .map(|h| (*h, format!("trevm_native_c_{h}")))
        .collect();
    tools
        .prefix_symbols(archive, &defined, prefix, &hooks, out)
        .or_fail(KRATE);
    let renamed = tools.defined_symbols(archive).or_fail(KRATE);
    assert!(
        renamed.iter().all(|s| s.starts_with(prefix)),
        "{KRATE}: renaming the symbols of {} with {} left some unprefixed",
        archive.display(),
        tools.objcopy.display()
    );
}
