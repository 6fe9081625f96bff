//! Probe selection: which debug probe reaches the board (`--probe
//! VID:PID[:SERIAL]`, default the first one found).

use crate::error::{Error, Result};

/// Checks a `--probe` selector: `VID:PID` or `VID:PID:SERIAL`, VID and PID
/// in hex (as `probe-rs list` prints them).
pub fn check_selector(s: &str) -> Result<()> {
    let mut parts = s.splitn(3, ':');
    let hex = |p: Option<&str>| {
        p.is_some_and(|p| !p.is_empty() && p.len() <= 4 && u16::from_str_radix(p, 16).is_ok())
    };
    if hex(parts.next()) && hex(parts.next()) && parts.next().is_none_or(|s| !s.is_empty()) {
        Ok(())
    } else {
        Err(Error::ProbeSelector(s.into()))
    }
}

/// Opens the probe `selector` names, or the first one found; `wiring` says
/// what to connect when there is none.
#[cfg(feature = "probe")]
pub fn open(
    selector: Option<&str>,
    wiring: &str,
) -> std::result::Result<probe_rs::probe::Probe, super::ProbeError> {
    use probe_rs::probe::list::Lister;
    use probe_rs::probe::DebugProbeSelector;

    use super::ProbeError;

    let lister = Lister::new();
    match selector {
        Some(s) => {
            let sel = DebugProbeSelector::try_from(s).map_err(|e| ProbeError::Open {
                probe: s.into(),
                message: e.to_string(),
            })?;
            lister.open(sel).map_err(|e| ProbeError::Open {
                probe: s.into(),
                message: e.to_string(),
            })
        }
        None => {
            let all = lister.list_all();
            let first = all.first().ok_or_else(|| ProbeError::NoProbe {
                wiring: wiring.into(),
            })?;
            first.open().map_err(|e| ProbeError::Open {
                probe: first.to_string(),
                message: e.to_string(),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probe_selectors() {
        for ok in [
            "2e8a:000c",
            "1366:1051:000683123456",
            "303a:1001:F4:12:FA:00:00:01",
        ] {
            check_selector(ok).unwrap();
        }
        for bad in ["", "2e8a", "xyz:000c", "2e8a:", "12345:1", "2e8a:000c:"] {
            let e = check_selector(bad).unwrap_err();
            assert!(
                e.is_usage() && e.to_string().contains("probe-rs list"),
                "{bad}: {e}"
            );
        }
    }
}
