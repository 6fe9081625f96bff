//! One module per subcommand: its arguments and what it prints; the work
//! is the library's. Each `run` returns the exit code, or the error `main`
//! prints (exit 2 for a wrong command line, else 1).

pub mod args;
pub mod bench;
pub mod build;
pub mod capsules;
pub mod catalog;
pub mod deploy;
pub mod fuzz;
pub mod list;
pub mod merge;
pub mod size;
