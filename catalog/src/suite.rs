//! Benchmark suites: their ABI and where their modules come from.

/// The benchmark ABI a suite's modules follow (`benches/src/abi.rs`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Abi {
    /// Imports `env.clock_ms`, exports `run() -> f32`.
    CoreMark,
    /// Imports the Embench triggers, exports `__original_main() -> i32`.
    Embench,
    /// A Wasm component (a treVM capsule) of one of the worlds of
    /// `capsules/wit/capsule.wit`: ephemeral (`run() -> s32`) or
    /// persistent (a CoAP `handler`). Only runtimes with the Component
    /// Model run it ([`crate::runtime::Capabilities::components`]).
    Capsule,
}

impl Abi {
    /// Every ABI, in table order.
    pub const ALL: [Abi; 3] = [Abi::CoreMark, Abi::Embench, Abi::Capsule];

    /// The ABI's name in results and on the command line.
    pub const fn as_str(self) -> &'static str {
        match self {
            Abi::CoreMark => "coremark",
            Abi::Embench => "embench",
            Abi::Capsule => "capsule",
        }
    }

    /// Parses [`Abi::as_str`].
    pub fn parse(s: &str) -> Option<Abi> {
        Self::ALL.into_iter().find(|a| a.as_str() == s)
    }
}

/// A pinned upstream revision a suite is built from (`scripts/suites.py`
/// has the same pins; a test checks they agree).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Upstream {
    /// GitHub `owner/name`.
    pub repo: &'static str,
    /// The pinned commit.
    pub commit: &'static str,
    /// What the commit is (tag, branch and date).
    pub describe: &'static str,
}

/// Where a suite's modules come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// This repository's Rust workloads (`own-wasm/`), built by cargo.
    Own,
    /// This repository's capsules (`capsules/`), built by cargo and made
    /// into components.
    Capsules,
    /// Third-party C sources built on the user's machine by `make suites`.
    Upstream(Upstream),
}

/// One suite.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Suite {
    /// Name in results and on the command line.
    pub name: &'static str,
    /// The ABI of its modules.
    pub abi: Abi,
    /// Where its modules come from.
    pub source: Source,
    /// What it is, one line.
    pub summary: &'static str,
}

/// Every suite, in table order.
pub const SUITES: &[Suite] = &[
    Suite {
        name: "own",
        abi: Abi::Embench,
        source: Source::Own,
        summary: "ten capsule-like Rust workloads of this repository",
    },
    Suite {
        name: "capsules",
        abi: Abi::Capsule,
        source: Source::Capsules,
        summary: "treVM's four capsule types as Wasm components: ephemeral and persistent, with and without OS bindings",
    },
    Suite {
        name: "coremark",
        abi: Abi::CoreMark,
        source: Source::Upstream(Upstream {
            repo: "eembc/coremark",
            commit: "d5fad6bd094899101a4e5fd53af7298160ced6ab",
            describe: "main (2023-01-24)",
        }),
        summary: "CoreMark with our core_portme",
    },
    Suite {
        name: "embench",
        abi: Abi::Embench,
        source: Source::Upstream(Upstream {
            repo: "embench/embench-iot",
            commit: "0466a18e4f6b47e19598d7c6ba72916d54b68f65",
            describe: "tag embench-1.0",
        }),
        summary: "Embench 1.0, the paper's set (19 programs)",
    },
    Suite {
        name: "embench-current",
        abi: Abi::Embench,
        source: Source::Upstream(Upstream {
            repo: "embench/embench-iot",
            commit: "09c2ed8c3b7008c95d08b038de4a3f6dc103ed70",
            describe: "master (2026-02-13)",
        }),
        summary: "Embench's development line, pinned",
    },
];

/// Suite name of footprint (section size) records.
pub const FOOTPRINT: &str = "footprint";

/// Workload name of footprint records.
pub const FOOTPRINT_WORKLOAD: &str = "firmware";

/// Suite name of the bad-input modules of the tests.
pub const TEST: &str = "test";

/// Suite name of the reliability campaign's modules (`trevm fuzz`):
/// generated, mutated, or replayed from its corpus.
pub const FUZZ: &str = "fuzz";

/// The suite called `name`.
pub fn find(name: &str) -> Option<&'static Suite> {
    SUITES.iter().find(|s| s.name == name)
}

impl Suite {
    /// Whether its modules are built from third-party C sources.
    pub const fn is_upstream(&self) -> bool {
        matches!(self.source, Source::Upstream(_))
    }
}
