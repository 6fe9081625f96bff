//! `trevm list`: runtime variants, boards, suites, and what is built.

use std::process::ExitCode;

use trevm_catalog::{BOARDS, RUNTIMES, SUITES};
use trevm_runner::programs::HostPrograms;
use trevm_runner::{suite, Result};

/// List runtime variants, boards, suites and what is built.
#[derive(clap::Args)]
pub struct Cmd {}

impl Cmd {
    /// Runs the subcommand.
    pub fn run(self) -> Result<ExitCode> {
        let labels: Vec<&str> = RUNTIMES.iter().map(|r| r.label).collect();
        println!("runtimes: {}", labels.join(", "));
        for b in BOARDS {
            println!("board {}: {}", b.name, b.description);
        }
        println!(
            "built for the host: {}",
            HostPrograms::existing().labels().join(", ")
        );
        for s in SUITES {
            match suite::discover(s) {
                Ok(w) => {
                    let names: Vec<&str> = w.iter().map(|w| w.name.as_str()).collect();
                    println!("suite {}: {}", s.name, names.join(", "));
                }
                Err(e) => println!("suite {}: {e}", s.name),
            }
        }
        Ok(ExitCode::SUCCESS)
    }
}
