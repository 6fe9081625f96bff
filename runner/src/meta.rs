//! What every record says about how it was made, and the one place that
//! writes it: [`preamble`].

use std::process::Command;
use std::sync::OnceLock;

use trevm_catalog::board::{Access, Board};
use trevm_catalog::os::Os;
use trevm_catalog::profile::Profile;
use trevm_catalog::record::Record;
use trevm_catalog::runtime;

/// The harness version (this crate's).
pub const TOOL_VERSION: &str = env!("CARGO_PKG_VERSION");

fn run(cmd: &mut Command) -> Option<String> {
    let out = cmd.output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// The git commit of the repository, with `-dirty` when the tree has
/// uncommitted changes, or `unknown`.
pub fn git_commit() -> &'static str {
    static C: OnceLock<String> = OnceLock::new();
    C.get_or_init(|| {
        let root = crate::workspace::root();
        let Some(head) =
            run(Command::new("git")
                .arg("-C")
                .arg(&root)
                .args(["rev-parse", "--short=12", "HEAD"]))
        else {
            return "unknown".into();
        };
        let dirty = run(Command::new("git").arg("-C").arg(&root).args([
            "status",
            "--porcelain",
            "--untracked-files=no",
        ]))
        .is_some_and(|s| !s.is_empty());
        if dirty {
            format!("{head}-dirty")
        } else {
            head
        }
    })
}

/// `rustc --version` of `toolchain` (`stable`, `nightly`), as cargo would
/// use it; asked once per toolchain and process (every record needs it).
pub fn rustc_version(toolchain: Option<&str>) -> String {
    static SEEN: std::sync::Mutex<Vec<(Option<String>, String)>> =
        std::sync::Mutex::new(Vec::new());
    let mut seen = SEEN.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((_, v)) = seen.iter().find(|(t, _)| t.as_deref() == toolchain) {
        return v.clone();
    }
    let mut cmd = Command::new("rustc");
    if let Some(t) = toolchain {
        cmd.arg(format!("+{t}"));
    }
    let version = run(cmd.arg("--version")).unwrap_or_else(|| "unknown".into());
    seen.push((toolchain.map(String::from), version.clone()));
    version
}

/// A cell's record, failed until told otherwise, with the meta every
/// record carries: tool version, git commit, start time, board, emulated
/// or not, how the board is reached (QEMU machine, probe-rs chip), the
/// memory profile and the board's layout in it (`stack_bytes`, and
/// `heap_bytes` when the profile fixes the heap; a firmware's `hello` later
/// reports the heap it really has), and the toolchain and runtime crate of
/// the firmware build that serves `label` (a firmware's own `hello` later
/// confirms the runtime crate). Every backend and the footprint records
/// start from it.
pub fn preamble(
    board: &Board,
    os: &Os,
    profile: &Profile,
    label: &str,
    suite: &str,
    workload: &str,
) -> Record {
    let mut rec = Record::new(board.name, label, suite, workload);
    let m = &mut rec.meta;
    m.tool_version = TOOL_VERSION.into();
    m.started = now_utc();
    m.git_commit = git_commit().into();
    m.board = board.name.into();
    m.os = os.name.into();
    m.emulated = board.emulated();
    m.extra.insert("profile".into(), profile.name.into());
    if os.is_ariel() {
        m.extra.insert(
            "ariel_os_commit".into(),
            trevm_catalog::os::ARIEL_OS_SOURCE.commit.into(),
        );
    }
    // The host has no layout (a process per cell, with its heap budget),
    // and Ariel OS lays out memory itself.
    if let Some(layout) = profile.layout(board).filter(|_| !os.is_ariel()) {
        m.extra.insert("stack_bytes".into(), layout.stack.into());
        if let Some(heap) = layout.heap_bytes() {
            m.extra.insert("heap_bytes".into(), heap.into());
        }
    }
    if let Some(b) = runtime::build_for(label) {
        m.toolchain = rustc_version(b.env.toolchain);
    }
    if let Some(r) = runtime::find(label) {
        m.runtime_crate = r.krate.into();
        m.runtime_version = r.version.into();
        m.runtime_features = r.features.iter().map(|f| f.to_string()).collect();
    }
    match board.access {
        Access::Host => {}
        Access::Qemu(q) => {
            m.extra.insert("qemu_machine".into(), q.machine.into());
        }
        Access::Probe(p) => {
            m.extra.insert("probe_chip".into(), p.chip.into());
        }
    }
    rec
}

/// Now, as an RFC 3339 UTC timestamp.
pub fn now_utc() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let (days, rem) = (secs / 86400, secs % 86400);
    // Civil-from-days (Howard Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use trevm_catalog::os::{ARIEL_OS, BARE};
    use trevm_catalog::profile::{DEFAULT, PAPER};

    #[test]
    fn the_preamble_says_where_and_with_what() {
        let board = trevm_catalog::board::find("qemu-m4f").unwrap();
        let r = preamble(board, &BARE, &PAPER, "wamr-fast", "own", "crc32");
        assert_eq!(
            (r.board.as_str(), r.meta.board.as_str()),
            ("qemu-m4f", "qemu-m4f")
        );
        assert!(r.meta.emulated && !r.is_ok());
        assert_eq!(r.meta.tool_version, TOOL_VERSION);
        assert_eq!(r.meta.runtime_crate, "wamrx-sys");
        assert_eq!(r.meta.extra["qemu_machine"], "mps2-an386");
        assert!(r.meta.started.ends_with('Z'), "{}", r.meta.started);
        assert!(!r.meta.toolchain.is_empty());
        assert_eq!(r.meta.extra["profile"], "paper");
        assert_eq!(r.meta.extra["stack_bytes"], 10240);
        assert_eq!(r.meta.extra["heap_bytes"], 240_000);
        let none = preamble(
            board,
            &BARE,
            &DEFAULT,
            trevm_catalog::NO_RUNTIME,
            "footprint",
            "firmware",
        );
        assert!(none.meta.runtime_crate.is_empty());
        assert_eq!(none.meta.extra["profile"], "default");
        assert_eq!(none.meta.extra["stack_bytes"], 65536);
        // The default heap is the rest of RAM: the firmware says how much.
        assert!(!none.meta.extra.contains_key("heap_bytes"));
        let host = trevm_catalog::board::find("host").unwrap();
        let h = preamble(host, &BARE, &DEFAULT, "wasmi", "own", "crc32");
        assert_eq!(h.meta.extra["profile"], "default");
        assert!(!h.meta.extra.contains_key("stack_bytes"));
        assert_eq!((r.meta.os.as_str(), h.meta.os.as_str()), ("bare", "bare"));
        assert!(!r.meta.extra.contains_key("ariel_os_commit"));
        // Ariel OS records say which Ariel OS, and no layout of ours.
        let nrf = trevm_catalog::board::find("nrf52840dk").unwrap();
        let a = preamble(nrf, &ARIEL_OS, &DEFAULT, "wasmi", "own", "crc32");
        assert_eq!(a.meta.os, "ariel-os");
        assert_eq!(
            a.meta.extra["ariel_os_commit"],
            trevm_catalog::os::ARIEL_OS_SOURCE.commit
        );
        assert!(!a.meta.extra.contains_key("stack_bytes"));
    }
}
