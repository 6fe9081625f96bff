//! `trevm build`: the guest modules and a board's programs or firmwares.

use std::process::ExitCode;

use trevm_runner::{build, factory, select, Result};

/// Build the guest modules and the programs (or firmwares) of a board.
#[derive(clap::Args)]
pub struct Cmd {
    #[command(flatten)]
    target: super::args::Target,
    /// Memory profile of the firmwares: `default` (a 64 KiB stack, the
    /// rest of RAM the heap) or `paper` (the paper's Ariel OS layout).
    #[arg(long, default_value = "default")]
    profile: String,
    /// Operating system of the firmwares: `bare` or `ariel-os` (default:
    /// the board's; Ariel OS on the real boards).
    #[arg(long)]
    os: Option<String>,
}

impl Cmd {
    /// Runs the subcommand.
    pub fn run(self) -> Result<ExitCode> {
        let labels = select::runtimes(&self.target.runtime)?;
        let board = select::board(&self.target.board)?;
        let o = factory::Options {
            build: true,
            probe: None,
            profile: select::profile(&self.profile)?,
            os: Some(select::os(board, self.os.as_deref())?),
        };
        factory::check(board, &o)?;
        let mut problems = Vec::new();
        if let Err(e) = build::own_workloads() {
            problems.push(e.to_string());
        }
        let opened = factory::open(board, &labels, &o)?;
        eprintln!(
            "{} runs: {}",
            board.name,
            opened.backend.labels().join(", ")
        );
        problems.extend(opened.notes);
        problems.extend(
            opened
                .backend
                .missing()
                .into_iter()
                .map(|(l, e)| format!("{l}: {e}")),
        );
        for p in &problems {
            eprintln!("error: {p}");
        }
        Ok(if problems.is_empty() {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        })
    }
}
