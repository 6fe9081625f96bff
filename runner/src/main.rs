//! `trevm`: the command line of treVM bench's runner (see `make help`).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};
use trevm_runner::matrix::{self, Plan};
use trevm_runner::{build, host, suite};

#[derive(Parser)]
#[command(
    name = "trevm",
    version,
    about = "treVM bench: what a Wasm runtime really costs on a microcontroller"
)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Run runtime variants × workloads on a board and append results.
    Bench {
        /// Board (`host`; the emulated and real boards come with their firmware).
        #[arg(long, default_value = "host")]
        board: String,
        /// Runtime variants, comma-separated (default: all).
        #[arg(long, value_delimiter = ',')]
        runtime: Vec<String>,
        /// Suites: own, coremark, embench or all.
        #[arg(long, default_value = "own", value_delimiter = ',')]
        suite: Vec<String>,
        /// Results file, JSON Lines, appended to (default results/runs/<board>.jsonl).
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
    },
    /// Build the guest modules and the programs of a board.
    Build {
        /// Board.
        #[arg(long, default_value = "host")]
        board: String,
    },
    /// List runtime variants, suites and what is built.
    List,
}

fn suites(s: Vec<String>) -> Vec<String> {
    if s.iter().any(|x| x == "all") {
        suite::SUITES.iter().map(|s| s.to_string()).collect()
    } else {
        s
    }
}

fn main() -> ExitCode {
    match Cli::parse().cmd {
        Cmd::Bench {
            board,
            runtime,
            suite,
            out,
            timeout,
            rerun,
            no_build,
        } => {
            if board != "host" {
                eprintln!("error: board `{board}` is not supported by this version of the runner (supported: host)");
                return ExitCode::from(2);
            }
            let out = out.unwrap_or_else(|| PathBuf::from(format!("results/runs/{board}.jsonl")));
            let plan = Plan {
                board,
                runtimes: runtime,
                suites: suites(suite),
                out: out.clone(),
                timeout: Duration::from_secs(timeout),
                rerun,
                build: !no_build,
            };
            match matrix::run_host(&plan) {
                Ok(s) => {
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
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        Cmd::Build { board } => {
            if board != "host" {
                eprintln!("error: board `{board}` is not supported by this version of the runner");
                return ExitCode::from(2);
            }
            let mut failed = false;
            if let Err(e) = build::own_workloads() {
                eprintln!("error: {e}");
                failed = true;
            }
            let (b, problems) = host::HostBoard::build(matrix::RUNTIMES);
            for p in &problems {
                eprintln!("error: {p}");
            }
            eprintln!("host board runs: {}", b.labels().join(", "));
            if failed || !problems.is_empty() {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            }
        }
        Cmd::List => {
            println!("runtimes: {}", matrix::RUNTIMES.join(", "));
            println!(
                "built for the host: {}",
                host::HostBoard::existing().labels().join(", ")
            );
            for s in suite::SUITES {
                match suite::discover(s) {
                    Ok(w) => println!(
                        "suite {s}: {}",
                        w.iter()
                            .map(|w| w.name.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    Err(e) => println!("suite {s}: {e}"),
                }
            }
            ExitCode::SUCCESS
        }
    }
}
