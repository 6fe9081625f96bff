//! Deploying a capsule to a treVM device (`trevm_bench::device`): the
//! capsule is prepared for `trevm` at the board's pointer width (by the
//! host programs, as for a cell), sealed in a COSE_Sign1 envelope with the
//! deployer's Ed25519 key (`trevm_bench::update`), and PUT to `/vm1` over a
//! [`Link`]: CoAP in Block1 blocks ([`crate::target::coap`], Ariel OS's
//! `trevm-coap`), or the RTT down channel of a device firmware
//! ([`crate::backend::qemu::QemuDevice`]). The device checks the
//! signature, then replaces the running capsule, or keeps it and says why
//! not.

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use trevm_bench::update::{self, SigningKey};
use trevm_catalog::board::Board;
use trevm_protocol::slot::SlotAbi;

use crate::backend::qemu::QemuDevice;
use crate::prepare::Preparer;
use crate::suite::Workload;
use crate::target::coap::{Client, Method, Reply};
use crate::{Error, Result};

/// A way to reach a treVM device: one request, its reply.
pub trait Link {
    /// Sends `payload` to `path` (without the leading slash) with `method`
    /// and waits for the reply.
    fn request(&mut self, method: Method, path: &str, payload: &[u8]) -> Result<Reply>;
}

impl Link for Client {
    fn request(&mut self, method: Method, path: &str, payload: &[u8]) -> Result<Reply> {
        Client::request(self, method, path, payload).map_err(|e| Error::Deploy(e.to_string()))
    }
}

/// How long a device in QEMU may take to answer (an update of a large
/// capsule is a few hundred million emulated instructions).
const QEMU_REPLY: Duration = Duration::from_secs(120);

impl Link for QemuDevice {
    fn request(&mut self, method: Method, path: &str, payload: &[u8]) -> Result<Reply> {
        let (code, payload) = QemuDevice::request(self, method.code(), path, payload, QEMU_REPLY)
            .map_err(|e| {
            let last = self.lines.iter().rev().take(3).rev().cloned();
            Error::Deploy(format!(
                "the device in QEMU: {e}; it said last: {}",
                last.collect::<Vec<_>>().join(" | ")
            ))
        })?;
        Ok(Reply { code, payload })
    }
}

/// The deployer's key from a file of 64 hex digits (the Ed25519 secret
/// seed).
pub fn read_key(path: &Path) -> Result<SigningKey> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::io(format!("reading the key {}", path.display()), e))?;
    let seed = update::key_from_hex(&text).ok_or_else(|| {
        Error::Deploy(format!(
            "{}: not 64 hex digits (an Ed25519 seed)",
            path.display()
        ))
    })?;
    Ok(SigningKey::from_bytes(&seed))
}

/// The public key the device must trust (its `TREVM_UPDATE_KEY`), in hex.
pub fn public_hex(key: &SigningKey) -> String {
    update::key_to_hex(key.verifying_key().as_bytes())
}

/// The component `wasm` prepared for the device's capsule host
/// (`trevm`, the catalog's `os::capsule_host`) on `board` (what the
/// device loads).
pub fn prepare(wasm: &Path, board: &Board) -> Result<Vec<u8>> {
    let w = Workload {
        suite: "deploy".into(),
        name: wasm
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default(),
        abi: SlotAbi::Capsule,
        wasm: wasm.to_path_buf(),
    };
    Preparer::existing()
        .prepare(trevm_catalog::os::capsule_host(), &w, board.pointer_width)
        .map_err(|r| Error::Deploy(format!("{}: {} ({:?})", wasm.display(), r.message, r.kind)))
}

/// The envelope of the component `wasm` for `board`: [`prepare`]d and
/// signed by `kid` with `key`.
pub fn envelope(wasm: &Path, board: &Board, key: &SigningKey, kid: &str) -> Result<Vec<u8>> {
    Ok(update::seal(&prepare(wasm, board)?, key, kid.as_bytes()))
}

/// PUTs `envelope` to the device at `to` over CoAP; its answer (2.04 and
/// the update's cost, or the refusal).
pub fn send(envelope: &[u8], to: SocketAddr) -> Result<Reply> {
    let mut c =
        Client::new(to, Duration::from_secs(2)).map_err(|e| Error::Deploy(e.to_string()))?;
    Link::request(&mut c, Method::Put, trevm_bench::device::PREFIX, envelope)
}
