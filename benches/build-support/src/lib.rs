//! What the build scripts of treVM bench share to build C code.
//!
//! Three crates compile or link C: `trevm-wamr-sys` (WAMR, twice),
//! `trevm-native-c` (the C suites, natively) and `trevm-firmware` (links the
//! C library those need on a board). What they have in common lives here,
//! once, and each build script keeps only what is its own:
//!
//! - [`targets`]: the table of Rust targets, as data: C compiler, binutils,
//!   CPU flags, C library and the libraries to link, Debian packages.
//! - [`toolchain`]: a [`cc::Build`] for a target of that table, its
//!   toolchain checked first (an error names what to install: `make
//!   setup`); compiling it to a static library; the cargo link lines.
//! - [`symbols`]: renaming every symbol an archive defines (`nm` and
//!   `objcopy --redefine-syms`), so that several builds of the same C code
//!   live in one program.
//! - [`libc`]: the bare-metal C library's multilib folders, for the linker.
//! - [`env_var`]: reading an environment variable and declaring it to
//!   cargo in one step, so that no setting is read without a
//!   `rerun-if-env-changed`.
//!
//! Functions return `Result<_, String>`; the message says what is wrong and
//! what to do. Build scripts end with [`OrFail::or_fail`].
//!
//! The crate is a `[build-dependencies]` path dependency; it re-exports the
//! one [`cc`] the build scripts compile with.
#![warn(missing_docs)]

pub mod libc;
pub mod symbols;
pub mod targets;
pub mod toolchain;

pub use cc;
pub use symbols::Binutils;
pub use targets::{BareLibc, Libc, Target, TARGETS};

use std::ffi::OsString;

/// Reads environment variable `name` and tells cargo to rerun the build
/// script when it changes. `None` when unset or not Unicode.
pub fn env_var(name: &str) -> Option<String> {
    println!("cargo:rerun-if-env-changed={name}");
    std::env::var(name).ok()
}

/// [`env_var`] for a value that may not be Unicode (a path).
pub fn env_var_os(name: &str) -> Option<OsString> {
    println!("cargo:rerun-if-env-changed={name}");
    std::env::var_os(name)
}

/// A variable cargo sets for every build script run (`TARGET`, `OUT_DIR`,
/// `CARGO_MANIFEST_DIR`, ...): nothing to declare.
pub fn cargo_env(name: &str) -> String {
    std::env::var(name)
        .unwrap_or_else(|_| panic!("{name} is not set: run this build script through cargo"))
}

/// Ends a build script with a readable message instead of a `Result`.
pub trait OrFail<T> {
    /// The value, or a panic with `krate` and the error's message, set off
    /// by blank lines so that it stands out in cargo's output.
    fn or_fail(self, krate: &str) -> T;
}

impl<T> OrFail<T> for Result<T, String> {
    fn or_fail(self, krate: &str) -> T {
        self.unwrap_or_else(|e| panic!("\n\n{krate}: {e}\n\n"))
    }
}
