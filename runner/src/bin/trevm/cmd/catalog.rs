//! `trevm catalog`: what the catalog knows, or a file generated from it
//! (`--emit laze|make`: `laze-project.yml`, `mk/catalog.mk`).

use std::process::ExitCode;

use trevm_catalog::board::{Access, Budget};
use trevm_catalog::profile::Heap;
use trevm_catalog::runtime::{Capabilities, Preparation};
use trevm_catalog::suite::Source;
use trevm_catalog::{emit, Kind, Stage, BOARDS, BUILDS, PROFILES, RUNTIMES, SUITES};
use trevm_runner::{build, Result};

/// Print the catalog, or a file generated from it.
#[derive(clap::Args)]
pub struct Cmd {
    /// Print a generated file instead: `laze` (laze-project.yml) or `make`
    /// (mk/catalog.mk).
    #[arg(long, value_enum)]
    emit: Option<Emit>,
}

/// A file generated from the catalog.
#[derive(Clone, Copy, clap::ValueEnum)]
enum Emit {
    /// `laze-project.yml`.
    Laze,
    /// `mk/catalog.mk`.
    Make,
}

impl Cmd {
    /// Runs the subcommand.
    pub fn run(self) -> Result<ExitCode> {
        match self.emit {
            Some(Emit::Laze) => print!("{}", emit::laze()),
            Some(Emit::Make) => print!("{}", emit::make()),
            None => print_catalog(),
        }
        Ok(ExitCode::SUCCESS)
    }
}

fn print_catalog() {
    println!("runtime variants (label, crate and version, firmware build, capabilities):");
    for r in RUNTIMES {
        println!(
            "  {:<17} {:<28} build {:<17} {}",
            r.label,
            format!("{} {}", r.krate, r.version),
            r.build,
            capabilities(&r.caps)
        );
        println!("  {:<17} {}", "", r.summary);
    }
    println!("firmware builds (name, adapter, build environment, variants served):");
    for b in BUILDS {
        let serves: Vec<&str> = b.serves().collect();
        println!(
            "  {:<17} {:<17} {:<8} {}",
            b.name,
            b.adapter.unwrap_or("(no runtime)"),
            b.env.name,
            serves.join(", ")
        );
    }
    println!("host programs (one per build environment, derived):");
    for p in build::host_programs() {
        println!(
            "  {:<8} features {}; runs {}",
            p.env.name,
            p.features(),
            p.serves.join(", ")
        );
    }
    println!("boards (name, access, target, RAM/flash/slot, clock):");
    for b in BOARDS {
        let access = match b.access {
            Access::Host => "host process".to_string(),
            Access::Qemu(q) => format!("QEMU {}", q.machine),
            Access::Probe(p) => format!("probe-rs {}", p.chip),
        };
        println!(
            "  {:<29} {:<22} {:<29} {:<26} {} ({} Hz)",
            b.name,
            access,
            b.target.unwrap_or("-"),
            budget(&b.budget),
            b.clock.unit,
            b.clock.hz
        );
        if let Some(real) = b.stands_for {
            println!("  {:<29} stands in for {real}", "");
        }
        let oses: Vec<&str> = b.oses.iter().map(|o| o.name).collect();
        println!(
            "  {:<29} OS: {} (default {})",
            "",
            oses.join(", "),
            b.default_os().name
        );
    }
    println!(
        "operating systems (Ariel OS {} = {}):",
        trevm_catalog::os::ARIEL_OS_SOURCE.describe,
        trevm_catalog::os::ARIEL_OS_SOURCE.commit
    );
    for o in trevm_catalog::OSES {
        println!("  {:<17} {}", o.name, o.description);
    }
    println!("memory profiles (name; stack / heap per board with firmware):");
    for p in PROFILES {
        println!("  {:<17} {}", p.name, p.description);
        for b in BOARDS {
            let Some(l) = p.layout(b) else { continue };
            let heap = match l.heap {
                Heap::Rest => "the rest of RAM".to_string(),
                Heap::Bytes(n) => format!("{n} B"),
            };
            println!(
                "  {:<17} {:<29} stack {} B, heap {heap}",
                "", b.name, l.stack
            );
        }
    }
    println!("suites (name, ABI, source):");
    for s in SUITES {
        let source = match s.source {
            Source::Own => "this repository (own-wasm/)".to_string(),
            Source::Capsules => "this repository (capsules/, components)".to_string(),
            Source::Upstream(u) => format!("{} {} ({})", u.repo, &u.commit[..12], u.describe),
        };
        println!("  {:<17} {:<9} {source}", s.name, s.abi.as_str());
    }
    println!("failure kinds (error.kind):");
    for k in Kind::ALL {
        println!("  {:<17} {}", k.as_str(), k.meaning());
    }
    println!("failure stages (error.stage):");
    for s in Stage::ALL {
        println!("  {:<17} {}", s.as_str(), s.meaning());
    }
}

fn capabilities(c: &Capabilities) -> String {
    let mut v = vec![match c.preparation {
        Preparation::None => "module as is",
        Preparation::Precompiled => "precompiled",
        Preparation::SideTable => "side table",
        Preparation::Native => "compiled in",
    }];
    for (has, name) in [
        (c.fuel, "fuel"),
        (c.memory_limiter, "memory limiter"),
        (c.custom_page_sizes, "custom page sizes"),
        (c.components, "components (capsules)"),
        (!c.heap_counted_on_host, "heap not counted on the host"),
    ] {
        if has {
            v.push(name);
        }
    }
    v.join(", ")
}

fn budget(b: &Budget) -> String {
    let kib = |n: u32| {
        if n >= 1024 * 1024 && n.is_multiple_of(1024 * 1024) {
            format!("{} MiB", n / (1024 * 1024))
        } else {
            format!("{} KiB", n / 1024)
        }
    };
    if b.flash == 0 {
        format!("{} heap", kib(b.ram))
    } else {
        format!("{}/{}/{}", kib(b.ram), kib(b.flash), kib(b.slot))
    }
}
