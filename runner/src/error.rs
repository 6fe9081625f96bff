//! What can go wrong outside a cell. A cell's own failure (a bad module, a
//! trap, a crash) is never an [`Error`]: it is a failed record
//! ("failures are results"). Each message says what to do next.

use std::path::PathBuf;

use crate::target::elf::ElfError;

/// An error of the runner library.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A board name the catalog does not have.
    #[error("unknown board `{name}` (known: {known}; `trevm catalog` describes them)")]
    UnknownBoard {
        /// The name given.
        name: String,
        /// The catalog's boards, comma-separated.
        known: String,
    },
    /// A runtime variant label the catalog does not have.
    #[error("unknown runtime `{name}` (known: {known}; `trevm catalog` describes them)")]
    UnknownRuntime {
        /// The label given.
        name: String,
        /// The labels allowed here, comma-separated.
        known: String,
    },
    /// A suite the catalog does not have.
    #[error("unknown suite `{name}` (known: {known}, or `all`)")]
    UnknownSuite {
        /// The name given.
        name: String,
        /// The catalog's suites, comma-separated.
        known: String,
    },
    /// A benchmark ABI the catalog does not have.
    #[error("unknown ABI `{name}` (known: {known})")]
    UnknownAbi {
        /// The name given.
        name: String,
        /// The catalog's ABIs, comma-separated.
        known: String,
    },
    /// A memory profile the catalog does not have.
    #[error("unknown memory profile `{name}` (known: {known})")]
    UnknownProfile {
        /// The name given.
        name: String,
        /// The catalog's profiles, comma-separated.
        known: String,
    },
    /// The board cannot do what the command asks.
    #[error("`{board}` {why}: choose one of {choose}")]
    WrongBoard {
        /// The board given.
        board: String,
        /// What it lacks.
        why: &'static str,
        /// The boards that would do, comma-separated.
        choose: String,
    },
    /// A suite's modules are not built.
    #[error("suite `{suite}` is not built ({} has no module): {hint}", dir.display())]
    SuiteNotBuilt {
        /// The suite.
        suite: &'static str,
        /// Where its modules would be.
        dir: PathBuf,
        /// How to build them.
        hint: &'static str,
    },
    /// A module of the user's (`--module`, `--suite-dir`) that cannot be
    /// run: refused before any cell runs.
    #[error("{}: {why}", path.display())]
    UserModule {
        /// The module or folder.
        path: PathBuf,
        /// What is wrong and, where it helps, what to do.
        why: String,
    },
    /// A workload name (`--workload`) that no selected suite has.
    #[error("no workload `{name}` in the selected suites (they have: {known})")]
    UnknownWorkload {
        /// The name given.
        name: String,
        /// The workloads of the selected suites, comma-separated.
        known: String,
    },
    /// A shard that is not `i/n` with 1 <= i <= n.
    #[error("the reliability campaign runs modules, and {0} load none (the workloads are compiled in): choose other variants")]
    NoModules(String),
    #[error("bad shard `{0}`: write i/n with 1 <= i <= n (e.g. 1/4)")]
    Shard(String),
    /// A results file that cannot be read, with every bad line.
    #[error("{0}")]
    Results(String),
    /// Results files that disagree on a cell (`trevm merge`).
    #[error("{first} and {second} both hold cell {cell} with different results: merge shards of one run, or pick one file")]
    Conflict {
        /// board/runtime/suite/workload.
        cell: String,
        /// Where the first record is (`file:line`).
        first: String,
        /// Where the one that disagrees is.
        second: String,
    },
    /// cargo could not be started.
    #[error("cannot run cargo for {what}: {source} (is rustup's cargo on PATH? `make setup` installs it)")]
    Cargo {
        /// What was being built.
        what: String,
        /// Why.
        source: std::io::Error,
    },
    /// A cargo build failed.
    #[error("building {what} failed: {detail}")]
    Build {
        /// What was being built.
        what: String,
        /// The lines of cargo's output that say why, or where to look.
        detail: String,
    },
    /// The toolchain a board's firmware needs is not installed.
    #[error("{0}")]
    Toolchain(String),
    /// Ariel OS is not reachable here (no `ARIEL_OS_SRC`, no offline kit,
    /// no GitHub): the message says how to get it.
    #[error("{0}")]
    ArielOsMissing(String),
    /// An operating system the catalog does not have.
    #[error("unknown OS `{name}` (known: {known})")]
    UnknownOs {
        /// The name given.
        name: String,
        /// The catalog's OSes, comma-separated.
        known: String,
    },
    /// A board that has no firmware for the operating system asked for.
    #[error("`{board}` has no {os} firmware: use --os {choose}")]
    WrongOs {
        /// The board given.
        board: String,
        /// The OS asked for.
        os: String,
        /// The OSes it has, `|`-separated.
        choose: String,
    },
    /// The CoAP apps asked for on an OS that has none.
    #[error("the CoAP apps are Ariel OS applications: use --os ariel-os (not {os})")]
    CoapOs {
        /// The OS asked for.
        os: &'static str,
    },
    /// A memory profile for an operating system that lays out memory
    /// itself.
    #[error("memory profile `{profile}` is for bare-metal firmware: {os} lays out memory itself (use --os bare, or the default profile)")]
    ProfileOs {
        /// The profile asked for.
        profile: &'static str,
        /// The OS.
        os: &'static str,
    },
    /// The emulator of an emulated board is not installed.
    #[error("{program} is not installed: run `make setup` (Debian package {package})")]
    Emulator {
        /// The emulator program.
        program: &'static str,
        /// The Debian package that has it.
        package: &'static str,
    },
    /// A malformed `--probe` selector.
    #[error("bad probe selector `{0}`: expected VID:PID or VID:PID:SERIAL, VID and PID in hex (see `probe-rs list`)")]
    ProbeSelector(String),
    /// A firmware ELF the runner cannot use.
    #[error("{}: {source} (rebuild it: `make firmware BOARD=..`)", path.display())]
    Elf {
        /// The ELF file.
        path: PathBuf,
        /// Why.
        source: ElfError,
    },
    /// A capsule's core module could not be made a component.
    #[error("capsule `{capsule}`: cannot make its component: {detail} (does its world match capsules/wit?)")]
    Capsule {
        /// The capsule.
        capsule: String,
        /// wit-component's error, with its causes.
        detail: String,
    },
    /// A capsule could not be deployed (`trevm deploy`).
    #[error("deploy: {0}")]
    Deploy(String),
    /// Reading or writing a file failed.
    #[error("{what}: {source}")]
    Io {
        /// What was being done, with the path.
        what: String,
        /// Why.
        source: std::io::Error,
    },
}

/// The runner library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// An [`Error::Io`] saying what was being done.
    pub fn io(what: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io {
            what: what.into(),
            source,
        }
    }

    /// Whether the command line was wrong (the CLI exits with 2), rather
    /// than something failing.
    pub fn is_usage(&self) -> bool {
        matches!(
            self,
            Error::UnknownBoard { .. }
                | Error::UnknownRuntime { .. }
                | Error::UnknownSuite { .. }
                | Error::UnknownProfile { .. }
                | Error::WrongBoard { .. }
                | Error::UnknownOs { .. }
                | Error::WrongOs { .. }
                | Error::ProfileOs { .. }
                | Error::CoapOs { .. }
                | Error::ProbeSelector(_)
                | Error::UserModule { .. }
                | Error::UnknownWorkload { .. }
                | Error::Shard(_)
                | Error::UnknownAbi { .. }
                | Error::NoModules(_)
        )
    }
}
