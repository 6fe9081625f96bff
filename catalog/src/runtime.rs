//! Runtime variants, in table order, and the firmware builds that serve
//! them.
//!
//! A *runtime variant* is what a results record names in `runtime`: one
//! runtime crate in one configuration. Several variants may share one
//! adapter (`benches/src/runtimes/<adapter>.rs`, behind the cargo feature
//! of the same name) and one *firmware build*: `wamr` and `wamr-fast` are
//! one WAMR build. `trevm` has a build of its own (wasmtime with the
//! Component Model, adapter `trevm`), so that its footprint is treVM's and
//! the paper's `wasmtime-no-simd` stays without it. Builds differ where cargo cannot mix them in one
//! binary: the toolchain (wasefire needs nightly) or `RUSTFLAGS` (Pulley's
//! SIMD switch), each with its own target directory ([`BuildEnv`]).

/// Toolchain, `RUSTFLAGS` and cargo target directory of a build: what
/// cannot be mixed into one cargo build.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BuildEnv {
    /// Name, also the host program's folder under `build/host/`.
    pub name: &'static str,
    /// Rust toolchain (`None`: the default, stable).
    pub toolchain: Option<&'static str>,
    /// Extra `RUSTFLAGS`.
    pub rustflags: Option<&'static str>,
    /// Cargo target directory below `target/` (`None`: `target/` itself).
    pub target_dir: Option<&'static str>,
}

impl BuildEnv {
    /// Stable, no extra flags.
    pub const STABLE: BuildEnv = BuildEnv {
        name: "stable",
        toolchain: None,
        rustflags: None,
        target_dir: None,
    };
    /// Pulley built without its SIMD interpreter (the paper's "no SIMD").
    pub const NO_SIMD: BuildEnv = BuildEnv {
        name: "no-simd",
        toolchain: None,
        rustflags: Some("--cfg pulley_disable_interp_simd"),
        target_dir: Some("no-simd"),
    };
    /// Nightly (wasefire needs it).
    pub const NIGHTLY: BuildEnv = BuildEnv {
        name: "nightly",
        toolchain: Some("nightly"),
        rustflags: None,
        target_dir: Some("nightly"),
    };
    /// Every build environment, in table order.
    pub const ALL: &'static [BuildEnv] = &[Self::STABLE, Self::NO_SIMD, Self::NIGHTLY];
}

/// How a module is turned into what the device loads, on the host.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Preparation {
    /// Loaded as it is.
    None,
    /// Precompiled with Cranelift for Pulley (`pulley32`/`pulley64`).
    Precompiled,
    /// wasefire's side table added.
    SideTable,
    /// No module: the workload is compiled into the program (`native`).
    Native,
}

/// What a runtime variant can do; the harness and its tests take these
/// into account instead of special-casing labels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Capabilities {
    /// Meters fuel, so an endless loop ends as `out-of-fuel`.
    pub fuel: bool,
    /// Enforces the linear-memory budget itself (a memory limiter); without
    /// one, growth past the budget is caught by the heap budget.
    pub memory_limiter: bool,
    /// Its heap goes through the tracking allocator on the host (wasm3
    /// allocates with the libc's `malloc` there).
    pub heap_counted_on_host: bool,
    /// Accepts the custom-page-sizes proposal.
    pub custom_page_sizes: bool,
    /// Host-side preparation of modules.
    pub preparation: Preparation,
    /// Hosts Wasm components (the Component Model): runs the capsule ABI.
    pub components: bool,
}

const fn caps(
    fuel: bool,
    memory_limiter: bool,
    heap_counted_on_host: bool,
    custom_page_sizes: bool,
    preparation: Preparation,
) -> Capabilities {
    Capabilities {
        fuel,
        memory_limiter,
        heap_counted_on_host,
        custom_page_sizes,
        preparation,
        components: false,
    }
}

impl Capabilities {
    /// The same, hosting Wasm components too.
    const fn with_components(self) -> Capabilities {
        Capabilities {
            components: true,
            ..self
        }
    }
}

