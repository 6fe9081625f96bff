//! `trevm bench`: runs the matrix on a board, or prints its plan.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use trevm_catalog::record::Record;
use trevm_runner::matrix::{self, Options};
use trevm_runner::{module, select, summary, Result};

/// Run runtime variants × workloads on a board and append results.
#[derive(clap::Args)]
pub struct Cmd {
    #[command(flatten)]
    target: super::args::Target,
    /// Suites, comma-separated, or `all` (`trevm catalog` lists them;
    /// default: own, or none when --module or --suite-dir is given).
    #[arg(long, value_delimiter = ',')]
    suite: Vec<String>,
    /// Only the workloads of these names, in whichever suite,
    /// comma-separated.
    #[arg(long, value_delimiter = ',')]
    workload: Vec<String>,
    /// Your own modules, comma-separated (suite `user`), checked against
    /// --abi before any cell runs.
    #[arg(long, value_delimiter = ',')]
    module: Vec<PathBuf>,
    /// A folder of your own modules: every .wasm in it, one suite named
    /// after the folder, checked against --abi before any cell runs.
    #[arg(long)]
    suite_dir: Option<PathBuf>,
    /// The ABI of --module and --suite-dir: embench (imports the
    /// env.*_trigger functions, exports __original_main) or coremark
    /// (imports env.clock_ms, exports run).
    #[arg(long, default_value = "embench")]
    abi: String,
    /// Cells run at once (0: one per core). Real boards run one at a time.
    #[arg(long, default_value_t = 0)]
    jobs: usize,
    /// Samples of each cell's measurements; the record keeps their median,
    /// spread and geometric standard deviation (default: the board's: 1
    /// under emulation, 5 on the host, 3 on a real board).
    #[arg(long)]
    repeat: Option<u32>,
    /// Only part i of n of the matrix (1/4, 2/4, ...): for CI matrices;
    /// `trevm merge` joins the shards' results files.
    #[arg(long)]
    shard: Option<String>,
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
        let board = select::board(&self.target.board)?;
        let os = select::os(board, self.os.as_deref())?;
        let profile = select::profile(&self.profile)?;
        let out = self.out.unwrap_or_else(|| {
            PathBuf::from(format!(
                "results/runs/{}.jsonl",
                select::run_name(board, os, profile)
            ))
        });
        let user = !self.module.is_empty() || self.suite_dir.is_some();
        let suites = if self.suite.is_empty() && !user {
            vec!["own".to_string()]
        } else {
            self.suite
        };
        let extra = if user {
            let abi = select::abi(&self.abi)?;
            module::user_workloads(&self.module, self.suite_dir.as_deref(), abi)?
        } else {
            Vec::new()
        };
        let o = Options {
            board: self.target.board,
            runtimes: self.target.runtime,
            suites,
            out: out.clone(),
            timeout: Duration::from_secs(self.timeout),
            rerun: self.rerun,
            build: !self.no_build,
            probe: self.probe,
            profile: self.profile,
            os: Some(os.name.to_string()),
            jobs: self.jobs,
            repeat: self.repeat,
            shard: self.shard.as_deref().map(str::parse).transpose()?,
            workloads: self.workload,
            extra,
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
        if let Ok(records) = trevm_catalog::results::load_jsonl(&out) {
            let done = trevm_catalog::results::outcomes(records);
            let latest: Vec<&Record> = s
                .cells
                .iter()
                .filter_map(|(l, su, w)| {
                    done.iter().map(|r| &r.record).find(|r| {
                        (&r.runtime, &r.suite, &r.workload) == (l, su, w) && r.board == board.name
                    })
                })
                .collect();
            if !latest.is_empty() {
                eprint!("\n{}", summary::table(&latest));
            }
        }
        let default_out = out.starts_with("results/runs");
        eprintln!(
            "report: make report{}",
            if default_out {
                String::new()
            } else {
                format!(" RESULTS={}", out.display())
            }
        );
        Ok(ExitCode::SUCCESS)
    }
}
