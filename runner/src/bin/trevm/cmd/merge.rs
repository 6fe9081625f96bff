//! `trevm merge`: joins the results files of a sharded run into one.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use trevm_runner::error::Error;
use trevm_runner::{merge, Result};

/// Join results files (the shards of one run) into one, a record per cell.
#[derive(clap::Args)]
pub struct Cmd {
    /// The merged file (must not exist yet).
    #[arg(long)]
    out: PathBuf,
    /// The results files, JSON Lines.
    #[arg(required = true)]
    files: Vec<PathBuf>,
}

impl Cmd {
    /// Runs the subcommand.
    pub fn run(self) -> Result<ExitCode> {
        let records = merge::merge(&self.files)?;
        let io = |e| Error::io(format!("cannot write {}", self.out.display()), e);
        if let Some(dir) = self.out.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&self.out)
            .map_err(io)?;
        for r in &records {
            let line = serde_json::to_string(r).map_err(|e| io(std::io::Error::other(e)))?;
            writeln!(f, "{line}").map_err(io)?;
        }
        f.sync_all().map_err(io)?;
        eprintln!(
            "merge: {} cell(s) from {} file(s) into {}",
            records.len(),
            self.files.len(),
            self.out.display()
        );
        Ok(ExitCode::SUCCESS)
    }
}