/// How the paper measured a runtime variant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PaperRef {
    /// The label the paper's raw data uses for it.
    pub label: &'static str,
    /// This variant is the paper's own crate version and configuration
    /// (`false`: this project's current version of a runtime the paper
    /// measured, possibly configured otherwise).
    pub pinned: bool,
    /// The paper's figures plot it on every board (`false`: the paper
    /// measured it on one board or without Embench times): what `make
    /// reproduce` runs and compares.
    pub plotted: bool,
}

impl PaperRef {
    /// This project's version of the paper's runtime `label`.
    pub const fn current(label: &'static str) -> Self {
        PaperRef {
            label,
            pinned: false,
            plotted: true,
        }
    }

    /// The paper's own version and configuration of its runtime `label`.
    pub const fn pinned(label: &'static str) -> Self {
        PaperRef {
            label,
            pinned: true,
            plotted: true,
        }
    }

    /// The same, for a runtime the paper's figures do not plot.
    pub const fn unplotted(self) -> Self {
        PaperRef {
            plotted: false,
            ..self
        }
    }
}

/// One runtime variant: a row of the tables.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RuntimeVariant {
    /// Label in results, on the command line and in tables.
    pub label: &'static str,
    /// The adapter (`benches/src/runtimes/<adapter>.rs`), also the cargo
    /// feature of `trevm-bench` and `trevm-firmware` that compiles it in.
    pub adapter: &'static str,
    /// The runtime crate, as `Cargo.lock` names it.
    pub krate: &'static str,
    /// Its version, pinned (`=`) in `benches/Cargo.toml` (a test checks).
    pub version: &'static str,
    /// Its cargo features and build switches, as results record them.
    pub features: &'static [&'static str],
    /// The firmware build that serves it ([`BUILDS`]).
    pub build: &'static str,
    /// What it can do.
    pub caps: Capabilities,
    /// How the paper measured this runtime, if it did.
    pub paper: Option<PaperRef>,
    /// Colour in every figure (RGB), so figures agree.
    pub colour: [u8; 3],
    /// Configuration, one line (the README's table).
    pub summary: &'static str,
}

/// Label of the no-runtime firmware, the footprint baseline.
pub const NO_RUNTIME: &str = "none";

const PULLEY: Capabilities = caps(false, true, true, true, Preparation::Precompiled);

