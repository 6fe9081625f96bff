//! `sensor-log` (world `ephemeral-bindings`): a few sensor readings with
//! random noise, each logged as text. `run` returns 0 when every reading
//! succeeded, every noisy value stayed within the noise of its reading and
//! the clock did not go backwards; else the code of the first failure.
#![no_std]
#![no_main]

use core::fmt::Write;

use trevm_capsules::text::Text;
use trevm_capsules::{noisy, within_noise};

wit_bindgen::generate!({ path: "wit", world: "ephemeral-bindings" });

use trevm::capsule::{log, rng, sensor, timer};

/// How many readings.
const READINGS: u32 = 8;

/// `run`'s failure codes.
mod fail {
    pub const TRIGGER: i32 = 1;
    pub const READ: i32 = 2;
    pub const NOISE: i32 = 3;
    pub const CLOCK: i32 = 4;
}

struct Capsule;

impl Guest for Capsule {
    fn run() -> i32 {
        let start = timer::now_us();
        for i in 0..READINGS {
            if sensor::trigger().is_err() {
                return fail::TRIGGER;
            }
            let Ok(reading) = sensor::read() else {
                return fail::READ;
            };
            let value = noisy(reading.value, rng::next_u32());
            if !within_noise(reading.value, value) {
                return fail::NOISE;
            }
            let mut text = Text::<64>::new();
            let _ = write!(
                text,
                "sensor-log {i}: {value}e{} {}",
                reading.scaling, reading.unit
            );
            log::log(log::Level::Info, text.as_str());
        }
        if timer::now_us() < start {
            return fail::CLOCK;
        }
        0
    }
}

export!(Capsule);
