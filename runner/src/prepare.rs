//! Module preparation, a stage of its own: the host programs'
//! `prepare` subcommand turns a `.wasm` into what a runtime loads on a
//! target of a given pointer width (Pulley bytecode precompiled with
//! Cranelift, wasefire's side table, or the module as it is). Every
//! backend prepares through a [`Preparer`]; the module then goes into the
//! slot image.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};

use trevm_catalog::runtime::Preparation;
use trevm_catalog::Kind;

use crate::programs::HostPrograms;
use crate::suite::Workload;
use crate::workspace;

/// Why a module could not be prepared: the cell fails at stage
/// `prepare` with this kind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refused {
    /// `malformed` (the runtime refused the module), `build` (no program
    /// prepares for this variant), `crash` or `internal`.
    pub kind: Kind,
    /// What went wrong.
    pub message: String,
}

impl Refused {
    fn new(kind: Kind, message: impl Into<String>) -> Self {
        Refused {
            kind,
            message: message.into(),
        }
    }
}

/// Prepares modules with the host programs.
#[derive(Clone, Debug, Default)]
pub struct Preparer {
    programs: HostPrograms,
}

/// Exit code of `trevm-firmware prepare` when the runtime refused the
/// module (`firmware/src/board/host.rs`; 2 is a usage or file error).
const REFUSED: i32 = 1;

impl Preparer {
    /// A preparer over these host programs.
    pub fn new(programs: HostPrograms) -> Self {
        Preparer { programs }
    }

    /// Builds (when needed) the host programs for `labels`; the problems
    /// say which could not be built.
    pub fn build(labels: &[&str]) -> (Self, Vec<String>) {
        let (programs, problems) = HostPrograms::build(labels);
        (Preparer::new(programs), problems)
    }

    /// Over the host programs already built.
    pub fn existing() -> Self {
        Preparer::new(HostPrograms::existing())
    }

    /// The host programs it uses.
    pub fn programs(&self) -> &HostPrograms {
        &self.programs
    }

    /// Prepares `w` for runtime variant `label` on a target of
    /// `pointer_width` bits. A variant with the workload compiled in
    /// (`native`) gets `suite/workload`, the name it runs.
    pub fn prepare(
        &self,
        label: &str,
        w: &Workload,
        pointer_width: u32,
    ) -> Result<Vec<u8>, Refused> {
        let variant = trevm_catalog::runtime::find(label).ok_or_else(|| {
            Refused::new(
                Kind::Internal,
                format!("`{label}` is not a runtime variant"),
            )
        })?;
        if variant.caps.preparation == Preparation::Native {
            return Ok(format!("{}/{}", w.suite, w.name).into_bytes());
        }
        let program = self.programs.program(label).ok_or_else(|| {
            Refused::new(
                Kind::Build,
                format!("no host program prepares modules for `{label}`: run `make host-programs`"),
            )
        })?;
        let (out, mine) = self.output(label, w, pointer_width);
        let o = Command::new(program)
            .arg("prepare")
            .arg(label)
            .arg(pointer_width.to_string())
            .arg(&w.wasm)
            .arg(&mine)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| {
                Refused::new(
                    Kind::Internal,
                    format!("cannot start {}: {e}", program.display()),
                )
            })?;
        if !o.status.success() {
            let _ = std::fs::remove_file(&mine);
            let said = String::from_utf8_lossy(&o.stderr).trim().to_string();
            let (kind, message) = match (o.status.code(), refusal(&o.stdout)) {
                // The runtime refused the module and said why, typed.
                (Some(REFUSED), Some((kind, message))) => (kind, message),
                // Killed by a signal.
                (None, _) => (
                    Kind::Crash,
                    format!("preparing the module crashed ({}): {said}", o.status),
                ),
                _ => (
                    Kind::Internal,
                    format!("preparing the module failed ({}): {said}", o.status),
                ),
            };
            return Err(Refused::new(kind, message));
        }
        let bytes = std::fs::read(&mine)
            .map_err(|e| Refused::new(Kind::Internal, format!("{}: {e}", mine.display())))?;
        let _ = std::fs::rename(&mine, &out);
        Ok(bytes)
    }

    /// Where the prepared module is kept, and the file this preparation
    /// writes first. Boards may prepare the same module at once (parallel
    /// tests, two runners): each writes its own file, read back before it
    /// replaces the shared one, which stays for inspection.
    fn output(&self, label: &str, w: &Workload, pointer_width: u32) -> (PathBuf, PathBuf) {
        static PREPARED: AtomicU32 = AtomicU32::new(0);
        let dir = workspace::build_dir()
            .join("prepared")
            .join(format!("p{pointer_width}"))
            .join(label)
            .join(&w.suite);
        let _ = std::fs::create_dir_all(&dir);
        let out = dir.join(format!("{}.bin", w.name));
        let mine = out.with_extension(format!(
            "{}-{}.tmp",
            std::process::id(),
            PREPARED.fetch_add(1, Ordering::Relaxed)
        ));
        (out, mine)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use trevm_protocol::slot::SlotAbi;

    fn workload() -> Workload {
        Workload {
            suite: "own".into(),
            name: "crc32".into(),
            abi: SlotAbi::Embench,
            wasm: PathBuf::from("/nonexistent/crc32.wasm"),
        }
    }

    #[test]
    fn native_gets_the_workload_name_and_unbuilt_variants_are_build_failures() {
        let p = Preparer::default();
        let native = trevm_catalog::RUNTIMES
            .iter()
            .find(|r| r.caps.preparation == Preparation::Native)
            .unwrap();
        assert_eq!(
            p.prepare(native.label, &workload(), 32).unwrap(),
            b"own/crc32"
        );
        let e = p.prepare("wasmi", &workload(), 32).unwrap_err();
        assert_eq!(e.kind, Kind::Build);
        assert!(e.message.contains("make host-programs"), "{}", e.message);
        assert_eq!(
            p.prepare("wasm9", &workload(), 32).unwrap_err().kind,
            Kind::Internal
        );
    }
}

/// The failure a host program's `prepare` reported in the line protocol
/// (a `fail` line: the runtime's kind and message), when it did.
fn refusal(stdout: &[u8]) -> Option<(Kind, String)> {
    String::from_utf8_lossy(stdout)
        .lines()
        .find_map(|l| match trevm_protocol::parse(l) {
            Ok(trevm_protocol::Line::Message(trevm_protocol::Message::Fail {
                kind,
                message,
                ..
            })) => Some((kind.parse().ok()?, message)),
            _ => None,
        })
}