/// Every runtime variant, in table order: `native` (the physical limit)
/// first, then `trevm` (the reference runtime), then the others.
pub const RUNTIMES: &[RuntimeVariant] = &[
    RuntimeVariant {
        label: "native",
        adapter: "native",
        krate: "own-workloads",
        version: "0.1.0",
        features: &[],
        build: "native",
        caps: caps(false, false, true, false, Preparation::Native),
        paper: None,
        colour: [110, 110, 110],
        summary: "no runtime: the workload compiled natively, the physical limit",
    },
    RuntimeVariant {
        label: "trevm",
        adapter: "trevm",
        krate: "wasmtime",
        version: "48.0.8",
        features: &[
            "runtime",
            "pulley",
            "component-model",
            "cfg(pulley_disable_interp_simd)",
            "fuel",
            "custom-page-sizes",
        ],
        build: "trevm",
        caps: caps(true, true, true, true, Preparation::Precompiled).with_components(),
        paper: None,
        colour: [0, 128, 128],
        summary: "treVM's host, the reference runtime: wasmtime with the Component Model (capsules with log, rng, timer and sensor bindings), Pulley without SIMD, fuel metering, custom page sizes, 16 KiB Wasm stack",
    },
    RuntimeVariant {
        label: "wasmtime",
        adapter: "wasmtime",
        krate: "wasmtime",
        version: "48.0.8",
        features: &["runtime", "pulley", "interp-simd"],
        build: "wasmtime",
        caps: PULLEY,
        paper: Some(PaperRef::current("wasmtime")),
        colour: [31, 119, 180],
        summary: "wasmtime + Pulley interpreter with SIMD; modules precompiled on the host with Cranelift (pulley32 on boards, pulley64 on the host) and loaded in place",
    },
    RuntimeVariant {
        label: "wasmtime@42.0.1",
        adapter: "wasmtime-42",
        krate: "wasmtime",
        version: "42.0.1",
        features: &[
            "runtime",
            "pulley",
            "interp-simd",
            "max_wasm_stack=2048(coremark)/4096(embench)",
            "memory_reservation=0",
            "memory_init_cow=false",
            "memory_may_move=false",
            "table_lazy_init=false",
            "custom-page-sizes",
        ],
        build: "wasmtime-42",
        caps: PULLEY,
        paper: Some(PaperRef::pinned("wasmtime")),
        colour: [23, 75, 125],
        summary: "the paper's wasmtime 42.0.1 in the paper's configuration: Pulley with SIMD, 2 KiB (CoreMark) / 4 KiB (Embench) Wasm stack, memory that never moves, eager tables, custom page sizes, Cranelift for speed",
    },
    RuntimeVariant {
        label: "wasmtime-no-simd",
        adapter: "wasmtime",
        krate: "wasmtime",
        version: "48.0.8",
        features: &["runtime", "pulley", "cfg(pulley_disable_interp_simd)"],
        build: "wasmtime-no-simd",
        caps: PULLEY,
        paper: Some(PaperRef::current("wasmtime-no-simd")),
        colour: [120, 175, 225],
        summary: "the same, Pulley built with --cfg pulley_disable_interp_simd (and the SIMD proposal off), as in the paper",
    },
    RuntimeVariant {
        label: "wasmtime-no-simd@42.0.1",
        adapter: "wasmtime-42",
        krate: "wasmtime",
        version: "42.0.1",
        features: &[
            "runtime",
            "pulley",
            "cfg(pulley_disable_interp_simd)",
            "max_wasm_stack=2048(coremark)/4096(embench)",
            "memory_reservation=0",
            "memory_init_cow=false",
            "memory_may_move=false",
            "table_lazy_init=false",
            "custom-page-sizes",
        ],
        build: "wasmtime-no-simd-42",
        caps: PULLEY,
        paper: Some(PaperRef::pinned("wasmtime-no-simd")),
        colour: [70, 130, 190],
        summary: "the same without Pulley's SIMD, as the paper's no-SIMD variant",
    },
    RuntimeVariant {
        label: "wasmi",
        adapter: "wasmi",
        krate: "wasmi",
        version: "2.0.0",
        features: &["validate"],
        build: "wasmi",
        caps: caps(false, true, true, false, Preparation::None),
        paper: Some(PaperRef::current("wasmi")),
        colour: [255, 127, 14],
        summary: "defaults (lazy translation), validation; portable-dispatch on RISC-V",
    },
    RuntimeVariant {
        label: "wasmi@1.0.9",
        adapter: "wasmi-1",
        krate: "wasmi",
        version: "1.0.9",
        features: &["new_unchecked"],
        build: "wasmi-1",
        caps: caps(false, true, true, false, Preparation::None),
        paper: Some(PaperRef::pinned("wasmi")),
        colour: [190, 85, 0],
        summary: "the paper's wasmi 1.0.9 in the paper's configuration: default features off, modules loaded unchecked (Module::new_unchecked), one (loop) dispatch on every target",
    },
    RuntimeVariant {
        label: "wamr",
        adapter: "wamr",
        krate: "wamrx-sys",
        version: "0.3.0",
        features: &["classic-interp"],
        build: "wamr",
        caps: caps(false, true, true, false, Preparation::None),
        paper: Some(PaperRef::current("wamr")),
        colour: [44, 160, 44],
        summary: "WAMR 2.4.3 classic interpreter: C sources of the wamrx-sys crate compiled here with our bare-metal platform layer; heap through the Rust allocator",
    },
    RuntimeVariant {
        label: "wamr-fast",
        adapter: "wamr",
        krate: "wamrx-sys",
        version: "0.3.0",
        features: &["fast-interp"],
        build: "wamr",
        caps: caps(false, true, true, false, Preparation::None),
        paper: Some(PaperRef::current("wamr-fast")),
        colour: [150, 215, 120],
        summary: "WAMR 2.4.3 fast interpreter, same build",
    },
    RuntimeVariant {
        label: "wasm-interpreter",
        adapter: "wasm-interpreter",
        krate: "dlr-wasm-interpreter",
        version: "0.2.0",
        features: &[],
        build: "wasm-interpreter",
        caps: caps(false, false, true, false, Preparation::None),
        paper: Some(PaperRef::current("wasm-interpreter").unplotted()),
        colour: [148, 103, 189],
        summary: "DLR wasm-interpreter, small stacks",
    },
    RuntimeVariant {
        label: "wasefire",
        adapter: "wasefire",
        krate: "wasefire-interpreter",
        version: "0.5.0",
        features: &["float-types"],
        build: "wasefire",
        caps: caps(false, false, true, false, Preparation::SideTable),
        paper: Some(PaperRef::current("wasefire").unplotted()),
        colour: [140, 86, 75],
        summary: "wasefire in-place interpreter (nightly); modules prepared on the host (side table)",
    },
    RuntimeVariant {
        label: "tinywasm",
        adapter: "tinywasm",
        krate: "tinywasm",
        version: "0.10.0",
        features: &["parser"],
        build: "tinywasm",
        caps: caps(false, true, true, false, Preparation::None),
        paper: None,
        colour: [227, 119, 194],
        summary: "tinywasm, small fixed stacks",
    },
    RuntimeVariant {
        label: "wasm3",
        adapter: "wasm3",
        krate: "wasm3",
        version: "0.3.1",
        features: &["use-32bit-slots", "build-bindgen"],
        build: "wasm3",
        caps: caps(false, true, false, false, Preparation::None),
        paper: None,
        colour: [188, 189, 34],
        summary: "wasm3 (C), 32-bit slots; unmaintained since 2022, a reference point",
    },
];

