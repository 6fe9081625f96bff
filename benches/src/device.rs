//! The treVM device: one persistent capsule slot served as resources under
//! [`PREFIX`], replaced in place by signed updates, whatever carries the
//! requests (CoAP on Ariel OS, `ariel/src/coap.rs`; the tests call it
//! directly).
//!
//! | request | answer |
//! |---|---|
//! | `PUT /vm1` with an envelope ([`crate::update`]) | 2.04 and the update's cost ([`UpdateCost`]), or the refusal |
//! | `GET /vm1` | 2.05 and what runs, or 4.04 when nothing does |
//! | any method on `/vm1/<path>` | the running capsule's answer to `<path>` |
//!
//! A refused or failed update leaves the running capsule in place: it keeps
//! answering. A firmware sets a device up with [`capsule_host`] and
//! [`trusted`], the same on every transport. Refusals map to CoAP codes by their kind ([`UpdateError`]):
//! 4.00 for bytes that are no envelope, 4.01 for an unknown signer or a
//! broken signature, 4.22 for a signed capsule that does not load or
//! initialise or is not persistent (the first one too), 5.01 when the
//! firmware hosts no capsules.

use alloc_crate::boxed::Box;
use alloc_crate::format;
use alloc_crate::string::String;
use alloc_crate::vec::Vec;
use core::fmt;

use crate::capsule::{Capsule, Components, Env, Method, Response, CHANGED, CONTENT, NOT_FOUND};
use crate::engine::Clock;
use crate::error::Error;
use crate::update::{self, Rejected, Trusted};

/// The path the persistent capsule owns (treVM's first VM slot).
pub const PREFIX: &str = "vm1";

/// Largest envelope a transport gathers for the device, bytes.
pub const MAX_UPLOAD: usize = 512 * 1024;

/// The signer a device trusts when none is given (`TREVM_UPDATE_KID`).
pub const DEFAULT_KID: &str = "deployer";

/// Why a device trusts no signer, and so refuses every update.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TrustError {
    /// No key was given.
    NoKey,
    /// The key is not 64 hex digits.
    NotHex,
    /// The 32 bytes are no Ed25519 public key.
    NotEd25519,
}

impl fmt::Display for TrustError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TrustError::NoKey => "no TREVM_UPDATE_KEY: every update is refused",
            TrustError::NotHex => "TREVM_UPDATE_KEY is not 64 hex digits: every update is refused",
            TrustError::NotEd25519 => "TREVM_UPDATE_KEY is no Ed25519 key: every update is refused",
        })
    }
}

/// The signer a device trusts: the Ed25519 public key `key_hex` (64 hex
/// digits, `TREVM_UPDATE_KEY`) under the name `kid` (`TREVM_UPDATE_KID`,
/// [`DEFAULT_KID`] when `None`). Kept for the firmware's life.
pub fn trusted(key_hex: Option<&str>, kid: Option<&str>) -> Result<Trusted<'static>, TrustError> {
    let key = update::key_from_hex(key_hex.ok_or(TrustError::NoKey)?).ok_or(TrustError::NotHex)?;
    let kid: &'static str = Box::leak(String::from(kid.unwrap_or(DEFAULT_KID)).into_boxed_str());
    Trusted::new(kid.as_bytes(), &key).ok_or(TrustError::NotEd25519)
}

/// The capsule host of a device firmware: the catalog's capsule host
/// runtime (`trevm`), created once and kept for the firmware's life (its
/// [`crate::Runtime::components`] go to [`Device::new`]); `None` in a
/// firmware built without it (the minimal CoAP server).
pub fn capsule_host(limits: crate::Limits) -> Option<&'static dyn crate::Runtime> {
    let rt = crate::runtimes::create(trevm_catalog::os::capsule_host(), limits).ok()?;
    Some(Box::leak(rt))
}

