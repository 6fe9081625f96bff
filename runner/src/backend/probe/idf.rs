//! ESP-IDF image layout (Espressif chips): probe-rs writes a firmware as
//! an ESP-IDF app image with the second-stage bootloader and partition
//! table. The runner builds the same image offline, for the plan and to
//! check, before flashing, that none of its writes touches the module slot.

use std::path::{Path, PathBuf};

/// Why a firmware's ESP-IDF image cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum IdfError {
    /// The ELF could not be read.
    #[error("{}: {source}", path.display())]
    Read {
        /// The ELF.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// espflash refused the chip or the ELF.
    #[error("the ESP-IDF image of {}: {message}", path.display())]
    Image {
        /// The ELF.
        path: PathBuf,
        /// espflash's reason.
        message: String,
    },
    /// A write of the firmware image would overwrite the module slot.
    #[error("the firmware image ({len} B at {addr:#x}) overlaps the module slot at {slot:#x}: the memory map (firmware/memory/) and the partition table disagree")]
    Overlap {
        /// Where the write starts.
        addr: u64,
        /// Its length.
        len: u64,
        /// Where the slot starts.
        slot: u64,
    },
}

/// The flash writes probe-rs makes for the firmware ELF (second-stage
/// bootloader, partition table, app image), built offline the way probe-rs
/// builds them (espflash, a 4 MiB flash), as (address, bytes).
#[cfg(feature = "probe")]
pub fn segments(elf: &Path, chip: &str) -> Result<Vec<(u64, u64)>, IdfError> {
    use std::str::FromStr;

    use espflash::flasher::{FlashData, FlashSettings, FlashSize};
    use espflash::image_format::idf::{check_idf_bootloader, IdfBootloaderFormat};

    let image_error = |message: String| IdfError::Image {
        path: elf.to_path_buf(),
        message,
    };
    let data = std::fs::read(elf).map_err(|source| IdfError::Read {
        path: elf.to_path_buf(),
        source,
    })?;
    check_idf_bootloader(&data).map_err(|e| image_error(e.to_string()))?;
    let chip = espflash::target::Chip::from_str(chip)
        .map_err(|e| image_error(format!("chip {chip}: {e}")))?;
    let mut settings = FlashSettings::default();
    settings.size = Some(FlashSize::_4Mb);
    let flash = FlashData::new(settings, 0, None, chip, chip.default_xtal_frequency());
    let image = IdfBootloaderFormat::new(&data, &flash, None, None, None, None)
        .map_err(|e| image_error(e.to_string()))?;
    Ok(image
        .flash_segments()
        .map(|s| (u64::from(s.addr), s.data.len() as u64))
        .collect())
}

/// Without the `probe` feature there is no espflash to build the image.
#[cfg(not(feature = "probe"))]
pub fn segments(elf: &Path, _chip: &str) -> Result<Vec<(u64, u64)>, IdfError> {
    Err(IdfError::Image {
        path: elf.to_path_buf(),
        message: "this trevm was built without the `probe` feature (espflash)".into(),
    })
}

/// Checks that no flash write of the firmware touches the module slot
/// (`slot`: start and length).
pub fn clear_of_slot(segments: &[(u64, u64)], slot: (u64, u64)) -> Result<(), IdfError> {
    match segments
        .iter()
        .find(|(a, n)| *a < slot.0 + slot.1 && slot.0 < a + n)
    {
        Some(&(addr, len)) => Err(IdfError::Overlap {
            addr,
            len,
            slot: slot.0,
        }),
        None => Ok(()),
    }
}

/// The writes of `elf`'s image, checked clear of the slot.
pub fn checked_segments(
    elf: &Path,
    chip: &str,
    slot: (u64, u64),
) -> Result<Vec<(u64, u64)>, IdfError> {
    let s = segments(elf, chip)?;
    clear_of_slot(&s, slot)?;
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn firmware_writes_stay_clear_of_the_slot() {
        let slot = (0x30_0000, 0x10_0000);
        clear_of_slot(&[(0, 0x6000), (0x8000, 0xc00), (0x1_0000, 0x2e_0000)], slot).unwrap();
        let e = clear_of_slot(&[(0x1_0000, 0x2f_0001)], slot).unwrap_err();
        assert!(e.to_string().contains("overlaps the module slot"), "{e}");
    }

    /// The ESP-IDF image of a built ESP32-C6 firmware. `make test` runs
    /// it after the footprint gate has built that firmware.
    #[cfg(feature = "probe")]
    #[test]
    #[ignore = "needs build/firmware/espressif-esp32-c6-devkitc-1/none.elf (`make size-check` or `trevm size --board espressif-esp32-c6-devkitc-1 --runtime none` builds it; `make test` then runs this)"]
    fn esp32c6_firmware_makes_an_idf_image_clear_of_the_slot() {
        use crate::backend::bare::Firmware;
        let elf =
            crate::workspace::build_dir().join("firmware/espressif-esp32-c6-devkitc-1/none.elf");
        assert!(
            elf.exists(),
            "{} is not built: run `make size-check` first",
            elf.display()
        );
        let b = trevm_catalog::runtime::find_build("none").unwrap();
        let fw = Firmware::inspect(&elf, b).unwrap();
        assert_eq!(fw.slot_load, 0x30_0000);
        assert_eq!(fw.slot, (0x42C0_0000, 0x10_0000));
        let segments = checked_segments(&elf, "esp32c6", (fw.slot_load, fw.slot.1)).unwrap();
        assert!(
            segments.iter().any(|(a, _)| *a == 0x1_0000),
            "{segments:x?}"
        );
    }
}
