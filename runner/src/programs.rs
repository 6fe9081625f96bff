//! The host programs that are built, and which runtime variant each runs
//! (each program confirms its variants with `trevm-firmware list`). The
//! host backend runs cells with them; the [`crate::prepare::Preparer`]
//! prepares modules with them for every board.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use trevm_catalog::board::Board;
use trevm_catalog::runtime::BUILDS;

use crate::build;

/// Built host programs by runtime variant label.
#[derive(Clone, Debug, Default)]
pub struct HostPrograms {
    programs: BTreeMap<&'static str, PathBuf>,
    /// Why a variant has no program: its build failed.
    missing: BTreeMap<&'static str, String>,
}

impl HostPrograms {
    /// Builds (when needed) the host programs that serve `labels`. A
    /// program that fails to build leaves its variants missing and is
    /// reported with why; it does not stop the others.
    pub fn build(labels: &[&str]) -> (Self, Vec<String>) {
        let mut set = HostPrograms::default();
        let mut problems = Vec::new();
        for p in build::host_programs() {
            if !labels.iter().any(|l| p.serves.contains(l)) {
                continue;
            }
            match build::host_program(&p) {
                Ok(path) => set.adopt(path),
                Err(e) => problems.push(e.to_string()),
            }
        }
        (set, problems)
    }

    /// The host programs already built under `build/host/`.
    pub fn existing() -> Self {
        let mut set = HostPrograms::default();
        for p in build::host_programs() {
            let path = p.path();
            if path.exists() {
                set.adopt(path);
            }
        }
        set
    }

    /// The Ariel OS applications of a process board (`ariel-native`) that
    /// serve `labels`: built (when `build`) or as built. Each runs cells
    /// as a host program does; one that does not build leaves its
    /// variants missing, reported with why.
    pub fn ariel(board: &Board, labels: &[&str], build: bool) -> (Self, Vec<String>) {
        let mut set = HostPrograms::default();
        let mut problems = Vec::new();
        for b in BUILDS.iter().filter(|b| b.adapter.is_some()) {
            if !labels.iter().any(|l| b.serves_label(l)) {
                continue;
            }
            if build {
                eprintln!(
                    "building the Ariel OS `{}` program for {} ...",
                    b.name, board.name
                );
                match crate::build::ariel::firmware(board, b, true) {
                    Ok(path) => set.adopt(path),
                    Err(e) => {
                        for label in b.serves() {
                            set.missing.insert(label, e.to_string());
                        }
                        problems.push(format!("{}: {e}", b.name));
                    }
                }
            } else {
                let path = crate::build::ariel::firmware_path(board.name, b);
                if path.exists() {
                    set.adopt(path);
                }
            }
        }
        (set, problems)
    }

    fn adopt(&mut self, path: PathBuf) {
        let Ok(out) = Command::new(&path).arg("list").output() else {
            return;
        };
        for label in String::from_utf8_lossy(&out.stdout).lines() {
            // Only the catalog's labels; the first program to run one wins.
            if let Some(r) = trevm_catalog::runtime::find(label.trim()) {
                self.programs.entry(r.label).or_insert_with(|| path.clone());
            }
        }
    }

    /// The variant labels a built program runs, in table order.
    pub fn labels(&self) -> Vec<&'static str> {
        let mut v: Vec<&'static str> = self.programs.keys().copied().collect();
        v.sort_by_key(|l| trevm_catalog::runtime::order(l));
        v
    }

    /// Why `label` has no program, when its build failed.
    pub fn why_missing(&self, label: &str) -> Option<&str> {
        self.missing.get(label).map(String::as_str)
    }

    /// The program that runs `label`.
    pub fn program(&self, label: &str) -> Option<&Path> {
        self.programs.get(label).map(PathBuf::as_path)
    }
}
