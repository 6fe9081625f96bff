//! GDB remote protocol packets: framing, checksums, escapes, run-length
//! decoding, stop replies and hex.

use super::StopReason;
use crate::target::TargetError;

/// `$payload#cs` with `$`, `#`, `}` and `*` escaped.
pub(super) fn frame(payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(payload.len() + 4);
    out.push(b'$');
    let mut sum: u8 = 0;
    for &b in payload {
        if matches!(b, b'$' | b'#' | b'}' | b'*') {
            out.push(b'}');
            out.push(b ^ 0x20);
            sum = sum.wrapping_add(b'}').wrapping_add(b ^ 0x20);
        } else {
            out.push(b);
            sum = sum.wrapping_add(b);
        }
    }
    out.push(b'#');
    out.extend_from_slice(format!("{sum:02x}").as_bytes());
    out
}

/// Takes the first complete packet out of `rx`: `None` when none is complete
/// yet, an error for a bad checksum or encoding (the packet is consumed).
/// Bytes before the `$` (acknowledgements, noise) are dropped.
pub(super) fn take_packet(rx: &mut Vec<u8>) -> Option<Result<Vec<u8>, TargetError>> {
    let Some(start) = rx.iter().position(|&b| b == b'$') else {
        rx.clear();
        return None;
    };
    rx.drain(..start);
    let hash = rx.iter().position(|&b| b == b'#')?;
    if rx.len() < hash + 3 {
        return None;
    }
    let body: Vec<u8> = rx[1..hash].to_vec();
    let sum_text = [rx[hash + 1], rx[hash + 2]];
    rx.drain(..hash + 3);
    let want = decode_hex(&sum_text).and_then(|v| v.first().copied());
    let got = body.iter().fold(0u8, |s, &b| s.wrapping_add(b));
    if want != Some(got) {
        return Some(Err(TargetError::protocol(format!(
            "bad packet checksum (`{}` over `{}`)",
            show(&sum_text),
            show(short(&body))
        ))));
    }
    Some(unescape(&body))
}

/// Undoes `}` escapes and `*` run-length encoding.
pub(super) fn unescape(body: &[u8]) -> Result<Vec<u8>, TargetError> {
    let mut out = Vec::with_capacity(body.len());
    let mut i = 0;
    while i < body.len() {
        match body[i] {
            b'}' => {
                let b = *body
                    .get(i + 1)
                    .ok_or_else(|| TargetError::protocol("packet ends inside an escape"))?;
                out.push(b ^ 0x20);
                i += 2;
            }
            b'*' => {
                let last = *out
                    .last()
                    .ok_or_else(|| TargetError::protocol("run-length code without a byte"))?;
                let n = *body
                    .get(i + 1)
                    .ok_or_else(|| TargetError::protocol("packet ends inside a run-length code"))?;
                let repeat = n
                    .checked_sub(29)
                    .ok_or_else(|| TargetError::protocol("bad run-length count"))?;
                out.extend(std::iter::repeat_n(last, repeat as usize));
                i += 2;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    Ok(out)
}

/// Parses a stop reply; `Ok(None)` when the packet is something else.
pub(super) fn parse_stop(p: &[u8]) -> Result<Option<StopReason>, TargetError> {
    let Some((&kind, rest)) = p.split_first() else {
        return Ok(None);
    };
    if !matches!(kind, b'T' | b'S' | b'W' | b'X') {
        return Ok(None);
    }
    // Only the first two hex digits matter (`T05thread:01;`, `W00;process:1`).
    let n = rest
        .get(..2)
        .and_then(decode_hex)
        .and_then(|v| v.first().copied())
        .ok_or_else(|| TargetError::protocol(format!("bad stop reply `{}`", show(short(p)))))?;
    Ok(Some(match kind {
        b'T' | b'S' => StopReason::Halted { signal: n },
        b'W' => StopReason::Exited(n),
        _ => StopReason::Signalled(n),
    }))
}

pub(super) fn is_error_reply(r: &[u8]) -> bool {
    r.len() == 3 && r[0] == b'E' && r[1].is_ascii_hexdigit() && r[2].is_ascii_hexdigit()
}

pub(super) fn decode_hex(s: &[u8]) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    s.chunks(2)
        .map(|p| {
            let hi = (p[0] as char).to_digit(16)?;
            let lo = (p[1] as char).to_digit(16)?;
            Some((hi * 16 + lo) as u8)
        })
        .collect()
}

pub(super) fn encode_hex(data: &[u8], out: &mut Vec<u8>) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    for &b in data {
        out.push(DIGITS[(b >> 4) as usize]);
        out.push(DIGITS[(b & 15) as usize]);
    }
}

pub(super) fn short(p: &[u8]) -> &[u8] {
    &p[..p.len().min(40)]
}

pub(super) fn show(p: &[u8]) -> String {
    String::from_utf8_lossy(p).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_with_checksum_and_escapes() {
        assert_eq!(frame(b"m0,4"), b"$m0,4#fd".to_vec());
        assert_eq!(frame(b"a#b"), b"$a}\x03b#43".to_vec());
        assert_eq!(unescape(b"a}\x03b").unwrap(), b"a#b");
        assert_eq!(unescape(b"0* ").unwrap(), b"0000");
        assert!(unescape(b"*").is_err());
        assert!(unescape(b"}").is_err());
    }

    #[test]
    fn takes_packets_and_rejects_bad_checksums() {
        let mut rx = b"+$OK#9a$O".to_vec();
        assert_eq!(take_packet(&mut rx).unwrap().unwrap(), b"OK");
        assert!(take_packet(&mut rx).is_none());
        assert_eq!(rx, b"$O");
        let mut rx = b"$OK#00".to_vec();
        assert!(matches!(
            take_packet(&mut rx),
            Some(Err(TargetError::Protocol(_)))
        ));
        let mut rx = b"$OK#zz".to_vec();
        assert!(matches!(
            take_packet(&mut rx),
            Some(Err(TargetError::Protocol(_)))
        ));
    }

    #[test]
    fn parses_stop_replies() {
        assert_eq!(
            parse_stop(b"T05thread:01;").unwrap(),
            Some(StopReason::Halted { signal: 5 })
        );
        assert_eq!(
            parse_stop(b"S02").unwrap(),
            Some(StopReason::Halted { signal: 2 })
        );
        assert_eq!(
            parse_stop(b"W2a;process:1").unwrap(),
            Some(StopReason::Exited(42))
        );
        assert_eq!(parse_stop(b"X09").unwrap(), Some(StopReason::Signalled(9)));
        assert_eq!(parse_stop(b"OK").unwrap(), None);
        assert!(parse_stop(b"T").is_err());
        assert!(parse_stop(b"Wzz").is_err());
    }
}
