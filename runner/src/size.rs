//! Footprint: every firmware build of a board, measured from its ELF
//! (`make size`). One record per runtime variant label (`suite` =
//! `footprint`, `workload` = `firmware`), plus `none`, the firmware with no
//! runtime, so that each runtime's own share can be computed. A firmware
//! that does not fit the chip is a failed record that says by how much.

use trevm_catalog::board::Board;
use trevm_catalog::os::Os;
use trevm_catalog::profile::Profile;
use trevm_catalog::record::{Metric, Record, Status};
use trevm_catalog::runtime::{FirmwareBuild, BUILDS};
use trevm_catalog::suite::{FOOTPRINT, FOOTPRINT_WORKLOAD};
use trevm_catalog::{Kind, Stage};

use crate::backend::bare::{add_sizes, firmware_meta};
use crate::build;
use crate::error::{Error, Result};
use crate::meta;
use crate::target::elf::{FirmwareElf, SectionSizes};

/// Builds the firmwares of `board` that serve `labels` (runtime variant
/// labels or `none`; all when empty) with `profile`'s memory layout and
/// returns the footprint records, in table order. A board whose firmware
/// cannot be built here is an error.
pub fn footprint(
    board: &'static Board,
    os: &'static Os,
    profile: &Profile,
    labels: &[&str],
) -> Result<Vec<Record>> {
    build::check_target(board)?;
    if os.is_ariel() {
        crate::build::ariel::check()?;
    }
    let wanted = |b: &FirmwareBuild| labels.is_empty() || labels.iter().any(|l| b.serves_label(l));
    let mut out = Vec::new();
    for b in BUILDS.iter().filter(|b| wanted(b)) {
        eprintln!(
            "building the `{}` firmware for {} ({}) ...",
            b.name, board.name, os.name
        );
        // Sizes only: a footprint needs no slot or RTT block (an Ariel OS
        // firmware on the ESP32-C6 logs over USB, not RTT).
        let built = build::firmware_for(board, os, profile, b, true).and_then(|elf| {
            FirmwareElf::read(&elf)
                .map(|f| f.sizes())
                .map_err(|source| Error::Elf { path: elf, source })
        });
        for label in b.serves() {
            out.push(record(board, os, profile, b, label, &built));
        }
    }
    Ok(out)
}

/// The footprints of Ariel OS's CoAP apps on `board` (the catalog's
/// `os::COAP_APPS`: the treVM device and the same CoAP server without a
/// capsule host, whose difference is treVM's share of a CoAP device, the
/// paper's Table II). One record each, `workload` = the app's name,
/// `runtime` = the label its build serves (`trevm`, or `none`).
pub fn coap_footprint(board: &'static Board, profile: &Profile) -> Result<Vec<Record>> {
    build::check_target(board)?;
    crate::build::ariel::check()?;
    let os = &trevm_catalog::os::ARIEL_OS;
    let mut out = Vec::new();
    for app in trevm_catalog::os::COAP_APPS {
        let b = app.firmware_build();
        eprintln!(
            "building the `{}` CoAP app for {} ({}) ...",
            app.name, board.name, os.name
        );
        let built = crate::build::ariel::app(board, app.name, true).and_then(|elf| {
            FirmwareElf::read(&elf)
                .map(|f| f.sizes())
                .map_err(|source| Error::Elf { path: elf, source })
        });
        let label = b
            .serves()
            .next()
            .unwrap_or(trevm_catalog::runtime::NO_RUNTIME);
        out.push(record_of(board, os, profile, b, label, app.name, &built));
    }
    Ok(out)
}

fn record(
    board: &Board,
    os: &Os,
    profile: &Profile,
    b: &FirmwareBuild,
    label: &str,
    built: &Result<SectionSizes>,
) -> Record {
    record_of(board, os, profile, b, label, FOOTPRINT_WORKLOAD, built)
}

fn record_of(
    board: &Board,
    os: &Os,
    profile: &Profile,
    b: &FirmwareBuild,
    label: &str,
    workload: &str,
    built: &Result<SectionSizes>,
) -> Record {
    let mut rec = meta::preamble(board, os, profile, label, FOOTPRINT, workload);
    firmware_meta(&mut rec, board, b);
    match built {
        Ok(sizes) => {
            add_sizes(&mut rec, sizes);
            // Nothing ran, so nothing was verified.
            rec.status = Status::Ok;
        }
        Err(e) => {
            let e = e.to_string();
            for (bytes, metric) in overflows(&e) {
                rec.metrics.insert(metric.into(), Metric::int(bytes, "B"));
            }
            rec.fail(Kind::Build, Stage::Build, e);
        }
    }
    rec
}

/// One line per footprint record for the terminal: its sizes, or why it
/// failed.
pub fn summary(r: &Record) -> String {
    let size = |m: &str| r.metric(m).map_or(0.0, |m| m.value);
    let what = match &r.error {
        None => format!(
            "text {} rodata {} data {} bss {}",
            size("text"),
            size("rodata"),
            size("data"),
            size("bss")
        ),
        Some(e) => format!("FAILED: {}", e.message),
    };
    let who = if r.workload == FOOTPRINT_WORKLOAD {
        r.runtime.clone()
    } else {
        format!("{} ({})", r.workload, r.runtime)
    };
    format!("{who:<17} {what}")
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

    #[test]
    fn records_carry_sizes_or_the_overflow() {
        let board = trevm_catalog::board::find("qemu-m4f").unwrap();
        let b = trevm_catalog::runtime::find_build("tinywasm").unwrap();
        let failed = Err(crate::error::Error::Build {
            what: "the `tinywasm` firmware for qemu-m4f".into(),
            detail: "rust-lld: error: section '.bss' will not fit in region 'RAM': overflowed by 512 bytes".into(),
        });
        let r = record(
            board,
            &trevm_catalog::os::BARE,
            &trevm_catalog::profile::DEFAULT,
            b,
            "tinywasm",
            &failed,
        );
        assert_eq!(r.error.as_ref().unwrap().kind, Kind::Build);
        assert_eq!(r.metric("ram_overflow").unwrap().value, 512.0);
        assert_eq!(r.meta.extra["firmware"], "tinywasm");
        assert_eq!(r.meta.extra["target"], "thumbv7em-none-eabihf");
        assert!(
            summary(&r).starts_with("tinywasm          FAILED: building"),
            "{}",
            summary(&r)
        );
        let mut ok = Record::ok("qemu-m4f", "none", FOOTPRINT, FOOTPRINT_WORKLOAD);
        add_sizes(
            &mut ok,
            &crate::target::elf::SectionSizes {
                text: 10,
                rodata: 2,
                data: 3,
                bss: 4,
            },
        );
        assert_eq!(
            summary(&ok),
            "none              text 10 rodata 2 data 3 bss 4"
        );
    }
}
