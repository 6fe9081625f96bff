//! Builds WAMR 2.4.3 twice, as the classic and as the fast interpreter, plus
//! the project's platform layer, into three static libraries.
//!
//! - The WAMR C sources are never copied into this repository: they are
//!   located in the crate `wamrx-sys 0.3.0` (`wasm-micro-runtime/`), which
//!   the workspace depends on under a never-true `cfg` so that cargo fetches
//!   it without building it. `WAMR_SRC=/path/to/wasm-micro-runtime`
//!   overrides the search.
//! - Classic and fast interpreter are compile-time choices in WAMR
//!   (`WASM_ENABLE_FAST_INTERP`) and both builds export the same symbols, so
//!   every symbol *defined* in each library is renamed with a per-variant
//!   prefix (`wamr_classic_`, `wamr_fast_`) using `objcopy --redefine-syms`.
//!   The references to the platform layer (`os_*`, `bh_platform_*`) and to
//!   libc stay undefined, hence unrenamed, so both interpreters share the one
//!   platform layer (`platform/*.c`), which is compiled once.
//! - Targets: the x86_64 host (gcc), Cortex-M (`thumbv7em-none-eabihf`,
//!   `thumbv8m.main-none-eabihf`, arm-none-eabi-gcc + newlib-nano headers)
//!   and RV32 (`riscv32imac-unknown-none-elf`, riscv64-unknown-elf-gcc +
//!   picolibc headers). The `cc` crate picks the compiler and the target's
//!   `-march`/`-mabi`/`-mfloat-abi` flags; `CC_<target>` / `CFLAGS_<target>`
//!   override as usual.
//!
//! Features `classic` and `fast` (both on by default) select the builds.
//!
//! Environment: `WAMR_SRC` (sources), `WAMR_OBJCOPY` / `WAMR_NM` (tools used
//! for the renaming; by default the target toolchain's binutils, else
//! `llvm-objcopy`/`llvm-nm` in any version).

use std::collections::BTreeSet;
use std::env;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The WAMR release the sources must be.
const WAMR_VERSION: (u32, u32, u32) = (2, 4, 3);
/// The crate that ships those sources, and its version.
const SOURCE_CRATE: &str = "wamrx-sys";
const SOURCE_CRATE_VERSION: &str = "0.3.0";

/// The two interpreters: (name, WASM_ENABLE_FAST_INTERP).
const VARIANTS: [(&str, u32); 2] = [("classic", 0), ("fast", 1)];

fn main() {
    for var in ["WAMR_SRC", "WAMR_OBJCOPY", "WAMR_NM"] {
        println!("cargo:rerun-if-env-changed={var}");
    }
    // The `cc` settings (`cargo_metadata(false)` below keeps cc quiet).
    let triple = env::var("TARGET").unwrap();
    for var in ["CC", "CFLAGS", "AR", "CRATE_CC_NO_DEFAULTS"] {
        for name in [
            var.to_string(),
            format!("TARGET_{var}"),
            format!("{var}_{triple}"),
            format!("{var}_{}", triple.replace('-', "_")),
        ] {
            println!("cargo:rerun-if-env-changed={name}");
        }
    }
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=platform");

    let root = locate_wamr();
    println!(
        "cargo:rerun-if-changed={}",
        root.join("core/version.h").display()
    );
    let version = wamr_version(&root);
    if version != WAMR_VERSION {
        println!(
            "cargo:warning=WAMR sources at {} are version {}.{}.{}, this crate is written for {}.{}.{}",
            root.display(),
            version.0,
            version.1,
            version.2,
            WAMR_VERSION.0,
            WAMR_VERSION.1,
            WAMR_VERSION.2
        );
    }
    println!(
        "cargo:rustc-env=TREVM_WAMR_VERSION={}.{}.{}",
        version.0, version.1, version.2
    );
    println!("cargo:root={}", root.display());

    let out = PathBuf::from(env::var("OUT_DIR").unwrap());
    let target = Target::detect();

    // Both interpreters by default; features `classic`/`fast` select (a
    // firmware build for one interpreter's footprint links only that one).
    let variants: Vec<(&str, u32)> = VARIANTS
        .into_iter()
        .filter(|(name, _)| env::var_os(format!("CARGO_FEATURE_{}", name.to_uppercase())).is_some())
        .collect();
    assert!(
        !variants.is_empty(),
        "trevm-wamr-sys: enable feature `classic`, `fast` or both"
    );

    let mut tools = None;
    for &(name, fast) in &variants {
        let lib = format!("trevm_wamr_{name}");
        let mut build = base_build(&root, &target);
        build.define("WASM_ENABLE_FAST_INTERP", Some(fast.to_string().as_str()));
        build.flag_if_supported("-w"); // third-party code: do not flood cargo with its warnings
        for file in wamr_sources(&root, &target, fast == 1) {
            build.file(file);
        }
        build.compile(&lib);
        let tools = tools.get_or_insert_with(|| Tools::find(&build));
        let archive = out.join(format!("lib{lib}.a"));
        prefix_defined_symbols(tools, &archive, &format!("wamr_{name}_"), &out);
    }

    // The platform layer: compiled once, shared by both interpreters.
    let mut build = base_build(&root, &target);
    build.warnings(true).extra_warnings(true);
    build.flag_if_supported("-Wno-unused-parameter");
    build.file("platform/trevm_platform.c");
    build.file("platform/trevm_layout.c");
    build.compile("trevm_wamr_platform");

    // Interpreters first: they reference the platform layer.
    println!("cargo:rustc-link-search=native={}", out.display());
    for (name, _) in variants {
        println!("cargo:rustc-link-lib=static=trevm_wamr_{name}");
    }
    println!("cargo:rustc-link-lib=static=trevm_wamr_platform");
    if target.os == "linux" {
        // sqrt, floor, fmin... for the float opcodes. The boards link libm
        // (newlib) or picolibc themselves, in the firmware crate.
        println!("cargo:rustc-link-lib=m");
    }
}

