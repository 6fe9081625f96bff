//! Deploying a capsule to a device that serves the treVM device over CoAP
//! (`ariel/src/coap.rs`): the capsule is prepared for `trevm` at the
//! board's pointer width (by the host programs, as for a cell), sealed in a
//! COSE_Sign1 envelope with the deployer's Ed25519 key
//! (`trevm_bench::update`), and PUT to `/vm1` in Block1 blocks
//! ([`crate::target::coap`]). The device checks the signature, then
//! replaces the running capsule, or keeps it and says why not.

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use trevm_bench::update::{self, SigningKey};
use trevm_catalog::board::Board;
use trevm_protocol::slot::SlotAbi;

use crate::prepare::Preparer;
use crate::suite::Workload;
use crate::target::coap::{Client, Method, Reply};
use crate::{Error, Result};

/// The runtime variant that hosts capsules on a device.
pub const HOST_RUNTIME: &str = "trevm";

/// The deployer's key from a file of 64 hex digits (the Ed25519 secret
/// seed).
pub fn read_key(path: &Path) -> Result<SigningKey> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::io(format!("reading the key {}", path.display()), e))?;
    let t = text.trim();
    let seed: Option<Vec<u8>> = (t.len() == 64)
        .then(|| {
            (0..32)
                .map(|i| u8::from_str_radix(&t[2 * i..2 * i + 2], 16).ok())
                .collect()
        })
        .flatten();
    let seed: [u8; 32] = seed.and_then(|s| s.try_into().ok()).ok_or_else(|| {
        Error::Deploy(format!(
            "{}: not 64 hex digits (an Ed25519 seed)",
            path.display()
        ))
    })?;
    Ok(SigningKey::from_bytes(&seed))
}

/// The public key the device must trust (its `TREVM_UPDATE_KEY`), in hex.
pub fn public_hex(key: &SigningKey) -> String {
    key.verifying_key()
        .as_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The envelope of the component `wasm` for `board`: prepared for
/// [`HOST_RUNTIME`] and signed by `kid` with `key`.
pub fn envelope(wasm: &Path, board: &Board, key: &SigningKey, kid: &str) -> Result<Vec<u8>> {
    let w = Workload {
        suite: "deploy".into(),
        name: wasm
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default(),
        abi: SlotAbi::Capsule,
        wasm: wasm.to_path_buf(),
    };
    let prepared = Preparer::existing()
        .prepare(HOST_RUNTIME, &w, board.pointer_width)
        .map_err(|r| Error::Deploy(format!("{}: {} ({:?})", wasm.display(), r.message, r.kind)))?;
    Ok(update::seal(&prepared, key, kid.as_bytes()))
}

/// PUTs `envelope` to the device at `to`; its answer (2.04 and the
/// update's cost, or the refusal).
pub fn send(envelope: &[u8], to: SocketAddr) -> Result<Reply> {
    let mut c =
        Client::new(to, Duration::from_secs(2)).map_err(|e| Error::Deploy(e.to_string()))?;
    c.request(Method::Put, trevm_bench::device::PREFIX, envelope)
        .map_err(|e| Error::Deploy(e.to_string()))
}
