//! `sensor-server` (world `persistent-bindings`): the counter
//! ([`trevm_capsules::counter`]) plus `get sensor`: a sensor reading with
//! random noise, logged, answered as a little-endian `i32` (2.05), or 5.03
//! Service Unavailable when the sensor fails.
#![no_std]
#![no_main]

extern crate alloc;

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::Write;

use trevm_capsules::counter::{self, Counter, Reply};
use trevm_capsules::text::Text;
use trevm_capsules::{code, noisy};

wit_bindgen::generate!({ path: "wit", world: "persistent-bindings" });

use exports::trevm::capsule::handler::{Guest, Method, Response};
use trevm::capsule::{log, rng, sensor};

static COUNTER: Counter = Counter::new();

/// `get sensor`.
fn sensor() -> Reply {
    if sensor::trigger().is_err() {
        return Reply::empty(code::SERVICE_UNAVAILABLE);
    }
    let Ok(reading) = sensor::read() else {
        return Reply::empty(code::SERVICE_UNAVAILABLE);
    };
    let value = noisy(reading.value, rng::next_u32());
    let mut text = Text::<64>::new();
    let _ = write!(
        text,
        "sensor-server: {value}e{} {}",
        reading.scaling, reading.unit
    );
    log::log(log::Level::Info, text.as_str());
    Reply {
        code: code::CONTENT,
        payload: value.to_le_bytes().to_vec(),
    }
}

struct Capsule;

impl Guest for Capsule {
    fn init() {
        COUNTER.reset();
    }

    fn handle(method: Method, path: String, payload: Vec<u8>) -> Response {
        let r = match (method, path.as_str()) {
            (Method::Get, "sensor") => sensor(),
            (method, path) => {
                let method = match method {
                    Method::Get => counter::Method::Get,
                    Method::Post => counter::Method::Post,
                    Method::Put => counter::Method::Put,
                    Method::Delete => counter::Method::Delete,
                };
                COUNTER.handle(method, path, &payload)
            }
        };
        Response {
            code: r.code,
            payload: r.payload,
        }
    }
}

export!(Capsule);