/// CoAP 4.00 Bad Request.
pub const BAD_REQUEST: u8 = 4 * 32;
/// CoAP 4.01 Unauthorized.
pub const UNAUTHORIZED: u8 = 4 * 32 + 1;
/// CoAP 4.05 Method Not Allowed.
pub const METHOD_NOT_ALLOWED: u8 = 4 * 32 + 5;
/// CoAP 4.22 Unprocessable Entity.
pub const UNPROCESSABLE: u8 = 4 * 32 + 22;
/// CoAP 5.00 Internal Server Error.
pub const INTERNAL: u8 = 5 * 32;
/// CoAP 5.01 Not Implemented.
pub const NOT_IMPLEMENTED: u8 = 5 * 32 + 1;

// What a transport that gathers uploads in blocks (RFC 7959) answers.
/// CoAP 2.31 Continue: the block arrived, send the next.
pub const CONTINUE: u8 = 2 * 32 + 31;
/// CoAP 4.02 Bad Option: an unknown critical option.
pub const BAD_OPTION: u8 = 4 * 32 + 2;
/// CoAP 4.08 Request Entity Incomplete: a block out of order.
pub const INCOMPLETE: u8 = 4 * 32 + 8;
/// CoAP 4.13 Request Entity Too Large.
pub const TOO_LARGE: u8 = 4 * 32 + 13;

/// What an accepted update cost.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UpdateCost {
    /// Bytes of the envelope received.
    pub bytes: usize,
    /// Checking origin and integrity ([`update::open`]), in clock ticks.
    pub verify: u64,
    /// Loading and initialising the new capsule and dropping the old one
    /// ([`update::replace`]), in clock ticks.
    pub swap: u64,
    /// Peak heap during the update (old and new capsule at once), in
    /// bytes, from the tracking allocator; 0 where it is not the global
    /// allocator.
    pub peak_heap: usize,
}

impl UpdateCost {
    /// The 2.04 payload: `bytes=.. verify_us=.. swap_us=.. peak_heap=..`.
    pub fn render(&self, clock: &Clock) -> String {
        let us = |t: u64| (t as u128 * 1_000_000 / clock.hz.max(1) as u128) as u64;
        format!(
            "bytes={} verify_us={} swap_us={} peak_heap={}",
            self.bytes,
            us(self.verify),
            us(self.swap),
            self.peak_heap
        )
    }
}

/// Why an update was not applied; the running capsule is untouched.
#[derive(Debug)]
pub enum UpdateError {
    /// The firmware hosts no capsules (no Component Model runtime).
    NoHost,
    /// The envelope was refused before anything was loaded.
    Rejected(Rejected),
    /// The signed capsule did not load or initialise.
    Load(Error),
}

impl UpdateError {
    /// The CoAP response code.
    pub fn code(&self) -> u8 {
        match self {
            UpdateError::NoHost => NOT_IMPLEMENTED,
            UpdateError::Rejected(Rejected::NotSign1 | Rejected::NoPayload) => BAD_REQUEST,
            UpdateError::Rejected(_) => UNAUTHORIZED,
            UpdateError::Load(_) => UNPROCESSABLE,
        }
    }
}

impl fmt::Display for UpdateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UpdateError::NoHost => f.write_str("this firmware hosts no capsules"),
            UpdateError::Rejected(r) => write!(f, "update refused: {r}"),
            UpdateError::Load(e) => write!(f, "update failed, nothing changed: {e}"),
        }
    }
}

/// The running capsule and the bytes it was loaded from, which it borrows
/// (the runtime loads capsules in place).
struct Running {
    capsule: Box<dyn Capsule + 'static>,
    bytes: *mut [u8],
}

impl Running {
    /// Drops the capsule, then frees its bytes.
    fn free(self) {
        let Running { capsule, bytes } = self;
        drop(capsule);
        // SAFETY: `bytes` came from `Box::into_raw` in `Device::update`,
        // and the only borrow of it, the capsule, was dropped just above.
        drop(unsafe { Box::from_raw(bytes) });
    }
}

/// The device side of treVM: see the module's documentation.
pub struct Device {
    host: Option<&'static dyn Components>,
    trusted: Vec<Trusted<'static>>,
    clock: Clock,
    running: Option<Running>,
    /// Updates applied so far.
    pub updates: u32,
}

