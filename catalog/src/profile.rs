//! Memory profiles: how a firmware splits the board's RAM between its
//! program stack and its heap.
//!
//! - `default`, this harness's own layout: a 64 KiB stack in a region of its
//!   own at the start of RAM, `.data` and `.bss` after it, and the rest of
//!   RAM the heap.
//! - `paper`, the layout the paper's firmware had under Ariel OS on the
//!   paper's boards (see `docs/paper-profile.md` for where each number
//!   comes from): the stack the benchmark ran on and a heap of exactly the
//!   paper's size; RAM left over stays unused. Boards the paper did not use
//!   keep the default layout.
//!
//! `firmware/build.rs` links a bare-metal firmware with the layout of the
//! profile named by `TREVM_PROFILE` (default `default`); the runner
//! selects it with `--profile` and writes it into every record's `meta`.
//! The host board has no layout: it runs a process per cell with its heap
//! budget ([`crate::board::Budget::ram`]) and takes only the default
//! profile.

use crate::board::Board;

/// How big the heap is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Heap {
    /// Everything in RAM after the stack, `.data` and `.bss`.
    Rest,
    /// Exactly this many bytes, right after `.bss` (the rest of RAM unused).
    Bytes(u32),
}

/// One board's split of RAM.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Layout {
    /// The program stack, bytes (at the start of RAM, below `.data`, so an
    /// overflow faults instead of running into static data).
    pub stack: u32,
    /// The heap.
    pub heap: Heap,
}

impl Layout {
    /// The heap in bytes, when the layout fixes it.
    pub const fn heap_bytes(&self) -> Option<u32> {
        match self.heap {
            Heap::Rest => None,
            Heap::Bytes(n) => Some(n),
        }
    }
}

/// This harness's layout: a 64 KiB stack, the rest of RAM the heap.
pub const DEFAULT_LAYOUT: Layout = Layout {
    stack: 64 * 1024,
    heap: Heap::Rest,
};

/// A layout for one of the paper's boards ([`crate::board::PAPER_BOARDS`]),
/// used by every board compared with it (the real board and its QEMU
/// stand-in).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PaperLayout {
    /// The paper's board (`Board::paper_board`).
    pub paper_board: &'static str,
    /// Its layout.
    pub layout: Layout,
    /// Where the numbers come from, in one line.
    pub source: &'static str,
}

/// One memory profile.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Profile {
    /// Name on the command line (`--profile`, `PROFILE=`), in `TREVM_PROFILE`
    /// and in records' `meta.profile`.
    pub name: &'static str,
    /// What it is, in one line.
    pub description: &'static str,
    /// Layouts that differ from [`DEFAULT_LAYOUT`], by the paper's board.
    pub layouts: &'static [PaperLayout],
}

impl Profile {
    /// The layout of `board`'s firmware in this profile; `None` for a board
    /// without firmware (the host).
    pub fn layout(&self, board: &Board) -> Option<Layout> {
        if !board.has_firmware() {
            return None;
        }
        Some(
            self.layouts
                .iter()
                .find(|l| board.paper_board == Some(l.paper_board))
                .map_or(DEFAULT_LAYOUT, |l| l.layout),
        )
    }

    /// Whether this is the default profile.
    pub fn is_default(&self) -> bool {
        crate::str_eq(self.name, DEFAULT.name)
    }
}

/// Ariel OS's stack on Cortex-M with its default `executor-interrupt`
/// executor: one `.isr_stack` at the start of RAM of `isr_stacksize`
/// (2048) + `executor_stacksize` (8192) bytes, which async tasks (the
/// benchmark) run on.
const ARIEL_CORTEX_M_STACK: u32 = 2048 + 8192;

/// The heap the issue and the paper give for the nRF52840.
const PAPER_HEAP: u32 = 240_000;

/// The default profile: this harness's own layout on every board.
pub const DEFAULT: Profile = Profile {
    name: "default",
    description: "this harness's layout: a 64 KiB stack, the rest of RAM the heap",
    layouts: &[],
};

