//! The counter both persistent capsules serve: a `u32` sum.
//!
//! * `post` to `add` with a 4-byte little-endian `u32`: adds it (wrapping)
//!   and answers 2.04 Changed with the new sum; another payload length:
//!   4.00 Bad Request, empty;
//! * `get` to `sum`: 2.05 Content with the sum;
//! * anything else: 4.04 Not Found, empty.
//!
//! Sums are little-endian `u32`s.

use alloc::vec::Vec;
use core::sync::atomic::{AtomicU32, Ordering};

use crate::code;

/// A request's method (the WIT `handler.method`, which each capsule's
/// bindings define as a type of their own).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// GET.
    Get,
    /// POST.
    Post,
    /// PUT.
    Put,
    /// DELETE.
    Delete,
}

/// A response: the WIT `handler.response`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reply {
    /// CoAP response code ([`code`]).
    pub code: u8,
    /// Payload.
    pub payload: Vec<u8>,
}

impl Reply {
    /// A reply without payload.
    pub fn empty(code: u8) -> Self {
        Self {
            code,
            payload: Vec::new(),
        }
    }
}

/// The counter's state. A capsule is single-threaded: the atomic only
/// makes the `static` safe.
#[derive(Debug, Default)]
pub struct Counter(AtomicU32);

impl Counter {
    /// A counter at 0.
    pub const fn new() -> Self {
        Self(AtomicU32::new(0))
    }

    /// Sets the sum back to 0 (the handler's `init`).
    pub fn reset(&self) {
        self.0.store(0, Ordering::Relaxed);
    }

    /// The sum.
    pub fn sum(&self) -> u32 {
        self.0.load(Ordering::Relaxed)
    }

    /// Answers one request (the handler's `handle`).
    pub fn handle(&self, method: Method, path: &str, payload: &[u8]) -> Reply {
        match (method, path) {
            (Method::Post, "add") => match <[u8; 4]>::try_from(payload) {
                Ok(x) => {
                    let sum = self.sum().wrapping_add(u32::from_le_bytes(x));
                    self.0.store(sum, Ordering::Relaxed);
                    Reply {
                        code: code::CHANGED,
                        payload: sum.to_le_bytes().to_vec(),
                    }
                }
                Err(_) => Reply::empty(code::BAD_REQUEST),
            },
            (Method::Get, "sum") => Reply {
                code: code::CONTENT,
                payload: self.sum().to_le_bytes().to_vec(),
            },
            _ => Reply::empty(code::NOT_FOUND),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adds_wraps_and_routes() {
        let c = Counter::new();
        let add = |x: u32| c.handle(Method::Post, "add", &x.to_le_bytes());
        assert_eq!(
            add(5),
            Reply {
                code: code::CHANGED,
                payload: 5u32.to_le_bytes().to_vec()
            }
        );
        assert_eq!(add(u32::MAX).payload, 4u32.to_le_bytes());
        assert_eq!(
            c.handle(Method::Get, "sum", &[]),
            Reply {
                code: code::CONTENT,
                payload: 4u32.to_le_bytes().to_vec()
            }
        );
        assert_eq!(
            c.handle(Method::Post, "add", &[1, 2, 3]),
            Reply::empty(code::BAD_REQUEST)
        );
        assert_eq!(
            c.handle(Method::Get, "add", &[]),
            Reply::empty(code::NOT_FOUND)
        );
        assert_eq!(
            c.handle(Method::Put, "sum", &[]),
            Reply::empty(code::NOT_FOUND)
        );
        assert_eq!(
            c.handle(Method::Delete, "nothing", &[]),
            Reply::empty(code::NOT_FOUND)
        );
        assert_eq!(c.sum(), 4);
        c.reset();
        assert_eq!(c.sum(), 0);
    }
}
