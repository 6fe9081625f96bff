//! `trevm bench`: runs the matrix on a board, or prints its plan.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use trevm_runner::matrix::{self, Options};
use trevm_runner::Result;

/// Run runtime variants × workloads on a board and append results.
#[derive(clap::Args)]
pub struct Cmd {
    /// Board (`trevm catalog` lists them).
    #[arg(long, default_value = "host")]
    board: String,
    /// Runtime variants, comma-separated (default: all).
    #[arg(long, value_delimiter = ',')]
    runtime: Vec<String>,
    /// Suites, comma-separated, or `all` (`trevm catalog` lists them).
    #[arg(long, default_value = "own", value_delimiter = ',')]
    suite: Vec<String>,
    /// Results file, JSON Lines, appended to (default
    /// results/runs/<board>.jsonl; <board>-<profile>.jsonl for a profile
    /// other than `default`, so that the profiles' runs do not mix).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Time budget per cell, seconds.
    #[arg(long, default_value_t = 120)]
    timeout: u64,
    /// Run cells again even when the results file has them as ok.
    #[arg(long)]
    rerun: bool,
    /// Do not build; use what is built.
    #[arg(long)]
    no_build: bool,
    /// Real boards: the debug probe, VID:PID[:SERIAL] (see `probe-rs
    /// list`; default: the first one found).
    #[arg(long)]
    probe: Option<String>,
    /// Memory profile of the firmwares: `default` (a 64 KiB stack, the
    /// rest of RAM the heap) or `paper` (the paper's Ariel OS layout).
    #[arg(long, default_value = "default")]
    profile: String,
    /// Print the plan (programs or firmwares with their addresses and
    /// sizes, each cell's slot image) instead of running: every module is
    /// prepared as a run would, no cell runs, no probe is needed.
    #[arg(long)]
    dry_run: bool,
}

impl Cmd {
    /// Runs the subcommand.
    pub fn run(self) -> Result<ExitCode> {
        let out = self.out.unwrap_or_else(|| {
            let name = if self.profile == trevm_catalog::profile::DEFAULT.name {
                self.board.clone()
            } else {
                format!("{}-{}", self.board, self.profile)
            };
            PathBuf::from(format!("results/runs/{name}.jsonl"))
        });
        let o = Options {
            board: self.board,
            runtimes: self.runtime,
            suites: self.suite,
            out: out.clone(),
            timeout: Duration::from_secs(self.timeout),
            rerun: self.rerun,
            build: !self.no_build,
            probe: self.probe,
            profile: self.profile,
        };
        if self.dry_run {
            print!("{}", matrix::plan(&o)?);
            return Ok(ExitCode::SUCCESS);
        }
        let s = matrix::run(&o)?;
        for n in &s.notes {
            eprintln!("note: {n}");
        }
        eprintln!(
            "done: {} ok, {} failed, {} already in {} (skipped)",
            s.ok,
            s.failed,
            s.skipped,
            out.display()
        );
        Ok(ExitCode::SUCCESS)
    }
}
