//! Names from the command line, checked against the catalog: boards,
//! runtime variant labels and suites. An unknown name is an error that
//! lists the catalog's names.

use trevm_catalog::board::{self, Board, BOARDS};
use trevm_catalog::os::{Os, OSES};
use trevm_catalog::profile::{self, Profile, PROFILES};
use trevm_catalog::suite::{self, Suite, SUITES};
use trevm_catalog::{NO_RUNTIME, RUNTIMES};

use crate::error::{Error, Result};

/// Names joined for a message.
fn join<'a>(names: impl IntoIterator<Item = &'a str>) -> String {
    names.into_iter().collect::<Vec<_>>().join(", ")
}

/// The names of the catalog's boards that `pred` accepts, for messages.
pub fn board_names(pred: impl Fn(&Board) -> bool) -> String {
    join(BOARDS.iter().filter(|b| pred(b)).map(|b| b.name))
}

/// The board called `name`.
pub fn board(name: &str) -> Result<&'static Board> {
    board::find(name).ok_or_else(|| Error::UnknownBoard {
        name: name.into(),
        known: join(BOARDS.iter().map(|b| b.name)),
    })
}

/// A board that runs firmware (footprints, firmware builds).
pub fn firmware_board(name: &str) -> Result<&'static Board> {
    let b = board(name)?;
    if b.has_firmware() {
        Ok(b)
    } else {
        Err(Error::WrongBoard {
            board: name.into(),
            why: "runs no firmware (it is the build machine)",
            choose: board_names(Board::has_firmware),
        })
    }
}

/// The operating system called `name` for `board` (`None`: the board's
/// default, Ariel OS on the real boards, bare metal elsewhere).
pub fn os(board: &Board, name: Option<&str>) -> Result<&'static Os> {
    let Some(name) = name else {
        return Ok(trevm_catalog::os::find(board.default_os().name).expect("the catalog's OS"));
    };
    let os = trevm_catalog::os::find(name).ok_or_else(|| Error::UnknownOs {
        name: name.into(),
        known: join(OSES.iter().map(|o| o.name)),
    })?;
    if board.runs(os) {
        Ok(os)
    } else {
        Err(Error::WrongOs {
            board: board.name.into(),
            os: os.name.into(),
            choose: board
                .oses
                .iter()
                .map(|o| o.name)
                .collect::<Vec<_>>()
                .join("|"),
        })
    }
}

/// The name of a run's results file (`results/runs/<name>.jsonl`, and
/// `<name>-size.jsonl` for footprints): the board, then the OS when it is
/// not bare metal and the board has more than one, then the memory
/// profile when it is not the default, so that runs on different OSes or
/// profiles never share a file.
pub fn run_name(board: &Board, os: &Os, profile: &Profile) -> String {
    let mut name = trevm_catalog::os::platform_name(board.name, os.name);
    if !profile.is_default() {
        name = format!("{name}-{}", profile.name);
    }
    name
}

/// The benchmark ABI called `name`.
pub fn abi(name: &str) -> Result<trevm_catalog::suite::Abi> {
    use trevm_catalog::suite::Abi;
    Abi::parse(name).ok_or_else(|| Error::UnknownAbi {
        name: name.into(),
        known: join(Abi::ALL.iter().map(|a| a.as_str())),
    })
}

/// The memory profile called `name`.
pub fn profile(name: &str) -> Result<&'static Profile> {
    profile::find(name).ok_or_else(|| Error::UnknownProfile {
        name: name.into(),
        known: join(PROFILES.iter().map(|p| p.name)),
    })
}

/// `profile` for `board`: a board without firmware (the host) has no
/// memory layout and takes only the default profile.
pub fn profile_for(board: &Board, profile: &'static Profile) -> Result<&'static Profile> {
    if profile.layout(board).is_some() || profile.is_default() {
        Ok(profile)
    } else {
        Err(Error::WrongBoard {
            board: board.name.into(),
            why: "has no memory layout (a process per cell): memory profiles other than `default` apply to boards with firmware",
            choose: board_names(Board::has_firmware),
        })
    }
}

/// The runtime variant labels `names` asks for, in the order given (all,
/// in table order, when empty).
pub fn runtimes(names: &[String]) -> Result<Vec<&'static str>> {
    if names.is_empty() {
        return Ok(RUNTIMES.iter().map(|r| r.label).collect());
    }
    names
        .iter()
        .map(|n| {
            trevm_catalog::runtime::find(n)
                .map(|r| r.label)
                .ok_or_else(|| Error::UnknownRuntime {
                    name: n.clone(),
                    known: join(RUNTIMES.iter().map(|r| r.label)),
                })
        })
        .collect()
}

/// Like [`runtimes`], but [`NO_RUNTIME`] (the firmware without a runtime)
/// is a label too: footprints. Empty asks for every label and `none`.
pub fn footprint_labels(names: &[String]) -> Result<Vec<&'static str>> {
    let all = || std::iter::once(NO_RUNTIME).chain(RUNTIMES.iter().map(|r| r.label));
    if names.is_empty() {
        return Ok(all().collect());
    }
    names
        .iter()
        .map(|n| {
            all().find(|l| l == n).ok_or_else(|| Error::UnknownRuntime {
                name: n.clone(),
                known: join(all()),
            })
        })
        .collect()
}

/// The suites `names` asks for; `all` is every suite of the catalog.
pub fn suites(names: &[String]) -> Result<Vec<&'static Suite>> {
    if names.iter().any(|n| n == "all") {
        return Ok(SUITES.iter().collect());
    }
    names
        .iter()
        .map(|n| {
            suite::find(n).ok_or_else(|| Error::UnknownSuite {
                name: n.clone(),
                known: join(SUITES.iter().map(|s| s.name)),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn unknown_names_list_the_catalogs() {
        let e = board("esp32").unwrap_err().to_string();
        for b in BOARDS {
            assert!(e.contains(b.name), "{e}");
        }
        let e = runtimes(&strings(&["wasmi", "wasm9"])).unwrap_err();
        assert!(e.is_usage());
        let e = e.to_string();
        assert!(e.contains("`wasm9`"), "{e}");
        for r in RUNTIMES {
            assert!(e.contains(r.label), "{e}");
        }
        assert!(!e.contains(NO_RUNTIME), "{e}");
        let e = suites(&strings(&["own", "spec"])).unwrap_err().to_string();
        assert!(e.contains("`spec`") && e.contains("coremark"), "{e}");
    }

    #[test]
    fn defaults_are_the_whole_catalog() {
        assert_eq!(runtimes(&[]).unwrap().len(), RUNTIMES.len());
        let labels = footprint_labels(&[]).unwrap();
        assert_eq!(labels[0], NO_RUNTIME);
        assert_eq!(labels.len(), RUNTIMES.len() + 1);
        assert_eq!(
            footprint_labels(&strings(&[NO_RUNTIME, "wamr"])).unwrap(),
            [NO_RUNTIME, "wamr"]
        );
        assert!(runtimes(&strings(&[NO_RUNTIME])).is_err());
        assert_eq!(suites(&strings(&["all"])).unwrap().len(), SUITES.len());
        assert!(firmware_board("host").unwrap_err().is_usage());
        assert!(firmware_board("qemu-m33").is_ok());
    }
}
