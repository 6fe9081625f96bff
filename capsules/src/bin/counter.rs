//! `counter` (world `persistent`): a CoAP handler keeping a sum
//! ([`trevm_capsules::counter`]).
#![no_std]
#![no_main]

extern crate alloc;

use alloc::string::String;
use alloc::vec::Vec;

use trevm_capsules::counter::{self, Counter};

wit_bindgen::generate!({ path: "wit", world: "persistent" });

use exports::trevm::capsule::handler::{Guest, Method, Response};

static COUNTER: Counter = Counter::new();

struct Capsule;

impl Guest for Capsule {
    fn init() {
        COUNTER.reset();
    }

    fn handle(method: Method, path: String, payload: Vec<u8>) -> Response {
        let method = match method {
            Method::Get => counter::Method::Get,
            Method::Post => counter::Method::Post,
            Method::Put => counter::Method::Put,
            Method::Delete => counter::Method::Delete,
        };
        let r = COUNTER.handle(method, &path, &payload);
        Response {
            code: r.code,
            payload: r.payload,
        }
    }
}

export!(Capsule);
