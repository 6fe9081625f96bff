//! `trevm capsules`: build the capsules (Wasm components) into
//! `build/suites/capsules/`.

use std::process::ExitCode;

use trevm_runner::{build, Result};

/// Build the capsules (capsules/) and turn them into Wasm components.
#[derive(clap::Args)]
pub struct Cmd {}

impl Cmd {
    /// Runs the subcommand.
    pub fn run(self) -> Result<ExitCode> {
        for path in build::capsules::capsules()? {
            println!("{}", path.display());
        }
        Ok(ExitCode::SUCCESS)
    }
}
