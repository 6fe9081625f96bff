//! `trevm`: the command line of treVM bench's runner (see `make help`).
//! One file per subcommand in `cmd/`; the work is the library's.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod cmd;

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
    /// Run runtime variants × workloads on a board and append results
    /// (or, with --dry-run, print the plan).
    Bench(cmd::bench::Cmd),
    /// Build the guest modules and the programs (or firmwares) of a board.
    Build(cmd::build::Cmd),
    /// Build the capsules (capsules/) into Wasm components in
    /// build/suites/capsules/.
    Capsules(cmd::capsules::Cmd),
    /// Sign a capsule and deploy it over CoAP to a device serving the
    /// treVM device (replacing the capsule running there).
    Deploy(cmd::deploy::Cmd),
    /// The reliability campaign: generated and mutated modules through
    /// the runtime variants of a board that load modules (all but
    /// `native`), checking that each becomes a record (exit 1 when one
    /// does not).
    Fuzz(cmd::fuzz::Cmd),
    /// Footprint: build every firmware of a board and append one record per
    /// runtime variant (and `none`) with its ELF section sizes.
    Size(cmd::size::Cmd),
    /// List runtime variants, boards, suites and what is built.
    List(cmd::list::Cmd),
    /// Join the results files of a sharded run (--shard i/n) into one.
    Merge(cmd::merge::Cmd),
    /// Print the catalog (runtimes, builds, boards, suites, failure kinds),
    /// or a file generated from it.
    Catalog(cmd::catalog::Cmd),
}

fn main() -> ExitCode {
    let done = match Cli::parse().cmd {
        Cmd::Bench(c) => c.run(),
        Cmd::Build(c) => c.run(),
        Cmd::Capsules(c) => c.run(),
        Cmd::Deploy(c) => c.run(),
        Cmd::Fuzz(c) => c.run(),
        Cmd::Size(c) => c.run(),
        Cmd::List(c) => c.run(),
        Cmd::Merge(c) => c.run(),
        Cmd::Catalog(c) => c.run(),
    };
    done.unwrap_or_else(|e| {
        eprintln!("error: {e}");
        ExitCode::from(if e.is_usage() { 2 } else { 1 })
    })
}
