//! `trevm fuzz`: the reliability campaign (see `trevm_runner::fuzz`).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use trevm_runner::fuzz::{self, Options};
use trevm_runner::Result;

/// Run generated and mutated modules through every runtime variant of a
/// board; fail when a cell breaks the invariant (a lost record, a failure
/// of kind `internal`, a cell past its budget, a runner panic, a QEMU
/// left behind). Differences in what runtimes returned are listed as
/// findings.
#[derive(clap::Args)]
pub struct Cmd {
    #[command(flatten)]
    target: super::args::Target,
    /// Generated modules, and as many mutants of them.
    #[arg(long, default_value_t = 50)]
    count: u64,
    /// The campaign's seed: the same seed makes the same modules.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Run these modules (files, or folders of .wasm files: the corpus)
    /// instead of generating.
    #[arg(long, value_delimiter = ',')]
    replay: Vec<PathBuf>,
    /// The campaign's folder (default build/fuzz/<board>-<seed>, or
    /// build/fuzz/<board>-replay).
    #[arg(long)]
    dir: Option<PathBuf>,
    /// Where violating modules are copied (default fuzz/corpus).
    #[arg(long)]
    corpus: Option<PathBuf>,
    /// Time budget per cell, seconds.
    #[arg(long, default_value_t = 10)]
    timeout: u64,
    /// Cells run at once (0: one per core).
    #[arg(long, default_value_t = 0)]
    jobs: usize,
    /// Do not build; use what is built.
    #[arg(long)]
    no_build: bool,
}

impl Cmd {
    /// Runs the subcommand.
    pub fn run(self) -> Result<ExitCode> {
        let mut o = Options::new(&self.target.board, self.count);
        o.runtimes = self.target.runtime;
        o.seed = self.seed;
        o.dir = self.dir.unwrap_or_else(|| match self.replay.is_empty() {
            true => fuzz::default_dir(&self.target.board, self.seed),
            false => fuzz::replay_dir(&self.target.board),
        });
        o.replay = self.replay;
        if let Some(c) = self.corpus {
            o.corpus = c;
        }
        o.timeout = Duration::from_secs(self.timeout);
        o.jobs = self.jobs;
        o.build = !self.no_build;
        let report = fuzz::run(&o)?;
        println!("{}", report.markdown());
        eprintln!("fuzz: report {}", o.dir.join("report.md").display());
        if report.passed() {
            Ok(ExitCode::SUCCESS)
        } else {
            eprintln!(
                "fuzz: the invariant was violated; the modules are in {} (replay one with `make fuzz BOARD={} REPLAY=<file>`)",
                o.corpus.display(),
                self.target.board
            );
            Ok(ExitCode::FAILURE)
        }
    }
}
