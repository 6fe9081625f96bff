//! Footprint: every firmware build of a board, measured from its ELF
//! (`make size`). One record per runtime variant label (`suite` =
//! `footprint`, `workload` = `firmware`), plus `none`, the firmware with no
//! runtime, so that each runtime's own share can be computed. A firmware
//! that does not fit the chip is a failed record that says by how much.

use crate::boards::Board;
use crate::build::{self, FirmwareVariant};
use crate::host::HostBoard;
use crate::meta;
use crate::qemu::{add_sizes, Firmware};
use crate::results::{Metric, Record};

/// Builds the firmware variants for `board` that serve `labels` (all when
/// empty; `none` is a label too) and returns the footprint records, in
/// table order.
pub fn footprint(board: &'static Board, host: &HostBoard, labels: &[String]) -> Vec<Record> {
    let target = board.target.expect("bare-metal boards have a target");
    let mut out = Vec::new();
    let wanted = |v: &FirmwareVariant| {
        labels.is_empty() || v.serves.iter().any(|s| labels.iter().any(|l| l == s))
    };
    for v in build::FIRMWARE_VARIANTS.iter().filter(|v| wanted(v)) {
        eprintln!("building the `{}` firmware for {} ...", v.name, board.name);
        let built =
            build::firmware(board.name, target, v, true).and_then(|elf| Firmware::inspect(&elf, v));
        for label in v.serves {
            out.push(record(board, v, label, &built, host));
        }
    }
    out
}

fn record(
    board: &Board,
    v: &FirmwareVariant,
    label: &str,
    built: &Result<Firmware, String>,
    host: &HostBoard,
) -> Record {
    let mut rec = Record::new(board.name, label, "footprint", "firmware");
    rec.meta.started = meta::now_utc();
    rec.meta.git_commit = meta::git_commit().into();
    rec.meta.board = board.name.into();
    rec.meta.emulated = board.emulated();
    if let crate::boards::Access::Probe(p) = board.access {
        rec.meta.extra.insert("probe_chip".into(), p.chip.into());
    }
    rec.meta.toolchain = meta::rustc_version(v.env.toolchain);
    rec.meta.extra.insert("firmware".into(), v.name.into());
    if let Some(target) = board.target {
        rec.meta.extra.insert("target".into(), target.into());
    }
    if let Some(i) = host.info(label) {
        rec.meta.runtime_crate = i.crate_name.clone();
        rec.meta.runtime_version = i.version.clone();
        rec.meta.runtime_features = i.features.clone();
    }
    match built {
        Ok(fw) => {
            add_sizes(&mut rec, &fw.sizes);
            rec.status = "ok".into();
        }
        Err(e) => {
            for (region, metric) in overflows(e) {
                rec.metrics.insert(metric.into(), Metric::int(region, "B"));
            }
            rec.fail("build", "build", e.clone());
        }
    }
    rec
}

/// The linker's "will not fit in region 'R': overflowed by N bytes", as
/// (`N`, `flash_overflow` | `ram_overflow`) pairs, largest per kind.
pub fn overflows(message: &str) -> Vec<(u64, &'static str)> {
    let mut flash = None::<u64>;
    let mut ram = None::<u64>;
    for part in message.split(['|', '\n']) {
        let Some(at) = part.find("overflowed by ") else {
            continue;
        };
        let n: String = part[at + "overflowed by ".len()..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        let Ok(n) = n.parse::<u64>() else { continue };
        let slot = if part.contains("'RAM'") || part.contains("'STACK'") {
            &mut ram
        } else {
            &mut flash
        };
        *slot = Some(slot.map_or(n, |m| m.max(n)));
    }
    let mut v = Vec::new();
    if let Some(n) = flash {
        v.push((n, "flash_overflow"));
    }
    if let Some(n) = ram {
        v.push((n, "ram_overflow"));
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_linker_overflow_messages() {
        let msg = "building the `tinywasm` firmware for qemu-m4f failed: \
                   rust-lld: error: section '.text' will not fit in region 'FLASH': overflowed by 123456 bytes | \
                   rust-lld: error: section '.rodata' will not fit in region 'FLASH': overflowed by 130000 bytes | \
                   rust-lld: error: section '.bss' will not fit in region 'RAM': overflowed by 512 bytes";
        assert_eq!(
            overflows(msg),
            vec![(130000, "flash_overflow"), (512, "ram_overflow")]
        );
        assert!(overflows("error: could not find `cc`").is_empty());
    }
}
