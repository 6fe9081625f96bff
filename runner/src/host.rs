//! The host board: each cell runs in its own process, so a hung or crashed
//! runtime is killed without touching the rest of the matrix, and peak heap
//! is measured per cell.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use wait_timeout::ChildExt;

use crate::build::{self, HostFlavour};
use crate::results::Record;
use crate::suite::Workload;
use crate::{meta, session, workspace};

/// A runtime variant's crate, version and features, as its build reports.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RuntimeInfo {
    /// Crate name.
    pub crate_name: String,
    /// Crate version.
    pub version: String,
    /// Features and switches.
    pub features: Vec<String>,
}

/// The host cell programs, by runtime variant label.
#[derive(Clone, Debug, Default)]
pub struct HostBoard {
    programs: BTreeMap<String, (PathBuf, &'static HostFlavour)>,
    info: BTreeMap<String, RuntimeInfo>,
    /// Heap budget per cell, bytes.
    pub heap_limit: usize,
    /// Fuel budget for variants that meter fuel (`None`: the variant's
    /// default, practically unlimited).
    pub fuel: Option<u64>,
}

impl HostBoard {
    /// Builds (when needed) the host flavours that serve `labels` and finds
    /// which program runs which variant. A flavour that fails to build is
    /// reported and leaves its variants missing, it does not stop the others.
    pub fn build(labels: &[&str]) -> (Self, Vec<String>) {
        let mut board = HostBoard {
            heap_limit: 64 * 1024 * 1024,
            ..Default::default()
        };
        let mut problems = Vec::new();
        for f in build::HOST_FLAVOURS {
            if !labels.iter().any(|l| f.serves.contains(l)) {
                continue;
            }
            match build::host_program(f) {
                Ok(p) => board.adopt(p, f),
                Err(e) => problems.push(e),
            }
        }
        (board, problems)
    }

    /// Uses the already built programs under `build/host/` without building.
    pub fn existing() -> Self {
        let mut board = HostBoard {
            heap_limit: 64 * 1024 * 1024,
            ..Default::default()
        };
        for f in build::HOST_FLAVOURS {
            let p = workspace::build_dir()
                .join("host")
                .join(f.name)
                .join("trevm-firmware");
            if p.exists() {
                board.adopt(p, f);
            }
        }
        board
    }

    fn adopt(&mut self, program: PathBuf, f: &'static HostFlavour) {
        if let Ok(out) = Command::new(&program).arg("info").output() {
            for line in String::from_utf8_lossy(&out.stdout).lines() {
                if let [label, krate, version, features] = line.split('\t').collect::<Vec<_>>()[..]
                {
                    self.info.entry(label.into()).or_insert(RuntimeInfo {
                        crate_name: krate.into(),
                        version: version.into(),
                        features: features
                            .split(',')
                            .filter(|f| !f.is_empty())
                            .map(String::from)
                            .collect(),
                    });
                }
            }
        }
        let Ok(out) = Command::new(&program).arg("list").output() else {
            return;
        };
        for label in String::from_utf8_lossy(&out.stdout).lines() {
            self.programs
                .entry(label.trim().to_string())
                .or_insert((program.clone(), f));
        }
    }

    /// The variant labels this board can run.
    pub fn labels(&self) -> Vec<&str> {
        self.programs.keys().map(String::as_str).collect()
    }

    /// What the host build of `label` says about its runtime crate.
    pub fn info(&self, label: &str) -> Option<&RuntimeInfo> {
        self.info.get(label)
    }

    /// The program that runs `label`.
    pub fn program(&self, label: &str) -> Option<&Path> {
        self.programs.get(label).map(|(p, _)| p.as_path())
    }

    /// Prepares `wasm` for `label` for a target of `pointer_width` bits
    /// (precompiling, side tables); `native` gets `suite/workload`.
    pub fn prepare(
        &self,
        label: &str,
        w: &Workload,
        pointer_width: u32,
    ) -> Result<Vec<u8>, (String, String)> {
        if label == "native" {
            // The workload is compiled into the program: name it.
            return Ok(format!("{}/{}", w.suite, w.name).into_bytes());
        }
        let program = self
            .program(label)
            .ok_or_else(|| ("build".into(), format!("no host program runs `{label}`")))?;
        let out = workspace::build_dir()
            .join("prepared")
            .join(format!("p{pointer_width}"))
            .join(label)
            .join(&w.suite);
        std::fs::create_dir_all(&out).map_err(|e| ("internal".into(), e.to_string()))?;
        let out = out.join(format!("{}.bin", w.name));
        // Boards may prepare the same module at once (parallel tests, two
        // runners): each writes its own file, read back before it replaces
        // the shared one, which stays for inspection.
        static PREPARED: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let mine = out.with_extension(format!(
            "{}-{}.tmp",
            std::process::id(),
            PREPARED.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        ));
        let o = Command::new(program)
            .arg("prepare")
            .arg(label)
            .arg(pointer_width.to_string())
            .arg(&w.wasm)
            .arg(&mine)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| ("internal".into(), e.to_string()))?;
        if !o.status.success() {
            let _ = std::fs::remove_file(&mine);
            let msg = String::from_utf8_lossy(&o.stderr).trim().to_string();
            return Err(("malformed".into(), msg));
        }
        let bytes = std::fs::read(&mine).map_err(|e| ("internal".into(), e.to_string()))?;
        let _ = std::fs::rename(&mine, &out);
        Ok(bytes)
    }