/// What is being built for.
struct Target {
    triple: String,
    arch: String,
    os: String,
}

impl Target {
    fn detect() -> Self {
        Target {
            triple: env::var("TARGET").unwrap(),
            arch: env::var("CARGO_CFG_TARGET_ARCH").unwrap(),
            os: env::var("CARGO_CFG_TARGET_OS").unwrap_or_default(),
        }
    }

    /// WAMR's `BUILD_TARGET_*` define and its `BUILD_TARGET` string.
    fn wamr_target(&self) -> (&'static str, &'static str) {
        match self.arch.as_str() {
            "x86_64" => ("BUILD_TARGET_X86_64", "X86_64"),
            "arm" if self.triple.ends_with("eabihf") => ("BUILD_TARGET_THUMB_VFP", "THUMB"),
            "arm" => ("BUILD_TARGET_THUMB", "THUMB"),
            "riscv32" => ("BUILD_TARGET_RISCV32_ILP32", "RISCV32"),
            other => panic!(
                "trevm-wamr-sys: target {} (arch {other}) is not supported; \
                 supported: x86_64 host, thumbv7em/thumbv8m.main (eabihf), riscv32imac",
                self.triple
            ),
        }
    }

    /// WAMR's assembly trampoline that calls native functions.
    fn invoke_native(&self) -> &'static str {
        match self.wamr_target().0 {
            "BUILD_TARGET_X86_64" => "invokeNative_em64.s",
            "BUILD_TARGET_THUMB_VFP" => "invokeNative_thumb_vfp.s",
            "BUILD_TARGET_THUMB" => "invokeNative_thumb.s",
            "BUILD_TARGET_RISCV32_ILP32" => "invokeNative_riscv.S",
            _ => unreachable!(),
        }
    }

    fn is_arm(&self) -> bool {
        self.arch == "arm"
    }

    fn is_riscv(&self) -> bool {
        self.arch == "riscv32"
    }
}

