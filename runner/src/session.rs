//! Turns what a cell printed in the line protocol into a [`Record`].
//!
//! The same decoder serves every transport (host process stdout, RTT from
//! QEMU's GDB stub, RTT through probe-rs): transports only deliver lines.

use trevm_protocol::{parse, Line, Message, Number};

use crate::results::{Metric, Record};

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
/// kind `transport`, because a number may have been lost. Records of the C
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
        record.fail("transport", "transport", g.clone());
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
            record.verified = verified;
            if verified {
                record.status = "ok".into();
                record.error = None;
            } else {
                record.fail(
                    "verify",
                    "run",
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
            record.fail(&kind, &stage, message);
        }
        Message::Log { message } => t.text.push(message),
        Message::Bye => t.bye = true,
    }
}