    /// Runs one cell and returns its record, failed with a reason when
    /// anything went wrong; never panics on bad input.
    pub fn run_cell(&self, label: &str, w: &Workload, timeout: Duration) -> Record {
        let mut rec = Record::new("host", label, &w.suite, &w.name);
        rec.meta.started = meta::now_utc();
        rec.meta.git_commit = meta::git_commit().into();
        rec.meta.board = "host".into();
        rec.meta.emulated = false;
        let Some((program, flavour)) = self.programs.get(label) else {
            rec.fail(
                "build",
                "build",
                format!("runtime `{label}` is not built for the host"),
            );
            return rec;
        };
        rec.meta.toolchain = meta::rustc_version(flavour.env.toolchain);
        if let Ok(wasm) = std::fs::read(&w.wasm) {
            rec.metrics.insert(
                "wasm_bytes".into(),
                crate::results::Metric::int(wasm.len() as u64, "B"),
            );
        }
        let payload = match self.prepare(label, w, 64) {
            Ok(p) => p,
            Err((kind, msg)) => {
                rec.fail(&kind, "prepare", msg);
                return rec;
            }
        };
        let slot = trevm_protocol::slot::write(w.abi, &w.suite, &w.name, label, &payload);
        let dir = workspace::build_dir().join("slots/host").join(label);
        let slot_path = dir.join(format!("{}-{}.slot", w.suite, w.name));
        if let Err(e) = std::fs::create_dir_all(&dir).and_then(|_| std::fs::write(&slot_path, slot))
        {
            rec.fail("internal", "prepare", e.to_string());
            return rec;
        }
        let mut cmd = Command::new(program);
        cmd.arg("run")
            .arg(label)
            .arg(&slot_path)
            .arg(self.heap_limit.to_string());
        if let Some(fuel) = self.fuel {
            cmd.arg(fuel.to_string());
        }
        run_process(&mut cmd, timeout, &mut rec);
        rec
    }
}

/// Runs a cell process with a time budget and decodes its output into `rec`.
pub fn run_process(cmd: &mut Command, timeout: Duration, rec: &mut Record) {
    let mut child = match cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
    {
        Ok(c) => c,
        Err(e) => {
            return rec.fail(
                "internal",
                "run",
                format!("cannot start the cell process: {e}"),
            )
        }
    };
    // Drain both pipes on threads so a chatty child never blocks.
    let mut so = child.stdout.take().unwrap();
    let mut se = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = so.read_to_end(&mut s);
        s
    });
    let err = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = se.read_to_end(&mut s);
        s
    });
    let status = match child.wait_timeout(timeout) {
        Ok(Some(st)) => Some(st),
        Ok(None) => {
            let _ = child.kill();
            let _ = child.wait();
            None
        }
        Err(e) => return rec.fail("internal", "run", e.to_string()),
    };
    let stdout = String::from_utf8_lossy(&out.join().unwrap_or_default()).into_owned();
    let stderr = String::from_utf8_lossy(&err.join().unwrap_or_default()).into_owned();
    let t = session::decode(stdout.lines(), rec);
    // A finished cell is complete; a garbled line already failed the record.
    if t.finished || !t.garbled.is_empty() {
        return;
    }
    let tail: String = stderr
        .lines()
        .chain(t.text.iter().map(String::as_str))
        .rev()
        .take(3)
        .collect::<Vec<_>>()
        .join(" | ");
    match status {
        None => rec.fail(
            "timeout",
            "run",
            format!(
                "no result within the time budget of {} s; the process was killed",
                timeout.as_secs()
            ),
        ),
        Some(_) if stderr.contains("memory allocation of") => rec.fail(
            "out-of-memory",
            "run",
            format!("the runtime aborted on a refused allocation: {tail}"),
        ),
        Some(_) if stderr.contains("overflowed its stack") => rec.fail(
            "crash",
            "run",
            format!("native stack overflow in the runtime: {tail}"),
        ),
        Some(st) => rec.fail(
            "crash",
            "run",
            format!("the cell process ended ({st}) without a result: {tail}"),
        ),
    }
}