/// A `cc::Build` with the includes, defines and target flags that every
/// part (both interpreters and the platform layer) is compiled with.
fn base_build(root: &Path, target: &Target) -> cc::Build {
    let core = root.join("core");
    let mut b = cc::Build::new();
    b.cargo_metadata(false)
        .warnings(false)
        .extra_warnings(false);
    b.flag("-std=gnu99");
    b.flag("-ffunction-sections").flag("-fdata-sections");
    for dir in [
        PathBuf::from("platform"),
        core.join("shared/platform/include"),
        core.join("shared/utils"),
        core.join("shared/mem-alloc"),
        core.join("iwasm/include"),
        core.join("iwasm/common"),
        core.join("iwasm/interpreter"),
    ] {
        b.include(dir);
    }

    let (target_define, target_name) = target.wamr_target();
    b.define(target_define, None);
    b.define("BUILD_TARGET", Some(format!("\"{target_name}\"").as_str()));
    // The C library's headers: given by the specs file, unless CFLAGS
    // already name one (gcc rejects a specs file given twice).
    let has_specs = b
        .get_compiler()
        .args()
        .iter()
        .any(|a| a.to_string_lossy().starts_with("--specs="));
    if target.is_arm() {
        // newlib-nano, as the firmware links it.
        if !has_specs {
            b.flag("--specs=nano.specs");
        }
        b.flag("-mthumb");
        b.flag("-Wa,-mthumb");
    } else if target.is_riscv() {
        if !has_specs {
            b.flag("--specs=picolibc.specs");
        }
    } else if b.get_compiler().is_like_gnu() && target.arch == "x86_64" {
        // As WAMR's CMake build does for gcc on x86.
        b.flag_if_supported("-mindirect-branch-register");
    }

    let defines: &[(&str, &str)] = &[
        // Platform: our own (platform/), single-threaded, no OS.
        ("BH_PLATFORM_TREVM", "1"),
        ("BH_MALLOC", "wasm_runtime_malloc"),
        ("BH_FREE", "wasm_runtime_free"),
        // Running mode: interpreter only.
        ("WASM_ENABLE_INTERP", "1"),
        ("WASM_ENABLE_AOT", "0"),
        ("WASM_ENABLE_JIT", "0"),
        ("WASM_ENABLE_FAST_JIT", "0"),
        ("WASM_ENABLE_LAZY_JIT", "0"),
        ("WASM_ENABLE_MINI_LOADER", "0"),
        // Software bounds checks: no signals, no guard pages, no mmap.
        ("WASM_DISABLE_HW_BOUND_CHECK", "1"),
        ("WASM_DISABLE_STACK_HW_BOUND_CHECK", "1"),
        ("WASM_DISABLE_WAKEUP_BLOCKING_OP", "1"),
        ("WASM_DISABLE_WRITE_GS_BASE", "1"),
        // No host libraries and no threads: the harness registers its own
        // four `env` functions.
        ("WASM_ENABLE_LIBC_BUILTIN", "0"),
        ("WASM_ENABLE_LIBC_WASI", "0"),
        ("WASM_ENABLE_LIBC_EMCC", "0"),
        ("WASM_ENABLE_LIB_PTHREAD", "0"),
        ("WASM_ENABLE_LIB_WASI_THREADS", "0"),
        ("WASM_ENABLE_THREAD_MGR", "0"),
        ("WASM_ENABLE_SHARED_MEMORY", "0"),
        ("WASM_ENABLE_MULTI_MODULE", "0"),
        ("WASM_ENABLE_DEBUG_INTERP", "0"),
        // Proposals: those wamrx-sys 0.3.0 enables by default.
        ("WASM_ENABLE_BULK_MEMORY", "1"),
        ("WASM_ENABLE_BULK_MEMORY_OPT", "0"),
        ("WASM_ENABLE_REF_TYPES", "1"),
        ("WASM_ENABLE_CALL_INDIRECT_OVERLONG", "0"),
        ("WASM_ENABLE_TAIL_CALL", "0"),
        ("WASM_ENABLE_SIMD", "0"),
        ("WASM_ENABLE_SIMDE", "0"),
        ("WASM_ENABLE_GC", "0"),
        ("WASM_ENABLE_EXCE_HANDLING", "0"),
        ("WASM_ENABLE_MEMORY64", "0"),
        ("WASM_ENABLE_MULTI_MEMORY", "0"),
        ("WASM_ENABLE_EXTENDED_CONST_EXPR", "0"),
        ("WASM_ENABLE_SHARED_HEAP", "0"),
        // Smaller runtime: no name section, no call-stack dumps, no global
        // heap pool (the heap is the Rust global allocator).
        ("WASM_ENABLE_CUSTOM_NAME_SECTION", "0"),
        ("WASM_ENABLE_LOAD_CUSTOM_SECTION", "0"),
        ("WASM_ENABLE_DUMP_CALL_STACK", "0"),
        ("WASM_ENABLE_PERF_PROFILING", "0"),
        ("WASM_ENABLE_MEMORY_PROFILING", "0"),
        ("WASM_ENABLE_GLOBAL_HEAP_POOL", "0"),
        ("WASM_ENABLE_SPEC_TEST", "0"),
    ];
    for (k, v) in defines {
        b.define(k, Some(*v));
    }
    b
}

