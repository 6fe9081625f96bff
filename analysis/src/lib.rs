//! # trevm-analysis
//!
//! The results pipeline of treVM bench: reads `trevm-bench/1` JSON Lines
//! results (see `docs/results-format.md`) and the treVM paper's published
//! raw results, and produces the paper's tables and figures for both,
//! side by side, plus a footprint regression gate for CI.
//!
//! Modules, in the order data flows through them:
//! * [`record`] — one results record; the JSONL reader that reports every
//!   bad line with file and line;
//! * [`paper`] — importer for the paper's raw text files, turning them into
//!   the same records;
//! * [`platform`] — a board under one operating system (`nrf52840dk`,
//!   `nrf52840dk-ariel-os`): what the analysis keys, groups and names
//!   results by;
//! * [`dataset`] — cells keyed by (board, OS, runtime, suite, workload);
//!   the **last** record of a key wins (results files are append-only logs);
//! * [`stats`] — geometric mean, geometric standard deviation, Spearman ρ;
//! * [`views`] — what each table/figure shows, extracted once;
//! * [`tables`] — Markdown / CSV / HTML tables;
//! * [`plots`] and [`figures`] — SVG + PNG charts with `plotters`;
//! * [`pairing`] — our boards side by side with the paper's;
//! * [`compare`] — the regression gate;
//! * [`agreement`] — how close we are to the paper: ρ, ratio error,
//!   failure sets, divergences and their likely causes;
//! * [`report`] — the report folder with its index page;
//! * [`reproduce`] — the reproduction page (agreement with the paper,
//!   Table I and Figures 1-6 ours beside the paper's).
//!
//! A failed cell is shown as failed everywhere (tables: `FAILED (kind)`,
//! figures: a red ✕), never as zero; a cell with no data is shown empty.
#![warn(missing_docs)]

pub mod agreement;
pub mod compare;
pub mod dataset;
pub mod figures;
pub mod pairing;
pub mod paper;
pub mod platform;
pub mod plots;
pub mod record;
pub mod report;
pub mod reproduce;
pub mod stats;
pub mod tables;
pub mod views;