/// One firmware build of a board (and one host program's share): a single
/// runtime adapter, or none for the footprint baseline.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FirmwareBuild {
    /// Name, also the ELF's name under `build/firmware/<board>/`.
    pub name: &'static str,
    /// The adapter it compiles in (a cargo feature of `trevm-firmware`);
    /// `None`: no runtime.
    pub adapter: Option<&'static str>,
    /// Toolchain and flags.
    pub env: BuildEnv,
}

/// Every firmware build, in table order; `none` is the runtime-free
/// baseline of the footprint figures.
pub const BUILDS: &[FirmwareBuild] = &[
    build("none", None, BuildEnv::STABLE),
    build("wasmtime", Some("wasmtime"), BuildEnv::STABLE),
    build("wasmtime-no-simd", Some("wasmtime"), BuildEnv::NO_SIMD),
    build("trevm", Some("trevm"), BuildEnv::NO_SIMD),
    build("wasmtime-42", Some("wasmtime-42"), BuildEnv::STABLE),
    build(
        "wasmtime-no-simd-42",
        Some("wasmtime-42"),
        BuildEnv::NO_SIMD,
    ),
    build("wasmi", Some("wasmi"), BuildEnv::STABLE),
    build("wasmi-1", Some("wasmi-1"), BuildEnv::STABLE),
    build("wamr", Some("wamr"), BuildEnv::STABLE),
    build(
        "wasm-interpreter",
        Some("wasm-interpreter"),
        BuildEnv::STABLE,
    ),
    build("wasefire", Some("wasefire"), BuildEnv::NIGHTLY),
    build("tinywasm", Some("tinywasm"), BuildEnv::STABLE),
    build("wasm3", Some("wasm3"), BuildEnv::STABLE),
    build("native", Some("native"), BuildEnv::STABLE),
];

const fn build(name: &'static str, adapter: Option<&'static str>, env: BuildEnv) -> FirmwareBuild {
    FirmwareBuild { name, adapter, env }
}

impl FirmwareBuild {
    /// The labels this build serves, in table order (`none` for the
    /// baseline).
    pub fn serves(&self) -> impl Iterator<Item = &'static str> + '_ {
        let none = (self.adapter.is_none()).then_some(NO_RUNTIME);
        none.into_iter().chain(
            RUNTIMES
                .iter()
                .filter(move |r| crate::str_eq(r.build, self.name))
                .map(|r| r.label),
        )
    }

    /// Whether this build serves `label`.
    pub fn serves_label(&self, label: &str) -> bool {
        self.serves().any(|l| l == label)
    }
}

impl RuntimeVariant {
    /// Whether it runs modules of `abi`: every variant runs core modules
    /// (the CoreMark and Embench ABIs); capsules need the Component Model.
    pub const fn runs(&self, abi: crate::suite::Abi) -> bool {
        match abi {
            crate::suite::Abi::Capsule => self.caps.components,
            crate::suite::Abi::CoreMark | crate::suite::Abi::Embench => true,
        }
    }
}

