//! What every record says about how it was made.

use std::process::Command;
use std::sync::OnceLock;

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