/// The C and assembly files of one interpreter build, as WAMR's CMake
/// `vmlib` target would list them for this configuration.
fn wamr_sources(root: &Path, target: &Target, fast: bool) -> Vec<PathBuf> {
    let core = root.join("core");
    let mut files = Vec::new();
    // mem-alloc (ems): WAMR's pool allocator, used for app heaps.
    files.extend(c_files(&core.join("shared/mem-alloc/ems")));
    files.push(core.join("shared/mem-alloc/mem_alloc.c"));
    // utils
    files.extend(c_files(&core.join("shared/utils")));
    // common runtime (wasm_c_api.c and wasm_application.c are only linked
    // when referenced; they are not)
    files.extend(c_files(&core.join("iwasm/common")));
    files.push(core.join("iwasm/common/arch").join(target.invoke_native()));
    // interpreter
    let interp = core.join("iwasm/interpreter");
    files.push(interp.join("wasm_loader.c"));
    files.push(interp.join("wasm_runtime.c"));
    files.push(interp.join(if fast {
        "wasm_interp_fast.c"
    } else {
        "wasm_interp_classic.c"
    }));
    for f in &files {
        assert!(
            f.exists(),
            "trevm-wamr-sys: WAMR source {} is missing",
            f.display()
        );
    }
    files
}

fn c_files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("trevm-wamr-sys: cannot read {}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "c"))
        .collect();
    v.sort();
    v
}

// ---------------------------------------------------------------------------
// Locating the sources

/// Finds the `wasm-micro-runtime` tree: `$WAMR_SRC`, else the `wamrx-sys`
/// package cargo resolved for this workspace (`cargo metadata`), else any
/// extracted copy in the cargo registry.
fn locate_wamr() -> PathBuf {
    let mut tried = Vec::new();
    if let Some(dir) = env::var_os("WAMR_SRC") {
        let dir = PathBuf::from(dir);
        if is_wamr_tree(&dir) {
            return dir;
        }
        panic!(
            "trevm-wamr-sys: WAMR_SRC={} is not a wasm-micro-runtime source tree \
             (no core/iwasm/include/wasm_export.h in it)",
            dir.display()
        );
    }

    match from_cargo_metadata() {
        Ok(dir) if is_wamr_tree(&dir) => return dir,
        Ok(dir) => tried.push(format!(
            "{} (from cargo metadata: no WAMR tree there)",
            dir.display()
        )),
        Err(e) => tried.push(format!("cargo metadata: {e}")),
    }

    let home = env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")));
    if let Some(home) = home {
        let src = home.join("registry/src");
        if let Ok(indexes) = fs::read_dir(&src) {
            for index in indexes.flatten() {
                let dir = index.path().join(format!(
                    "{SOURCE_CRATE}-{SOURCE_CRATE_VERSION}/wasm-micro-runtime"
                ));
                if is_wamr_tree(&dir) {
                    return dir;
                }
            }
        }
        tried.push(format!(
            "{}/*/{SOURCE_CRATE}-{SOURCE_CRATE_VERSION}/wasm-micro-runtime",
            src.display()
        ));
    }

    panic!(
        "\n\ntrevm-wamr-sys: cannot find the WAMR {}.{}.{} C sources.\n\
         They come from the crates.io crate `{SOURCE_CRATE} {SOURCE_CRATE_VERSION}` (its \
         `wasm-micro-runtime/` directory). Run `cargo fetch` in the workspace (with network \
         access to crates.io), or set WAMR_SRC=/path/to/wasm-micro-runtime.\nTried:\n  {}\n\n",
        WAMR_VERSION.0,
        WAMR_VERSION.1,
        WAMR_VERSION.2,
        tried.join("\n  ")
    );
}

fn is_wamr_tree(dir: &Path) -> bool {
    dir.join("core/iwasm/include/wasm_export.h").is_file() && dir.join("core/version.h").is_file()
}

/// Asks cargo where the `wamrx-sys` package of this workspace lives
/// (downloading it if needed).
fn from_cargo_metadata() -> Result<PathBuf, String> {
    let cargo = env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let manifest = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap()).join("Cargo.toml");
    let out = Command::new(&cargo)
        .args(["metadata", "--format-version", "1", "--manifest-path"])
        .arg(&manifest)
        .output()
        .map_err(|e| format!("cannot run {cargo}: {e}"))?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).trim().to_string());
    }
    let json = String::from_utf8_lossy(&out.stdout);
    // Find the package object with "name":"wamrx-sys","version":"0.3.0" and
    // take its "manifest_path". cargo prints each package as one object
    // whose keys are in a fixed order (name, version, id, ..., manifest_path).
    let needle = format!("\"name\":\"{SOURCE_CRATE}\",\"version\":\"{SOURCE_CRATE_VERSION}\"");
    let at = json.find(&needle).ok_or_else(|| {
        format!("{SOURCE_CRATE} {SOURCE_CRATE_VERSION} is not in the dependency graph")
    })?;
    let rest = &json[at..];
    let key = "\"manifest_path\":\"";
    let m = rest.find(key).ok_or("no manifest_path")? + key.len();
    let end = rest[m..].find('"').ok_or("bad manifest_path")?;
    let manifest_path = PathBuf::from(rest[m..m + end].replace("\\\\", "\\"));
    Ok(manifest_path
        .parent()
        .ok_or("bad manifest_path")?
        .join("wasm-micro-runtime"))
}

