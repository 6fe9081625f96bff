//! Platforms: a board under one operating system, the unit the analysis
//! keys, groups and shows results by.
//!
//! The same board can run bare-metal firmware and Ariel OS firmware
//! (`trevm_catalog::os::OSES`); their results must never be mixed. A
//! platform is named after its board, with the OS appended when the name
//! alone does not say it:
//!
//! * bare metal is never written: `nrf52840dk` (records from before the OS
//!   axis, without `meta.os`, are bare metal and keep their names);
//! * neither is the only OS a board runs: `ariel-native`;
//! * any other OS is: `nrf52840dk-ariel-os`.
//!
//! The same names are the stems of the size files
//! (`nrf52840dk-ariel-os-size.jsonl`) and of the report's files.

use crate::record::Record;
use trevm_catalog::board::{self, Board};
use trevm_catalog::os::{self, Os, BARE, OSES};

/// A board under one operating system.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Platform {
    /// Board name (`record.board`).
    pub board: String,
    /// OS name (`meta.os`, `bare` when absent).
    pub os: String,
}

/// The OS a board name without suffix stands for: the board's only OS when
/// the catalog knows the board and it runs one OS, bare metal otherwise.
pub fn implied_os(board: &str) -> &'static str {
    os::implied(board)
}

/// Splits `name` into a board and the OS named by its suffix
/// (`-<os>` for an OS of the catalog that is ever written), if it has one.
fn split_suffix(name: &str) -> Option<(&str, &'static Os)> {
    OSES.iter().filter(|o| o.name != BARE.name).find_map(|o| {
        let board = name.strip_suffix(o.name)?.strip_suffix('-')?;
        (!board.is_empty()).then_some((board, o))
    })
}

/// Whether `name` is the name of `board` under `os` (without building it).
pub fn is_name_of(name: &str, board: &str, os: &str) -> bool {
    if os == implied_os(board) {
        return name == board;
    }
    name.strip_prefix(board)
        .and_then(|rest| rest.strip_prefix('-'))
        .is_some_and(|rest| rest == os)
}

impl Platform {
    /// A platform.
    pub fn new(board: &str, os: &str) -> Self {
        Platform {
            board: board.to_string(),
            os: os.to_string(),
        }
    }

    /// The platform a record was measured on.
    pub fn of(r: &Record) -> Self {
        Platform::new(&r.board, r.os())
    }

    /// Reads a platform name (`nrf52840dk`, `nrf52840dk-ariel-os`): a
    /// suffix naming one of the catalog's OSES gives the OS, no suffix the
    /// board's [`implied_os`].
    pub fn parse(name: &str) -> Self {
        match split_suffix(name) {
            Some((board, os)) => Platform::new(board, os.name),
            None => Platform::new(name, implied_os(name)),
        }
    }

    /// Whether the name leaves the OS out (see the module docs).
    pub fn os_implied(&self) -> bool {
        self.os == implied_os(&self.board)
    }

    /// The name: `<board>` or `<board>-<os>`.
    pub fn name(&self) -> String {
        os::platform_name(&self.board, &self.os)
    }

    /// Whether `name` is this platform's name (without building it).
    pub fn is_named(&self, name: &str) -> bool {
        is_name_of(name, &self.board, &self.os)
    }

    /// The catalog's board, when it is one of ours.
    pub fn catalog_board(&self) -> Option<&'static Board> {
        board::find(&self.board)
    }

    /// The catalog's OS, when it is one of the catalog's.
    pub fn catalog_os(&self) -> Option<&'static Os> {
        os::find(&self.os)
    }

    /// The paper's board this platform is compared with: the board's
    /// (the paper measured on Ariel OS, so bare metal and Ariel OS
    /// firmware of a board are both compared with it).
    pub fn paper_board(&self) -> Option<&'static str> {
        self.catalog_board()?.paper_board
    }

    /// Position in table order: the board's ([`board::order`]), then the
    /// OS's in `OSES` (unknown OSes last).
    pub fn order(&self) -> (usize, usize) {
        let os = OSES
            .iter()
            .position(|o| o.name == self.os)
            .unwrap_or(usize::MAX);
        (board::order(&self.board), os)
    }
}

/// The platforms of a catalog board: one per OS it runs, in `OSES` order.
pub fn of_board(b: &Board) -> Vec<Platform> {
    OSES.iter()
        .filter(|o| b.runs(o))
        .map(|o| Platform::new(b.name, o.name))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for b in trevm_catalog::BOARDS {
            for p in of_board(b) {
                assert_eq!(Platform::parse(&p.name()), p, "{}", p.name());
                assert!(p.is_named(&p.name()));
            }
        }
        assert_eq!(Platform::new("nrf52840dk", "bare").name(), "nrf52840dk");
        assert_eq!(
            Platform::new("nrf52840dk", "ariel-os").name(),
            "nrf52840dk-ariel-os"
        );
        assert_eq!(
            Platform::new("ariel-native", "ariel-os").name(),
            "ariel-native"
        );
        // Boards the catalog does not know (the paper's, tests') are bare
        // unless the name says otherwise.
        assert_eq!(Platform::parse("pico2w"), Platform::new("pico2w", "bare"));
        assert_eq!(
            Platform::parse("b-ariel-os"),
            Platform::new("b", "ariel-os")
        );
        assert!(!Platform::new("nrf52840dk", "ariel-os").is_named("nrf52840dk"));
        assert_eq!(
            Platform::parse("nrf52840dk-ariel-os").paper_board(),
            Some("nrf52840dk")
        );
    }
}
