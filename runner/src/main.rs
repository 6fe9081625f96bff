//! `trevm`: the command line of treVM bench's runner (see `make help`).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};
use trevm_runner::boards::{self, Access};
use trevm_runner::matrix::{self, Plan};
use trevm_runner::results::ResultsFile;
use trevm_runner::{build, host, probe, qemu, size, suite};

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
        /// Board: host, qemu-m33, qemu-m4f, qemu-rv32, rpi-pico2-w, nrf52840dk,
        /// espressif-esp32-c6-devkitc-1 (see `trevm list`).
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
        /// Real boards: the debug probe, VID:PID[:SERIAL] (see `probe-rs
        /// list`; default: the first one found).
        #[arg(long)]
        probe: Option<String>,
        /// Real boards: print the plan (firmwares, modules, slot addresses,
        /// sizes) without touching a probe.
        #[arg(long)]
        dry_run: bool,
    },
    /// Build the guest modules and the programs (or firmwares) of a board.
    Build {
        /// Board.
        #[arg(long, default_value = "host")]
        board: String,
        /// Runtime variants, comma-separated (default: all).
        #[arg(long, value_delimiter = ',')]
        runtime: Vec<String>,
    },
    /// Footprint: build every firmware of a board and append one record per
    /// runtime variant (and `none`) with its ELF section sizes.
    Size {
        /// A bare-metal board.
        #[arg(long)]
        board: String,
        /// Results file, JSON Lines, appended to (default results/runs/<board>-size.jsonl).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Runtime variants (and `none`), comma-separated (default: all).
        #[arg(long, value_delimiter = ',')]
        runtime: Vec<String>,
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
            probe,
            dry_run,
        } => {
            if let Err(e) = boards::find(&board) {
                eprintln!("error: {e}");
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
                probe,
            };
            if dry_run {
                let probe = plan.probe.clone();
                return match probe::dry_run(&plan, probe) {
                    Ok(text) => {
                        print!("{text}");
                        ExitCode::SUCCESS
                    }
                    Err(e) => {
                        eprintln!("error: {e}");
                        ExitCode::FAILURE
                    }
                };
            }
            match matrix::run(&plan) {
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
        Cmd::Build { board, runtime } => {
            let labels: Vec<&str> = if runtime.is_empty() {
                matrix::RUNTIMES.to_vec()
            } else {
                runtime.iter().map(String::as_str).collect()
            };
            if let Some(bad) = labels.iter().find(|l| !matrix::RUNTIMES.contains(l)) {
                eprintln!(
                    "error: unknown runtime `{bad}` (known: {})",
                    matrix::RUNTIMES.join(", ")
                );
                return ExitCode::from(2);
            }
            let b = match boards::find(&board) {
                Ok(b) => b,
                Err(e) => {
                    eprintln!("error: {e}");
                    return ExitCode::from(2);
                }
            };
            let mut failed = false;
            if let Err(e) = build::own_workloads() {
                eprintln!("error: {e}");
                failed = true;
            }
            let problems = match b.access {
                Access::Host => {
                    let (h, problems) = host::HostBoard::build(&labels);
                    eprintln!("host board runs: {}", h.labels().join(", "));
                    problems
                }
                Access::Qemu(_) => match qemu::QemuBoard::build(b, &labels) {
                    Ok((q, mut problems)) => {
                        eprintln!("{} runs: {}", b.name, q.labels().join(", "));
                        problems.extend(q.failures().map(|(l, e)| format!("{l}: {e}")));
                        problems
                    }
                    Err(e) => vec![e],
                },
                Access::Probe(_) => match probe::ProbeBoard::build(b, &labels, None) {
                    Ok((p, mut problems)) => {
                        eprintln!("{} runs: {}", b.name, p.labels().join(", "));
                        problems.extend(p.failures().map(|(l, e)| format!("{l}: {e}")));
                        problems
                    }
                    Err(e) => vec![e],
                },
            };
            for p in &problems {
                eprintln!("error: {p}");
            }
            if failed || !problems.is_empty() {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            }
        }
        Cmd::Size {
            board,
            out,
            runtime,
        } => {
            if let Some(bad) = runtime
                .iter()
                .find(|l| *l != "none" && !matrix::RUNTIMES.contains(&l.as_str()))
            {
                eprintln!(
                    "error: unknown runtime `{bad}` (known: none, {})",
                    matrix::RUNTIMES.join(", ")
                );
                return ExitCode::from(2);
            }
            let b = match boards::find(&board) {
                Ok(b) if b.target.is_some() => b,
                Ok(_) => {
                    eprintln!("error: `size` measures firmware ELFs: choose a bare-metal board (qemu-m33, qemu-m4f, qemu-rv32, rpi-pico2-w, nrf52840dk, espressif-esp32-c6-devkitc-1)");
                    return ExitCode::from(2);
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    return ExitCode::from(2);
                }
            };
            if let Err(e) = build::check_target(b.target.unwrap_or_default()) {
                eprintln!("error: {e}");
                return ExitCode::FAILURE;
            }
            let out =
                out.unwrap_or_else(|| PathBuf::from(format!("results/runs/{board}-size.jsonl")));
            let (host, problems) = host::HostBoard::build(matrix::RUNTIMES);
            for p in &problems {
                eprintln!("note: {p} (runtime crate details will be missing from those records)");
            }
            let mut file = match ResultsFile::open(&out) {
                Ok(f) => f,
                Err(e) => {
                    eprintln!("error: cannot open {}: {e}", out.display());
                    return ExitCode::FAILURE;
                }
            };
            let records = size::footprint(b, &host, &runtime);
            for r in &records {
                let what = match (&r.error, r.metrics.get("text")) {
                    (None, Some(t)) => format!(
                        "text {} rodata {} data {} bss {}",
                        t.value,
                        r.metrics["rodata"].value,
                        r.metrics["data"].value,
                        r.metrics["bss"].value
                    ),
                    (Some(e), _) => format!("FAILED: {}", e.message),
                    _ => String::new(),
                };
                eprintln!("{:<17} {what}", r.runtime);
                if let Err(e) = file.append(r) {
                    eprintln!("error: cannot append to {}: {e}", out.display());
                    return ExitCode::FAILURE;
                }
            }
            eprintln!(
                "done: {} footprint records in {}",
                records.len(),
                out.display()
            );
            ExitCode::SUCCESS
        }
        Cmd::List => {
            println!("runtimes: {}", matrix::RUNTIMES.join(", "));
            for b in boards::BOARDS {
                println!("board {}: {}", b.name, b.description);
            }
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
