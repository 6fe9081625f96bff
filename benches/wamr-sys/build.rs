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
//! - Targets, C compiler, C library and symbol renaming: the table and
//!   helpers of `trevm-build-support` (the x86_64 host, Cortex-M with
//!   newlib-nano headers, RV32 with picolibc headers); `CC_<target>` /
//!   `CFLAGS_<target>` override as usual. What is WAMR's own stays here: its
//!   `BUILD_TARGET_*` and assembly trampoline per architecture, its
//!   configuration defines, its source list.
//!
//! Features `classic` and `fast` (both on by default) select the builds.
//!
//! Environment: `WAMR_SRC` (sources), `WAMR_OBJCOPY` / `WAMR_NM` (tools used
//! for the renaming; by default the target toolchain's binutils, else
//! `llvm-objcopy`/`llvm-nm` in any version).

use std::env;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use trevm_build_support::{
    cargo_env, cc, env_var_os, toolchain, Binutils, OrFail, Target as CTarget,
};

const KRATE: &str = "trevm-wamr-sys";

/// The WAMR release the sources must be.
const WAMR_VERSION: (u32, u32, u32) = (2, 4, 3);
/// The crate that ships those sources, and its version.
const SOURCE_CRATE: &str = "wamrx-sys";
const SOURCE_CRATE_VERSION: &str = "0.3.0";

/// The two interpreters: (name, WASM_ENABLE_FAST_INTERP).
const VARIANTS: [(&str, u32); 2] = [("classic", 0), ("fast", 1)];

fn main() {
    for var in ["WAMR_OBJCOPY", "WAMR_NM"] {
        println!("cargo:rerun-if-env-changed={var}");
    }
    toolchain::rerun_if_cc_env_changed(&cargo_env("TARGET"));
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

    let out = PathBuf::from(cargo_env("OUT_DIR"));
    let target = Target::detect();
    let c_target = CTarget::cargo().or_fail(KRATE);

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
        let mut build = base_build(&root, &target, c_target);
        build.define("WASM_ENABLE_FAST_INTERP", Some(fast.to_string().as_str()));
        build.flag_if_supported("-w"); // third-party code: do not flood cargo with its warnings
        for file in wamr_sources(&root, &target, fast == 1) {
            build.file(file);
        }
        let archive = toolchain::compile(&build, &lib, &out).or_fail(KRATE);
        let tools = tools.get_or_insert_with(|| {
            Binutils::find(&build, c_target, "WAMR_NM", "WAMR_OBJCOPY").or_fail(KRATE)
        });
        prefix_defined_symbols(tools, &archive, &format!("wamr_{name}_"), &out);
    }

    // The platform layer: compiled once, shared by both interpreters.
    let mut build = base_build(&root, &target, c_target);
    build.warnings(true).extra_warnings(true);
    build.flag_if_supported("-Wno-unused-parameter");
    build.file("platform/trevm_platform.c");
    build.file("platform/trevm_layout.c");
    toolchain::compile(&build, "trevm_wamr_platform", &out).or_fail(KRATE);

    // Interpreters first: they reference the platform layer.
    let libs = variants
        .iter()
        .map(|(name, _)| format!("trevm_wamr_{name}"));
    toolchain::link_static(&out, libs.chain(["trevm_wamr_platform".to_string()]));
    // sqrt, floor, fmin... for the float opcodes, on the host. The boards
    // link newlib's libm or picolibc themselves, in the firmware crate.
    toolchain::link_host_libs(c_target);
}

/// What is being built for, in WAMR's terms.
struct Target {
    triple: String,
    arch: String,
}

impl Target {
    fn detect() -> Self {
        Target {
            triple: cargo_env("TARGET"),
            arch: cargo_env("CARGO_CFG_TARGET_ARCH"),
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
}

/// A `cc::Build` with the includes, defines and target flags that every
/// part (both interpreters and the platform layer) is compiled with: the
/// target's compiler, C library headers and flags from the table of
/// `trevm-build-support`, then WAMR's own.
fn base_build(root: &Path, target: &Target, c_target: &CTarget) -> cc::Build {
    let core = root.join("core");
    let mut b = toolchain::c_build(
        c_target,
        &["-std=gnu99", "-ffunction-sections", "-fdata-sections"],
    )
    .or_fail(KRATE);
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
    if target.is_arm() {
        // WAMR's trampoline is Thumb assembly.
        b.flag("-Wa,-mthumb");
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
    if let Some(dir) = env_var_os("WAMR_SRC") {
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

    let home = env_var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| env_var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")));
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

/// Renames every global symbol `archive` defines to `prefix` + name, in
/// definitions and references alike (the references to the platform layer
/// and libc are undefined and keep their names).
fn prefix_defined_symbols(tools: &Binutils, archive: &Path, prefix: &str, out: &Path) {
    let symbols = tools.defined_symbols(archive).or_fail(KRATE);
    assert!(
        symbols.contains("wasm_runtime_full_init"),
        "{KRATE}: {} does not define wasm_runtime_full_init",
        archive.display()
    );
    tools
        .prefix_symbols(archive, &symbols, prefix, &[], out)
        .or_fail(KRATE);
    let renamed = tools.defined_symbols(archive).or_fail(KRATE);
    assert!(
        renamed.contains(&format!("{prefix}wasm_runtime_full_init"))
            && !renamed.contains("wasm_runtime_full_init"),
        "{KRATE}: renaming the symbols of {} with {} did not work",
        archive.display(),
        tools.objcopy.display()
    );
}
