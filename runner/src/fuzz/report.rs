//! What a campaign found ([`Report`]), and its Markdown (`report.md`).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::Duration;

use super::check::{Finding, Violation};
use super::{Module, Origin};

/// What a campaign found.
#[derive(Clone, Debug, Default)]
pub struct Report {
    /// Board name.
    pub board: String,
    /// The modules run.
    pub modules: Vec<Module>,
    /// Modules wasm-smith could not make (index and why); not run.
    pub not_generated: Vec<(u64, String)>,
    /// Per variant: how many cells ended how (`ok` or the failure kind).
    pub outcomes: BTreeMap<String, BTreeMap<String, usize>>,
    /// Cells run.
    pub cells: usize,
    /// The invariant's violations (empty: the campaign passed).
    pub violations: Vec<Violation>,
    /// Disagreements between runtimes.
    pub findings: Vec<Finding>,
    /// Modules compared (at least two variants ran them to the end).
    pub compared: usize,
    /// Violating modules copied into the corpus.
    pub saved: Vec<PathBuf>,
    /// The campaign's wall time.
    pub took: Duration,
    /// Problems that are not a cell's (from the setup).
    pub notes: Vec<String>,
}

impl Report {
    /// Whether the invariant held.
    pub fn passed(&self) -> bool {
        self.violations.is_empty()
    }

    /// The report, in Markdown (`report.md`; also what `trevm fuzz`
    /// prints).
    pub fn markdown(&self) -> String {
        let generated = self
            .modules
            .iter()
            .filter(|m| matches!(m.origin, Origin::Generated { .. }))
            .count();
        let mutated = self
            .modules
            .iter()
            .filter(|m| matches!(m.origin, Origin::Mutated { .. }))
            .count();
        let replayed = self.modules.len() - generated - mutated;
        let mut s = format!(
            "# Reliability campaign on {}\n\n{} module(s) ({generated} generated, {mutated} mutated, {replayed} replayed), {} cell(s), {:.0} s. Invariant: **{}** ({} violation(s)). Agreement: {} module(s) compared, {} disagreement(s).\n",
            self.board,
            self.modules.len(),
            self.cells,
            self.took.as_secs_f64(),
            if self.passed() { "held" } else { "VIOLATED" },
            self.violations.len(),
            self.compared,
            self.findings.len()
        );
        if !self.not_generated.is_empty() {
            let _ = writeln!(
                s,
                "\nwasm-smith could not make {} module(s) (not run): {}",
                self.not_generated.len(),
                self.not_generated
                    .iter()
                    .map(|(i, why)| format!("{i}: {why}"))
                    .collect::<Vec<_>>()
                    .join("; ")
            );
        }
        let kinds: BTreeSet<&str> = self
            .outcomes
            .values()
            .flat_map(|o| o.keys().map(String::as_str))
            .collect();
        let _ = writeln!(
            s,
            "\n## Outcomes\n\n| runtime | {} |\n|---|{}",
            kinds.iter().copied().collect::<Vec<_>>().join(" | "),
            "---:|".repeat(kinds.len())
        );
        for (runtime, o) in &self.outcomes {
            let row: Vec<String> = kinds
                .iter()
                .map(|k| o.get(*k).map_or("".into(), |n| n.to_string()))
                .collect();
            let _ = writeln!(s, "| {runtime} | {} |", row.join(" | "));
        }
        let _ = writeln!(s, "\n## Violations\n");
        if self.violations.is_empty() {
            let _ = writeln!(s, "None.");
        }
        for v in &self.violations {
            let _ = writeln!(s, "- `{}` on `{}`: {}", v.module, v.runtime, v.what);
        }
        for p in &self.saved {
            let _ = writeln!(s, "- saved: {}", p.display());
        }
        let _ = writeln!(s, "\n## Disagreements (what `__original_main` returned)\n");
        if self.findings.is_empty() {
            let _ = writeln!(s, "None.");
        }
        for f in &self.findings {
            let said: Vec<String> = f
                .returned
                .iter()
                .map(|(v, who)| format!("{v} ({})", who.join(", ")))
                .collect();
            let _ = writeln!(s, "- `{}`: {}", f.module, said.join(" vs "));
        }
        for n in &self.notes {
            let _ = writeln!(s, "\nnote: {n}");
        }
        s
    }
}