/// Reads `WAMR_VERSION_MAJOR/MINOR/PATCH` from `core/version.h`.
fn wamr_version(root: &Path) -> (u32, u32, u32) {
    let text = fs::read_to_string(root.join("core/version.h")).unwrap_or_default();
    let get = |name: &str| {
        text.lines()
            .filter_map(|l| l.trim().strip_prefix("#define "))
            .filter_map(|l| l.strip_prefix(name))
            .find_map(|v| v.trim().parse().ok())
            .unwrap_or(0)
    };
    (
        get("WAMR_VERSION_MAJOR"),
        get("WAMR_VERSION_MINOR"),
        get("WAMR_VERSION_PATCH"),
    )
}

// ---------------------------------------------------------------------------
// Renaming the symbols of one interpreter build

/// The binutils used to rename symbols.
struct Tools {
    nm: PathBuf,
    objcopy: PathBuf,
}

impl Tools {
    /// `$WAMR_NM`/`$WAMR_OBJCOPY`, else the binutils beside the C compiler
    /// (`arm-none-eabi-gcc` -> `arm-none-eabi-objcopy`, `gcc` -> `objcopy`),
    /// else `llvm-nm`/`llvm-objcopy` (any version; they handle every target).
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
        let mut llvm_versions = vec![String::new()];
        llvm_versions.extend((14..=22).rev().map(|v| format!("-{v}")));

        let pick = |var: &str, tool: &str| -> PathBuf {
            if let Some(p) = env::var_os(var) {
                return PathBuf::from(p);
            }
            let mut candidates = vec![format!("{prefix}{tool}")];
            candidates.extend(llvm_versions.iter().map(|v| format!("llvm-{tool}{v}")));
            candidates
                .iter()
                .find(|c| Command::new(c).arg("--version").output().is_ok_and(|o| o.status.success()))
                .map(PathBuf::from)
                .unwrap_or_else(|| {
                    panic!(
                        "trevm-wamr-sys: no `{tool}` found to rename the symbols of the two WAMR builds \
                         (tried {candidates:?}); install binutils for the target or LLVM, or set {var}"
                    )
                })
        };
        Tools {
            nm: pick("WAMR_NM", "nm"),
            objcopy: pick("WAMR_OBJCOPY", "objcopy"),
        }
    }
}

/// The global symbols an archive defines.
fn defined_symbols(nm: &Path, archive: &Path) -> BTreeSet<String> {
    let out = Command::new(nm)
        .args(["--defined-only", "--extern-only", "-P"])
        .arg(archive)
        .output()
        .unwrap_or_else(|e| panic!("trevm-wamr-sys: cannot run {}: {e}", nm.display()));
    assert!(
        out.status.success(),
        "trevm-wamr-sys: {} failed on {}: {}",
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

/// Renames every global symbol `archive` defines to `prefix` + name, in
/// definitions and references alike (the references to the platform layer
/// and libc are undefined and keep their names).
fn prefix_defined_symbols(tools: &Tools, archive: &Path, prefix: &str, out: &Path) {
    let symbols = defined_symbols(&tools.nm, archive);
    assert!(
        symbols.contains("wasm_runtime_full_init"),
        "trevm-wamr-sys: {} does not define wasm_runtime_full_init",
        archive.display()
    );
    let map: String = symbols
        .iter()
        .map(|s| format!("{s} {prefix}{s}\n"))
        .collect();
    let map_file = out.join(format!("{prefix}symbols.map"));
    fs::write(&map_file, map).unwrap();
    let status = Command::new(&tools.objcopy)
        .arg(format!("--redefine-syms={}", map_file.display()))
        .arg(archive)
        .status()
        .unwrap_or_else(|e| {
            panic!(
                "trevm-wamr-sys: cannot run {}: {e}",
                tools.objcopy.display()
            )
        });
    assert!(
        status.success(),
        "trevm-wamr-sys: {} failed on {}",
        tools.objcopy.display(),
        archive.display()
    );

    let renamed = defined_symbols(&tools.nm, archive);
    assert!(
        renamed.contains(&format!("{prefix}wasm_runtime_full_init"))
            && !renamed.contains("wasm_runtime_full_init"),
        "trevm-wamr-sys: renaming the symbols of {} with {} did not work",
        archive.display(),
        tools.objcopy.display()
    );
}
