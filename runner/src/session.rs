//! Turns what a cell printed in the line protocol into a [`Record`].
//!
//! The same decoder serves every transport (host process stdout, RTT from
//! QEMU's GDB stub, RTT through probe-rs): transports only deliver lines.

use trevm_catalog::record::{Metric, Record};
use trevm_catalog::{Kind, Stage};
use trevm_protocol::{parse, Line, Message, Number};

/// What the decoder saw, beyond what went into the record.
#[derive(Debug, Default)]
pub struct Transcript {
    /// A `hello` arrived.
    pub hello: bool,
    /// The cell ended with `done` or `fail`.
    pub finished: bool,
    /// `bye` arrived: the firmware finished on its own terms.
    pub bye: bool,
    /// Non-protocol lines (e.g. panic messages), in order.
    pub text: Vec<String>,
    /// Lines that started like protocol lines but were garbled.
    pub garbled: Vec<String>,
}

/// Applies the protocol lines of one cell to `record`.
///
/// The record ends `ok` only when the cell reported `done` with a verified
/// result and no line was garbled; a garbled line makes the cell fail with
/// kind `transport`, because a number may have been lost, and so does a
/// `fail` line whose kind or stage is not in the catalog's failure
/// vocabulary (the message quotes it). Records of the C
/// suites are then completed by [`crate::suite::annotate`] (CoreMark score,
/// upstream commit, compiler and flags).
pub fn decode<I, S>(lines: I, record: &mut Record) -> Transcript
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let mut t = Transcript::default();
    for line in lines {
        match parse(line.as_ref()) {
            Ok(Line::Text(s)) => {
                if !s.trim().is_empty() {
                    t.text.push(s)
                }
            }
            Err(e) => t.garbled.push(e.to_string()),
            Ok(Line::Message(m)) => apply(m, record, &mut t),
        }
    }
    if let Some(g) = t.garbled.first() {
        record.fail(Kind::Transport, Stage::Transport, g.clone());
    }
    // C suites: CoreMark score in the board's terms, upstream and build.
    crate::suite::annotate(record);
    t
}

fn apply(m: Message<String>, record: &mut Record, t: &mut Transcript) {
    match m {
        Message::Hello {
            board,
            runtime,
            crate_name,
            version,
            features,
            clock_unit,
            clock_source,
            clock_hz,
            heap,
        } => {
            t.hello = true;
            let meta = &mut record.meta;
            meta.board = board;
            if runtime != record.runtime {
                t.garbled.push(format!(
                    "firmware runs `{runtime}`, expected `{}`",
                    record.runtime
                ));
            }
            meta.runtime_crate = crate_name;
            meta.runtime_version = version;
            meta.runtime_features = features
                .split(',')
                .filter(|f| !f.is_empty())
                .map(String::from)
                .collect();
            meta.clock_unit = clock_unit;
            meta.clock_source = clock_source;
            meta.clock_hz = clock_hz;
            meta.extra.insert("heap_bytes".into(), heap.into());
        }
        Message::Cell {
            suite,
            workload,
            abi,
        } => {
            if suite != record.suite || workload != record.workload {
                t.garbled.push(format!(
                    "firmware runs `{suite}/{workload}`, expected `{}/{}`",
                    record.suite, record.workload
                ));
            }
            record.meta.extra.insert("abi".into(), abi.into());
        }
        Message::Metric { name, value, unit } => {
            let metric = match value {
                Number::U64(v) => Some(Metric::int(v, &unit)),
                Number::F64(v) => Metric::float(v, &unit),
            };
            if let Some(m) = metric {
                record.metrics.insert(name, m);
            }
        }
        Message::Done { verified, exit } => {
            t.finished = true;
            record.returned = Some(exit);
            record.verified = verified;
            if verified {
                record.succeed();
            } else {
                record.fail(
                    Kind::Verify,
                    Stage::Run,
                    format!("the workload's self-check failed (it returned {exit})"),
                );
            }
        }
        Message::Fail {
            kind,
            stage,
            message,
        } => {
            t.finished = true;
            match (kind.parse::<Kind>(), stage.parse::<Stage>()) {
                (Ok(kind), Ok(stage)) => record.fail(kind, stage, message),
                (Err(_), _) => t.garbled.push(unknown("kind", &kind, Kind::ALL, &message)),
                (_, Err(_)) => t
                    .garbled
                    .push(unknown("stage", &stage, Stage::ALL, &message)),
            }
        }
        Message::Log { message } => t.text.push(message),
        // A device's answer; cells never send one.
        Message::Reply { code, payload } => t.text.push(format!("reply {code}: {payload} (hex)")),
        Message::Bye => t.bye = true,
    }
}

/// The message of a `fail` line whose kind or stage is not in the catalog.
fn unknown<T: std::fmt::Display>(what: &str, name: &str, known: &[T], message: &str) -> String {
    let known: Vec<String> = known.iter().map(T::to_string).collect();
    format!(
        "the cell reported an unknown failure {what} `{name}` (known: {}): {message}",
        known.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(m: Message<&str>) -> String {
        let mut s = String::new();
        m.write(&mut s).unwrap();
        s.trim_end().to_string()
    }

    fn fail(kind: &str, stage: &str) -> String {
        line(Message::Fail {
            kind,
            stage,
            message: "boom",
        })
    }

    #[test]
    fn fail_lines_become_typed_failures() {
        let mut r = Record::new("host", "wasmi", "own", "crc32");
        let t = decode([fail("out-of-memory", "instantiate")], &mut r);
        assert!(t.finished && t.garbled.is_empty());
        let e = r.error.unwrap();
        assert_eq!(
            (e.kind, e.stage, e.message.as_str()),
            (Kind::OutOfMemory, Stage::Instantiate, "boom")
        );
    }

    #[test]
    fn unknown_kinds_and_stages_are_transport_failures_that_quote_them() {
        for (kind, stage, quoted) in [
            ("segfault", "run", "`segfault`"),
            ("trap", "linking", "`linking`"),
        ] {
            let mut r = Record::new("host", "wasmi", "own", "crc32");
            let t = decode([fail(kind, stage)], &mut r);
            assert!(t.finished);
            let e = r.error.unwrap();
            assert_eq!((e.kind, e.stage), (Kind::Transport, Stage::Transport));
            assert!(
                e.message.contains(quoted) && e.message.contains("boom"),
                "{}",
                e.message
            );
        }
    }

    #[test]
    fn done_verified_succeeds_and_unverified_fails() {
        let mut r = Record::new("host", "wasmi", "own", "crc32");
        decode(
            [line(Message::Done {
                verified: true,
                exit: 0,
            })],
            &mut r,
        );
        assert!(r.is_ok() && r.verified && r.error.is_none());
        let mut r = Record::new("host", "wasmi", "own", "crc32");
        decode(
            [line(Message::Done {
                verified: false,
                exit: 3,
            })],
            &mut r,
        );
        assert_eq!(r.error.unwrap().kind, Kind::Verify);
    }
}
