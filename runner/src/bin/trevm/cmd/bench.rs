//! `trevm bench`: runs the matrix on a board, or prints its plan.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use trevm_runner::matrix::{self, Options};
use trevm_runner::{select, Result};

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
    /// results/runs/<board>[-<os>][-<profile>].jsonl: the OS when not bare
    /// metal on a board with both, the profile when not `default`, so that
    /// their runs do not mix).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Operating system of the firmwares: `bare` or `ariel-os` (default:
    /// the board's; Ariel OS on the real boards).
    #[arg(long)]
    os: Option<String>,
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
        let board = select::board(&self.board)?;
        let os = select::os(board, self.os.as_deref())?;
        let profile = select::profile(&self.profile)?;
        let out = self.out.unwrap_or_else(|| {
            PathBuf::from(format!(
                "results/runs/{}.jsonl",
                select::run_name(board, os, profile)
            ))
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
            os: Some(os.name.to_string()),
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