/// The runtime variant called `label`.
pub fn find(label: &str) -> Option<&'static RuntimeVariant> {
    RUNTIMES.iter().find(|r| r.label == label)
}

/// The runtime variant called `label`, evaluated at compile time: an
/// adapter takes its variant's features from here (`const`), so only those
/// strings reach the firmware, not the table. An unknown label fails the
/// build.
pub const fn variant(label: &str) -> &'static RuntimeVariant {
    let mut i = 0;
    while i < RUNTIMES.len() {
        if crate::str_eq(RUNTIMES[i].label, label) {
            return &RUNTIMES[i];
        }
        i += 1;
    }
    panic!("not a runtime variant of the catalog")
}

/// The firmware build that serves `label` (a variant label or `none`).
pub fn build_for(label: &str) -> Option<&'static FirmwareBuild> {
    BUILDS.iter().find(|b| b.serves_label(label))
}

/// The firmware build called `name`.
pub fn find_build(name: &str) -> Option<&'static FirmwareBuild> {
    BUILDS.iter().find(|b| b.name == name)
}

/// Position of `label` in table order (`none` and unknown labels last).
pub fn order(label: &str) -> usize {
    RUNTIMES
        .iter()
        .position(|r| r.label == label)
        .unwrap_or(RUNTIMES.len())
}

/// The variants standing for the paper's runtimes, one per paper label in
/// table order: this project's current versions (`pinned == false`), or
/// the paper's pinned versions (`pinned == true`), falling back to the
/// current version where no pinned variant exists.
pub fn paper_set(pinned: bool) -> impl Iterator<Item = &'static RuntimeVariant> {
    RUNTIMES.iter().filter(move |r| match r.paper {
        None => false,
        Some(p) if p.pinned => pinned,
        Some(p) => {
            !pinned
                || !RUNTIMES
                    .iter()
                    .any(|o| o.paper.is_some_and(|q| q.pinned && q.label == p.label))
        }
    })
}

/// The variants `make reproduce` runs: those of both [`paper_set`]s that
/// the paper's figures plot, current and pinned, in table order.
pub fn reproduced() -> impl Iterator<Item = &'static RuntimeVariant> {
    RUNTIMES
        .iter()
        .filter(|r| r.paper.is_some_and(|p| p.plotted))
}

/// Whether `label` names a runtime variant (`none` does not).
pub fn is_label(label: &str) -> bool {
    find(label).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_label_is_served_by_exactly_one_build() {
        for r in RUNTIMES {
            let n = BUILDS.iter().filter(|b| b.serves_label(r.label)).count();
            assert_eq!(n, 1, "{}", r.label);
            let b = build_for(r.label).unwrap();
            assert_eq!(b.adapter, Some(r.adapter), "{}", r.label);
        }
        assert_eq!(build_for(NO_RUNTIME).unwrap().name, "none");
        for b in BUILDS {
            assert!(
                b.serves().next().is_some(),
                "build {} serves nothing",
                b.name
            );
        }
    }

    #[test]
    fn paper_sets_name_each_paper_runtime_once() {
        for pinned in [false, true] {
            let labels: std::vec::Vec<_> =
                paper_set(pinned).map(|r| r.paper.unwrap().label).collect();
            let mut dedup = labels.clone();
            dedup.sort_unstable();
            dedup.dedup();
            assert_eq!(labels.len(), dedup.len(), "{labels:?}");
            assert!(labels.contains(&"wasmi"), "{labels:?}");
        }
    }

    #[test]
    fn variant_finds_the_row_at_compile_time() {
        const W: &RuntimeVariant = variant("wasmi@1.0.9");
        assert_eq!(W.version, "1.0.9");
        assert_eq!(find("wasmi@1.0.9"), Some(W));
    }

    #[test]
    fn labels_are_unique() {
        for r in RUNTIMES {
            assert_eq!(RUNTIMES.iter().filter(|o| o.label == r.label).count(), 1);
            assert_ne!(r.label, NO_RUNTIME);
        }
        for b in BUILDS {
            assert_eq!(BUILDS.iter().filter(|o| o.name == b.name).count(), 1);
        }
    }
}
