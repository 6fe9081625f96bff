//! The target table against the toolchains it names (installed by `make
//! setup`) and against `scripts/setup.sh`, and symbol renaming on a real
//! archive.

use std::path::{Path, PathBuf};
use std::process::Command;

use trevm_build_support::targets::NEWLIB_NANO;
use trevm_build_support::{libc, toolchain, Binutils, Libc, Target, TARGETS};

/// The host these tests run on, as a Rust triple (the table's host rows).
fn host_triple() -> &'static str {
    if cfg!(target_arch = "aarch64") {
        "aarch64-unknown-linux-gnu"
    } else {
        "x86_64-unknown-linux-gnu"
    }
}

fn bare_metal() -> impl Iterator<Item = &'static Target> {
    TARGETS.iter().filter(|t| t.bare_libc().is_some())
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[test]
fn rows_are_unique_and_complete() {
    let mut triples: Vec<&str> = TARGETS.iter().map(|t| t.triple).collect();
    triples.sort();
    triples.dedup();
    assert_eq!(triples.len(), TARGETS.len(), "a triple is listed twice");
    for t in TARGETS {
        assert!(!t.cc.is_empty() && !t.packages.is_empty(), "{t:?}");
        if t.bare_libc().is_some() {
            assert!(
                t.cc.starts_with(t.binutils) && !t.binutils.is_empty(),
                "{}: the binutils prefix must be the compiler's",
                t.triple
            );
            assert!(!t.cpu_flags.is_empty(), "{}: no CPU flags", t.triple);
        }
    }
}

/// Every package a bare-metal row names is one `make setup` installs, so
/// that the errors saying "run `make setup`" are right.
#[test]
fn make_setup_installs_the_bare_metal_toolchains() {
    let setup = std::fs::read_to_string(repo().join("scripts/setup.sh")).unwrap();
    let pkgs = setup
        .split_once("PKGS=(")
        .and_then(|(_, rest)| rest.split_once(')'))
        .map(|(list, _)| list.split_whitespace().collect::<Vec<_>>())
        .expect("scripts/setup.sh has no PKGS=(...) list");
    for t in bare_metal() {
        for p in t.packages {
            assert!(
                pkgs.contains(p),
                "{}: {p} is not in setup.sh's PKGS",
                t.triple
            );
        }
    }
}

fn multilib(gcc: &str, args: &[String]) -> String {
    let out = Command::new(gcc)
        .args(args)
        .arg("-print-multi-directory")
        .output()
        .unwrap_or_else(|e| panic!("cannot run {gcc} ({e}): run `make setup`"));
    assert!(out.status.success(), "{gcc} {args:?}: {out:?}");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// The C code is compiled with the `cc` crate's architecture flags, the
/// firmware links the C library found with the table's CPU flags: both must
/// pick the same multilib, or the firmware links code for another FPU/ABI.
#[test]
fn compile_flags_and_cpu_flags_pick_the_same_multilib() {
    for t in bare_metal() {
        let mut b = trevm_build_support::cc::Build::new();
        b.cargo_metadata(false)
            .target(t.triple)
            .host(host_triple())
            .opt_level(2)
            .debug(false)
            .compiler(t.cc);
        for f in t.cflags {
            b.flag(f);
        }
        let compile: Vec<String> = b
            .get_compiler()
            .args()
            .iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        let cpu: Vec<String> = t.cpu_flags.iter().map(|f| f.to_string()).collect();
        let (a, c) = (multilib(t.cc, &compile), multilib(t.cc, &cpu));
        assert_eq!(
            a, c,
            "{}: compiled with {compile:?} (multilib {a}), linked with {cpu:?} (multilib {c})",
            t.triple
        );
        assert_ne!(
            a, ".",
            "{}: the default multilib is not for this core",
            t.triple
        );
    }
}

#[test]
fn every_bare_metal_toolchain_is_installed_and_finds_its_c_library() {
    for t in bare_metal() {
        toolchain::check_installed(t).unwrap();
        let found = libc::find(t).unwrap();
        let lib = t.bare_libc().unwrap();
        assert!(
            found.search[0].join(lib.archive).is_file(),
            "{}: {found:?}",
            t.triple
        );
        assert!(
            found.search[1].join("libgcc.a").is_file(),
            "{}: {found:?}",
            t.triple
        );
        assert_eq!(found.libs, lib.libs);
    }
    let host = Target::find(host_triple()).unwrap();
    assert!(libc::find(host).unwrap_err().contains("host"));
}

/// A library with a function, a variable and a call to the C library:
/// after renaming, it defines only prefixed symbols, its own call follows
/// the rename, the C library call and an explicit extra rename too.
#[test]
fn prefixing_renames_definitions_and_references() {
    let dir = std::env::temp_dir().join(format!("trevm-build-support-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let src = dir.join("unit.c");
    std::fs::write(
        &src,
        "#include <string.h>\n\
         int counter;\n\
         int helper(int x) { return x + counter; }\n\
         int hook(void);\n\
         int entry(const char *s) { return helper((int)strlen(s)) + hook(); }\n",
    )
    .unwrap();
    let target = Target::find(host_triple()).unwrap();
    let mut b = toolchain::c_build(target, &["-std=gnu99"]).unwrap();
    b.target(target.triple)
        .host(target.triple)
        .opt_level(0)
        .debug(false)
        .file(&src);
    let archive = toolchain::compile(&b, "unit", &dir).unwrap();
    let tools = Binutils::find(&b, target, "TREVM_TEST_NM", "TREVM_TEST_OBJCOPY").unwrap();
    let defined = tools.defined_symbols(&archive).unwrap();
    assert_eq!(
        defined.iter().map(String::as_str).collect::<Vec<_>>(),
        ["counter", "entry", "helper"]
    );
    tools
        .prefix_symbols(
            &archive,
            &defined,
            "p_",
            &[("hook", "p_the_hook".to_string())],
            &dir,
        )
        .unwrap();
    let after = tools.defined_symbols(&archive).unwrap();
    assert_eq!(
        after.iter().map(String::as_str).collect::<Vec<_>>(),
        ["p_counter", "p_entry", "p_helper"]
    );
    let undefined = Command::new(&tools.nm)
        .args(["--undefined-only", "-P"])
        .arg(&archive)
        .output()
        .unwrap();
    let undefined = String::from_utf8_lossy(&undefined.stdout);
    assert!(undefined.contains("strlen"), "{undefined}");
    assert!(undefined.contains("p_the_hook"), "{undefined}");
    assert!(dir.join("p_symbols.map").is_file());
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A toolchain that is not installed: the errors name the packages and
/// `make setup`.
#[test]
fn a_missing_toolchain_says_what_to_install() {
    let absent = Target {
        triple: "thumbv7em-none-eabihf",
        cc: "trevm-absent-gcc",
        binutils: "trevm-absent-",
        cpu_flags: &["-mthumb"],
        cflags: &[],
        libc: Libc::Bare(NEWLIB_NANO),
        packages: &["gcc-arm-none-eabi", "libnewlib-arm-none-eabi"],
    };
    let e = toolchain::check_installed(&absent).unwrap_err();
    assert!(
        e.contains("trevm-absent-gcc")
            && e.contains("make setup")
            && e.contains("gcc-arm-none-eabi"),
        "{e}"
    );
    let e = libc::find(&absent).unwrap_err();
    assert!(e.contains("make setup"), "{e}");
}
