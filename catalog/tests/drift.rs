//! The catalog against the files that must agree with it: generated files
//! (laze, make), the suites' pins in `scripts/suites.py`, the runtime
//! crates' versions in `Cargo.lock`, and the boards' linker scripts. Each
//! test fails, naming what drifted and how to fix it.

use std::path::PathBuf;

use trevm_catalog::board::{Linker, BOARDS};
use trevm_catalog::runtime::RUNTIMES;
use trevm_catalog::suite::{Source, SUITES};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn read(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn generated_files_match_the_catalog() {
    // `make catalog` (TREVM_BLESS=1) writes them instead of checking.
    let bless = std::env::var_os("TREVM_BLESS").is_some();
    for (path, want) in trevm_catalog::emit::files() {
        if bless {
            let p = root().join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(&p, &want).unwrap();
            continue;
        }
        let have = read(path);
        assert!(
            have == want,
            "{path} has drifted from the catalog: run `make catalog` and commit it\n--- generated ---\n{want}"
        );
    }
}

#[test]
fn suites_py_pins_the_catalogs_commits() {
    let py = read("scripts/suites.py");
    let pins = &py[py.find("PINS = {").expect("scripts/suites.py has PINS")..];
    let pins = &pins[..pins.find("\n}\n").expect("PINS ends")];
    let mut upstream = 0;
    for s in SUITES {
        let Source::Upstream(u) = s.source else {
            assert!(
                !pins.contains(&format!("\"{}\":", s.name)),
                "{} is not upstream",
                s.name
            );
            continue;
        };
        upstream += 1;
        let entry = pins
            .find(&format!("\"{}\": Pin(", s.name))
            .map(|at| &pins[at..])
            .unwrap_or_else(|| panic!("scripts/suites.py has no pin for `{}`", s.name));
        let entry = &entry[..entry.find("),").unwrap_or(entry.len())];
        assert!(
            entry.contains(&format!("\"{}\"", u.repo)),
            "{}: repo {}",
            s.name,
            u.repo
        );
        assert!(
            entry.contains(&format!("\"{}\"", u.commit)),
            "{}: commit {}",
            s.name,
            u.commit
        );
    }
    assert_eq!(
        pins.matches(": Pin(").count(),
        upstream,
        "scripts/suites.py pins a suite the catalog lacks"
    );
}

#[test]
fn runtime_versions_are_the_ones_cargo_resolved() {
    let lock = read("Cargo.lock");
    for r in RUNTIMES {
        let want = format!("name = \"{}\"\nversion = \"{}\"\n", r.krate, r.version);
        assert!(
            lock.contains(&want),
            "{}: Cargo.lock has no {} {} (the catalog's version and the dependency's `=` pin must agree)",
            r.label,
            r.krate,
            r.version
        );
    }
}

/// `520K - 64K` and friends, in bytes.
fn length(expr: &str) -> u64 {
    expr.split('-')
        .map(|t| {
            let t = t.trim();
            let (n, mul) = match t.as_bytes().last() {
                Some(b'K') => (&t[..t.len() - 1], 1024),
                Some(b'M') => (&t[..t.len() - 1], 1024 * 1024),
                _ => (t, 1),
            };
            n.parse::<u64>().unwrap_or_else(|_| panic!("length `{t}`")) * mul
        })
        .reduce(|a, b| a - b)
        .unwrap()
}

#[test]
fn linker_scripts_cap_memory_at_the_catalogs_budgets() {
    let mut checked = 0;
    for b in BOARDS
        .iter()
        .filter(|b| b.has_firmware() && b.rustup_target)
    {
        let path = format!("firmware/memory/{}.x", b.name);
        let script = read(&path);
        if b.linker == Linker::Hal {
            continue; // the HAL's memory map; ours only adds symbols
        }
        let field = |name: &str, field: &str| -> String {
            let line = script
                .lines()
                .find(|l| l.trim_start().starts_with(&format!("{name} ")))
                .unwrap_or_else(|| panic!("{path}: no {name} region"));
            let value = line
                .split(&format!("{field} ="))
                .nth(1)
                .unwrap_or_else(|| panic!("{path}: {line}"));
            value.split(',').next().unwrap().trim().to_string()
        };
        let region = |name: &str| length(&field(name, "LENGTH"));
        assert_eq!(
            region("FLASH") + region("SLOT"),
            b.budget.flash as u64,
            "{path}: flash"
        );
        assert_eq!(region("SLOT"), b.budget.slot as u64, "{path}: slot");
        // RAM: the stack region first, its size the memory profile's
        // (`trevm-profile.x`, written by firmware/build.rs), RAM the rest.
        const STACK: &str = "__trevm_stack_size";
        assert!(
            script.contains("INCLUDE trevm-profile.x"),
            "{path}: does not include trevm-profile.x"
        );
        assert_eq!(field("STACK", "LENGTH"), STACK, "{path}: STACK");
        assert_eq!(
            field("RAM", "ORIGIN"),
            format!("{} + {STACK}", field("STACK", "ORIGIN")),
            "{path}: RAM must start where the stack ends"
        );
        let ram = field("RAM", "LENGTH");
        let total = ram
            .strip_suffix(&format!(" - {STACK}"))
            .unwrap_or_else(|| panic!("{path}: RAM LENGTH `{ram}` is not `<budget> - {STACK}`"));
        assert_eq!(length(total), b.budget.ram as u64, "{path}: RAM");
        checked += 1;
    }
    assert_eq!(
        checked, 5,
        "the five boards linked by cortex-m-rt / riscv-rt"
    );
}

#[test]
fn every_board_and_adapter_has_its_feature_and_file() {
    let firmware = read("firmware/Cargo.toml");
    let benches = read("benches/Cargo.toml");
    for b in BOARDS
        .iter()
        .filter(|b| b.has_firmware() && b.rustup_target)
    {
        assert!(
            firmware.contains(&format!("\nboard-{} = ", b.name)),
            "firmware/Cargo.toml: no feature board-{}",
            b.name
        );
        let file = format!("firmware/src/board/{}.rs", b.name.replace('-', "_"));
        assert!(
            root().join(&file).is_file(),
            "{}: no board file {file}",
            b.name
        );
    }
    for r in RUNTIMES {
        assert!(
            firmware.contains(&format!(
                "\n{} = [\"trevm-bench/{}\"]",
                r.adapter, r.adapter
            )),
            "firmware/Cargo.toml: no feature {}",
            r.adapter
        );
        assert!(
            benches.contains(&format!("\n{} = [", r.adapter)),
            "benches/Cargo.toml: no feature {}",
            r.adapter
        );
        let file = format!("benches/src/runtimes/{}.rs", r.adapter.replace('-', "_"));
        assert!(
            root().join(&file).is_file(),
            "{}: no adapter file {file}",
            r.label
        );
    }
}
