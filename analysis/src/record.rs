//! Results records (`trevm-bench/1`, see `docs/results-format.md`) and the
//! JSON Lines reader: the catalog's one record type, which the runner
//! writes, and its reader, which reports every problem in an input file
//! with its file and line (nothing is skipped in silence; a last line cut
//! short by a killed run is reported as *truncated*).

pub use trevm_catalog::record::{CellError, Meta, Metric, Record, Status, SCHEMA};
pub use trevm_catalog::results::{
    load_files, load_jsonl, parse_jsonl, LoadErrors, LocatedRecord, ParseError, Source,
};
pub use trevm_catalog::suite::{FOOTPRINT as FOOTPRINT_SUITE, FOOTPRINT_WORKLOAD};
pub use trevm_catalog::NO_RUNTIME;