/// The paper's layout under Ariel OS.
pub const PAPER: Profile = Profile {
    name: "paper",
    description: "the paper's Ariel OS layout: its stack and exactly its heap, the rest of RAM unused",
    layouts: &[
        PaperLayout {
            paper_board: "pico2w",
            layout: Layout {
                stack: ARIEL_CORTEX_M_STACK,
                // Ariel's RAM region on the RP235xA is 512 KiB (SRAM8/9 are
                // separate regions it leaves unused); the heap is all of it
                // after the stack, .data and .bss: 512 KiB - 10240 - 6236,
                // the largest .data + .bss of the paper's Pico 2 W builds
                // (wamr-fast: 1240 + 4996).
                heap: Heap::Bytes(512 * 1024 - ARIEL_CORTEX_M_STACK - 6236),
            },
            source: "Ariel OS: memory-rp235xa.x RAM 512K, .isr_stack 2048+8192 (executor-interrupt), heap = the rest after the paper's largest .data+.bss",
        },
        PaperLayout {
            paper_board: "nrf52840dk",
            layout: Layout {
                stack: ARIEL_CORTEX_M_STACK,
                heap: Heap::Bytes(PAPER_HEAP),
            },
            source: "the paper's 240000-byte heap; Ariel OS: .isr_stack 2048+8192 (executor-interrupt)",
        },
        PaperLayout {
            paper_board: "esp32-c6",
            layout: Layout {
                // executor-thread (no software interrupt on RISC-V): the
                // benchmark runs on the executor thread's stack.
                stack: 8192,
                // esp-alloc: exactly max(64 KiB reclaimed from the
                // bootloader, heapsize_required); the paper's heap size.
                heap: Heap::Bytes(PAPER_HEAP),
            },
            source: "Ariel OS: executor thread stack 8192 (executor-thread), esp-alloc heap of exactly heapsize_required (the paper's 240000)",
        },
    ],
};

/// Every profile; the first is the default.
pub const PROFILES: &[Profile] = &[DEFAULT, PAPER];

/// The profile called `name`.
pub fn find(name: &str) -> Option<&'static Profile> {
    PROFILES.iter().find(|p| p.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::board::{BOARDS, PAPER_BOARDS};

    #[test]
    fn every_firmware_board_has_a_layout_that_fits_in_each_profile() {
        assert!(PROFILES[0].is_default() && find("default") == Some(&DEFAULT));
        for p in PROFILES {
            assert_eq!(find(p.name), Some(p));
            for b in BOARDS {
                let Some(l) = p.layout(b) else {
                    assert!(!b.has_firmware(), "{}: {}", p.name, b.name);
                    continue;
                };
                // Leave room for .data and .bss (the linker checks the rest).
                let fixed = l.stack + l.heap_bytes().unwrap_or(0);
                assert!(
                    fixed + 8 * 1024 <= b.budget.ram,
                    "{} on {}: stack {} + heap {} do not fit {} B of RAM",
                    p.name,
                    b.name,
                    l.stack,
                    l.heap_bytes().unwrap_or(0),
                    b.budget.ram
                );
                assert!(l.stack >= 4096 && l.stack % 8 == 0, "{}", b.name);
            }
            for l in p.layouts {
                assert!(
                    PAPER_BOARDS.iter().any(|x| x.name == l.paper_board),
                    "{}",
                    l.paper_board
                );
                assert_ne!(l.layout, DEFAULT_LAYOUT);
            }
        }
    }

    #[test]
    fn the_paper_profile_has_the_papers_heap_on_the_nrf52840() {
        let m4f = crate::board::find("qemu-m4f").unwrap();
        let nrf = crate::board::find("nrf52840dk").unwrap();
        let l = PAPER.layout(m4f).unwrap();
        assert_eq!(l, PAPER.layout(nrf).unwrap());
        assert_eq!((l.stack, l.heap), (10240, Heap::Bytes(240_000)));
        assert_eq!(DEFAULT.layout(m4f), Some(DEFAULT_LAYOUT));
        let host = crate::board::find("host").unwrap();
        assert_eq!(PAPER.layout(host), None);
    }
}
