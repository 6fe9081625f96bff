//! `trevm size`: footprint records of a board's firmwares.

use std::path::PathBuf;
use std::process::ExitCode;

use trevm_catalog::results::ResultsFile;
use trevm_runner::{factory, select, size, Error, Result};

/// Footprint: build every firmware of a board and append one record per
/// runtime variant (and `none`) with its ELF section sizes.
#[derive(clap::Args)]
pub struct Cmd {
    /// A board with firmware (`trevm catalog` lists them).
    #[arg(long)]
    board: String,
    /// Results file, JSON Lines, appended to (default
    /// results/runs/<board>[-<os>][-<profile>]-size.jsonl: the OS when not
    /// bare metal, the profile when not `default`).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Operating system of the firmwares: `bare` or `ariel-os` (default:
    /// the board's; Ariel OS on the real boards).
    #[arg(long)]
    os: Option<String>,
    /// Runtime variants (and `none`), comma-separated (default: all).
    #[arg(long, value_delimiter = ',')]
    runtime: Vec<String>,
    /// Memory profile of the firmwares: `default` (a 64 KiB stack, the
    /// rest of RAM the heap) or `paper` (the paper's Ariel OS layout).
    #[arg(long, default_value = "default")]
    profile: String,
    /// Also the CoAP apps (Ariel OS): the treVM device `trevm-coap` and the
    /// same server without a capsule host `coap-minimal` (Table II).
    #[arg(long)]
    coap: bool,
}

impl Cmd {
    /// Runs the subcommand.
    pub fn run(self) -> Result<ExitCode> {
        let labels = select::footprint_labels(&self.runtime)?;
        let board = select::firmware_board(&self.board)?;
        let profile = select::profile(&self.profile)?;
        let os = select::os(board, self.os.as_deref())?;
        let o = factory::Options {
            os: Some(os),
            profile,
            ..Default::default()
        };
        factory::check(board, &o)?;
        let out = self.out.unwrap_or_else(|| {
            PathBuf::from(format!(
                "results/runs/{}-size.jsonl",
                select::run_name(board, os, profile)
            ))
        });
        let mut file = ResultsFile::open(&out)
            .map_err(|e| Error::io(format!("cannot open {}", out.display()), e))?;
        let mut records = size::footprint(board, os, profile, &labels)?;
        if self.coap {
            if !os.is_ariel() {
                return Err(Error::CoapOs { os: os.name });
            }
            records.extend(size::coap_footprint(board, profile)?);
        }
        for r in &records {
            eprintln!("{}", size::summary(r));
            file.append(r)
                .map_err(|e| Error::io(format!("cannot append to {}", out.display()), e))?;
        }
        eprintln!(
            "done: {} footprint records in {}",
            records.len(),
            out.display()
        );
        Ok(ExitCode::SUCCESS)
    }
}
