//! Ariel OS's `native` board: a process on the build machine. The runner
//! runs each cell as a process, exactly as on the host board, whose entry
//! (`firmware/src/board/host.rs`) this is; the records name the board
//! `ariel-native`.

/// The stack the cell runs on: the runtimes run here as on the host board,
/// not on an executor task's stack.
const STACK_BYTES: usize = 64 * 1024 * 1024;

/// Runs the command line's cell (or prints the usage) and exits.
pub fn main() {
    let cell = std::thread::Builder::new()
        .name("trevm-cell".into())
        .stack_size(STACK_BYTES)
        .spawn(|| super::host::main_as("ariel-native"))
        .expect("spawn the cell thread");
    // `run` exits the process itself; `list` and `info` return.
    std::process::exit(if cell.join().is_ok() { 0 } else { 101 })
}
