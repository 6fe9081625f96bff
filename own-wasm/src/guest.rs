//! Wasm guest support (feature `guest`): the panic handler, [`Triggers`]
//! backed by the module's `env` imports, used by [`guest_main!`](crate::guest_main).
//!
//! A module built with it imports exactly `env.initialise_board`,
//! `env.start_trigger` and `env.stop_trigger` (all `() -> ()`), and exports
//! `__original_main() -> i32` and `memory`.

use crate::Triggers;

#[cfg(target_arch = "wasm32")]
mod env {
    #[link(wasm_import_module = "env")]
    extern "C" {
        pub(super) fn initialise_board();
        pub(super) fn start_trigger();
        pub(super) fn stop_trigger();
    }
}

/// [`Triggers`] that call the host's `env.initialise_board`,
/// `env.start_trigger` and `env.stop_trigger` imports.
///
/// On a non-Wasm target (a `guest` binary built for the host) the calls do
/// nothing.
#[derive(Debug, Default, Clone, Copy)]
pub struct EnvTriggers;

impl Triggers for EnvTriggers {
    #[inline]
    fn initialise_board(&mut self) {
        // SAFETY: a `() -> ()` host import without preconditions.
        #[cfg(target_arch = "wasm32")]
        unsafe {
            env::initialise_board()
        }
    }

    #[inline]
    fn start_trigger(&mut self) {
        // SAFETY: a `() -> ()` host import without preconditions.
        #[cfg(target_arch = "wasm32")]
        unsafe {
            env::start_trigger()
        }
    }

    #[inline]
    fn stop_trigger(&mut self) {
        // SAFETY: a `() -> ()` host import without preconditions.
        #[cfg(target_arch = "wasm32")]
        unsafe {
            env::stop_trigger()
        }
    }
}

/// A panic in a guest traps (`unreachable`): the host sees a trap, never a
/// wrong result.
#[cfg(all(target_arch = "wasm32", not(test)))]
#[panic_handler]
fn panic(_info: &core::panic::PanicInfo<'_>) -> ! {
    core::arch::wasm32::unreachable()
}