impl Device {
    /// A device with nothing running, hosting capsules on `host` (`None`:
    /// a firmware without capsules, the minimal CoAP server) and trusting
    /// updates signed by `trusted`.
    pub fn new(
        host: Option<&'static dyn Components>,
        trusted: Vec<Trusted<'static>>,
        clock: Clock,
    ) -> Self {
        Device {
            host,
            trusted,
            clock,
            running: None,
            updates: 0,
        }
    }

    /// Opens `envelope` and replaces the running capsule (or starts the
    /// first) with the one it carries; on any error the running one stays.
    pub fn update(&mut self, envelope: &[u8]) -> Result<UpdateCost, UpdateError> {
        let host = self.host.ok_or(UpdateError::NoHost)?;
        let now = self.clock.now;
        crate::alloc::reset_peak();
        let t0 = now();
        let capsule = update::open(envelope, &self.trusted).map_err(UpdateError::Rejected)?;
        let t1 = now();
        let raw = Box::into_raw(capsule.into_boxed_slice());
        // SAFETY: `raw` stays allocated until `Running::free` (or the error
        // path below) frees it, after the capsule borrowing it is gone.
        let bytes: &'static [u8] = unsafe { &*raw };
        let env = Env::new(self.clock);
        let swapped = match self.running.as_mut() {
            Some(r) => update::replace(host, &mut r.capsule, bytes, env).map(|old| {
                let old_bytes = core::mem::replace(&mut r.bytes, raw);
                Some(Running {
                    capsule: old,
                    bytes: old_bytes,
                })
            }),
            None => update::load_persistent(host, bytes, env).map(|c| {
                self.running = Some(Running {
                    capsule: c,
                    bytes: raw,
                });
                None
            }),
        };
        match swapped {
            Ok(old) => {
                // The old capsule, swapped out: freed with its bytes.
                if let Some(old) = old {
                    old.free();
                }
                let t2 = now();
                self.updates += 1;
                Ok(UpdateCost {
                    bytes: envelope.len(),
                    verify: t1.wrapping_sub(t0),
                    swap: t2.wrapping_sub(t1),
                    peak_heap: crate::alloc::peak(),
                })
            }
            Err(e) => {
                // SAFETY: the new capsule, the only borrow of `raw`, was
                // dropped inside the failed load or init.
                drop(unsafe { Box::from_raw(raw) });
                Err(UpdateError::Load(e))
            }
        }
    }

    /// Answers one request to `path` (its segments, without the leading
    /// slash); see the module's documentation.
    pub fn request(&mut self, method: Method, path: &[&str], payload: &[u8]) -> Response {
        let text = Response::text;
        match path {
            [p] if *p == PREFIX => match method {
                Method::Put => match self.update(payload) {
                    Ok(cost) => text(CHANGED, &cost.render(&self.clock)),
                    Err(e) => text(e.code(), &format!("{e}")),
                },
                Method::Get => match &self.running {
                    Some(_) => text(
                        CONTENT,
                        &format!("persistent capsule, updates={}", self.updates),
                    ),
                    None if self.host.is_none() => text(NOT_IMPLEMENTED, "no capsule host"),
                    None => text(NOT_FOUND, "no capsule deployed"),
                },
                _ => text(METHOD_NOT_ALLOWED, "PUT an envelope, or GET"),
            },
            [p, rest @ ..] if *p == PREFIX => {
                let Some(r) = self.running.as_mut() else {
                    return text(NOT_FOUND, "no capsule deployed");
                };
                let sub = rest.join("/");
                match r.capsule.handle(method, &sub, payload) {
                    Ok(resp) => resp,
                    Err(e) => text(INTERNAL, &format!("the capsule failed: {e}")),
                }
            }
            _ => text(NOT_FOUND, ""),
        }
    }
}

impl Drop for Device {
    fn drop(&mut self) {
        if let Some(r) = self.running.take() {
            r.free();
        }
    }
}
