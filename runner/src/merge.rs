//! `trevm merge`: joins the results files of a sharded run (`--shard i/n`
//! on n CI jobs) into one. Each file's outcome of a cell is its last `ok`
//! record, else its last record (what a resumed run would skip, or run
//! again); a cell that two files both hold must have the same outcome in
//! both (apart from when it was run), else the files are not shards of one
//! run and the merge is refused, naming the cell and both places.

use std::collections::HashMap;
use std::path::Path;

use trevm_catalog::record::Record;
use trevm_catalog::results::{load_jsonl, outcome_key, outcomes, LocatedRecord, OutcomeKey};

use crate::error::{Error, Result};

/// The record without what says when it ran.
fn timeless(r: &Record) -> Record {
    let mut r = r.clone();
    r.meta.started.clear();
    r
}

/// The merged records of `files`, one per cell: an unreadable file (or
/// line) or two files disagreeing on a cell is an error.
pub fn merge<P: AsRef<Path>>(files: &[P]) -> Result<Vec<Record>> {
    let mut merged: Vec<LocatedRecord> = Vec::new();
    let mut at: HashMap<OutcomeKey, usize> = HashMap::new();
    for f in files {
        let records = load_jsonl(f.as_ref()).map_err(|e| Error::Results(e.to_string()))?;
        for r in outcomes(records) {
            let k = outcome_key(&r.record);
            match at.get(&k) {
                Some(&i) if timeless(&merged[i].record) != timeless(&r.record) => {
                    let ((b, rt, s, w), os) = k;
                    return Err(Error::Conflict {
                        cell: format!("{b}/{os}/{rt}/{s}/{w}"),
                        first: merged[i].source.to_string(),
                        second: r.source.to_string(),
                    });
                }
                Some(_) => {}
                None => {
                    at.insert(k, merged.len());
                    merged.push(r);
                }
            }
        }
    }
    Ok(merged.into_iter().map(|r| r.record).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use trevm_catalog::{Kind, Stage};

    fn write(dir: &Path, name: &str, records: &[Record]) -> std::path::PathBuf {
        let p = dir.join(name);
        let text: String = records
            .iter()
            .map(|r| serde_json::to_string(r).unwrap() + "\n")
            .collect();
        std::fs::write(&p, text).unwrap();
        p
    }

    fn ok(w: &str, t: f64) -> Record {
        let mut r =
            Record::ok("qemu-m33", "wasmi", "own", w).with_metric("interval", t, "instructions");
        r.meta.started = format!("2026-12-01T00:00:0{}Z", t as u32 % 10);
        r
    }

    #[test]
    fn shards_join_and_disagreements_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let mut failed = Record::new("qemu-m33", "wasmi", "own", "b");
        failed.fail(Kind::Timeout, Stage::Run, "slow");
        // Shard 1 ran `a`, then `b` failed and was run again.
        let one = write(dir.path(), "1.jsonl", &[ok("a", 1.0), failed, ok("b", 2.0)]);
        let two = write(dir.path(), "2.jsonl", &[ok("c", 3.0)]);
        let merged = merge(&[&one, &two]).unwrap();
        let names: Vec<&str> = merged.iter().map(|r| r.workload.as_str()).collect();
        assert_eq!(names, ["a", "b", "c"]);
        assert!(merged.iter().all(Record::is_ok));
        // The same cell with the same outcome, run at another time: fine.
        let mut again = ok("c", 3.0);
        again.meta.started = "2026-12-02T00:00:00Z".into();
        let same = write(dir.path(), "same.jsonl", &[again]);
        assert_eq!(merge(&[&one, &two, &same]).unwrap().len(), 3);
        // Another outcome of `c`: refused, naming both places.
        let other = write(dir.path(), "3.jsonl", &[ok("c", 4.0)]);
        let e = merge(&[&one, &two, &other]).unwrap_err();
        let text = e.to_string();
        assert!(matches!(e, Error::Conflict { .. }), "{text}");
        assert!(
            text.contains("2.jsonl:1") && text.contains("3.jsonl:1"),
            "{text}"
        );
        assert!(text.contains("qemu-m33/bare/wasmi/own/c"), "{text}");
    }
}
