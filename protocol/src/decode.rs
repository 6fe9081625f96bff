//! Parsing lines back into [`Message`]s (runner side).

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;

use crate::{crc16, Message, CRC_INIT, PREFIX};

/// What one line of output was.
#[derive(Clone, Debug, PartialEq)]
pub enum Line {
    /// A valid protocol message.
    Message(Message<String>),
    /// Not a protocol line (free output, e.g. a panic message).
    Text(String),
}

/// Why a protocol line could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    /// What is wrong.
    pub reason: String,
    /// The offending line.
    pub line: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "garbled protocol line ({}): {:?}",
            self.reason, self.line
        )
    }
}

fn err(reason: impl ToString, line: &str) -> ParseError {
    ParseError {
        reason: reason.to_string(),
        line: line.to_string(),
    }
}

/// Parses one line (with or without its newline).
///
/// A line that starts with [`PREFIX`] must be a complete, valid message
/// with a matching CRC, else it is a [`ParseError`] (garbled on the wire);
/// any other line is [`Line::Text`].
pub fn parse(line: &str) -> Result<Line, ParseError> {
    let line = line.trim_end_matches(['\n', '\r']);
    // Transports may deliver stray bytes before the prefix (e.g. a partial
    // line): look for the prefix at a token boundary.
    let Some(start) = line.find(PREFIX) else {
        return Ok(Line::Text(line.to_string()));
    };
    let msg = &line[start..];
    let Some(star) = msg.rfind(" *") else {
        return Err(err("no checksum", line));
    };
    let (body, tail) = (&msg[..star], &msg[star + 2..]);
    let want = u16::from_str_radix(tail, 16).map_err(|_| err("bad checksum field", line))?;
    if tail.len() != 4 || crc16(body.as_bytes(), CRC_INIT) != want {
        return Err(err("checksum mismatch", line));
    }
    let mut tokens = tokenize(&body[PREFIX.len()..]).map_err(|r| err(r, line))?;
    let kind = match tokens.first() {
        Some((k, None)) => k.clone(),
        _ => return Err(err("no message kind", line)),
    };
    tokens.remove(0);
    let mut fields = Fields { tokens, line };
    let m = match kind.as_str() {
        "hello" => Message::Hello {
            board: fields.s("board")?,
            runtime: fields.s("runtime")?,
            crate_name: fields.s("crate")?,
            version: fields.s("version")?,
            features: fields.s("features")?,
            clock_unit: fields.s("clock_unit")?,
            clock_source: fields.s("clock_source")?,
            clock_hz: fields.u("clock_hz")?,
            heap: fields.u("heap")?,
        },
        "cell" => Message::Cell {
            suite: fields.s("suite")?,
            workload: fields.s("workload")?,
            abi: fields.s("abi")?,
        },
        "metric" => Message::Metric {
            name: fields.s("name")?,
            value: fields
                .s("value")?
                .parse()
                .map_err(|_| err("bad metric value", line))?,
            unit: fields.s("unit")?,
        },
        "done" => Message::Done {
            verified: fields.u("verified")? == 1,
            exit: fields
                .s("exit")?
                .parse()
                .map_err(|_| err("bad exit code", line))?,
        },
        "fail" => Message::Fail {
            kind: fields.s("kind")?,
            stage: fields.s("stage")?,
            message: fields.s("msg")?,
        },
        "reply" => Message::Reply {
            code: u8::try_from(fields.u("code")?)
                .map_err(|_| err("field `code` is not a CoAP code", line))?,
            payload: fields.s("payload")?,
        },
        "log" => Message::Log {
            message: fields.s("msg")?,
        },
        "bye" => Message::Bye,
        other => return Err(err(alloc::format!("unknown message kind `{other}`"), line)),
    };
    Ok(Line::Message(m))
}

struct Fields<'l> {
    tokens: Vec<(String, Option<String>)>,
    line: &'l str,
}

impl Fields<'_> {
    fn s(&mut self, key: &str) -> Result<String, ParseError> {
        self.tokens
            .iter()
            .find(|(k, _)| k == key)
            .and_then(|(_, v)| v.clone())
            .ok_or_else(|| err(alloc::format!("missing field `{key}`"), self.line))
    }
    fn u(&mut self, key: &str) -> Result<u64, ParseError> {
        self.s(key)?
            .parse()
            .map_err(|_| err(alloc::format!("field `{key}` is not a number"), self.line))
    }
}

/// Splits ` kind key=value key="v"` into tokens.
fn tokenize(s: &str) -> Result<Vec<(String, Option<String>)>, &'static str> {
    let mut out = Vec::new();
    let mut chars = s.chars().peekable();
    loop {
        while chars.peek() == Some(&' ') {
            chars.next();
        }
        if chars.peek().is_none() {
            return Ok(out);
        }
        let mut key = String::new();
        while let Some(&c) = chars.peek() {
            if c == ' ' || c == '=' {
                break;
            }
            key.push(c);
            chars.next();
        }
        if chars.peek() != Some(&'=') {
            out.push((key, None));
            continue;
        }
        chars.next();
        let mut value = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            loop {
                match chars.next() {
                    None => return Err("unterminated quoted value"),
                    Some('"') => break,
                    Some('\\') => match chars.next() {
                        Some('n') => value.push('\n'),
                        Some('r') => value.push('\r'),
                        Some('t') => value.push('\t'),
                        Some(c @ ('"' | '\\')) => value.push(c),
                        _ => return Err("bad escape"),
                    },
                    Some(c) => value.push(c),
                }
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c == ' ' {
                    break;
                }
                value.push(c);
                chars.next();
            }
        }
        out.push((key, Some(value)));
    }
}
