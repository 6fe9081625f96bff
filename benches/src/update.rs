//! Capsule updates: a new capsule, delivered as bytes, replaces a running
//! persistent one, as treVM deploys capsules in the field.
//!
//! **The envelope** is a COSE_Sign1 message (RFC 9052) whose payload is the
//! capsule in the form the runtime loads (precompiled), signed with Ed25519
//! (`alg` EdDSA in the protected header, the signer's key id in `kid`).
//! [`open`] checks, in this order, that the bytes are a COSE_Sign1 message,
//! that the algorithm is EdDSA, that the key id names a trusted key
//! (origin), and that the signature holds over the protected header and the
//! capsule (integrity); each refusal is its own [`Rejected`] variant.
//!
//! **The swap** ([`replace`]) loads the new capsule while the old one still
//! runs, calls its `init`, and only then drops the old one: a capsule that
//! is refused, or fails to load or initialise, leaves the old one running.
//! The peak RAM of an update therefore holds both capsules at once; the
//! caller measures it around [`replace`] with the tracking allocator
//! ([`crate::alloc`]), as a cell's peak heap.

use alloc_crate::boxed::Box;
use alloc_crate::vec::Vec;
use core::fmt;

use coset::{iana, CborSerializable, CoseSign1, CoseSign1Builder, HeaderBuilder};
use ed25519_dalek::{Signature, Signer, Verifier, VerifyingKey};

/// The deployer's Ed25519 key, which [`seal`] signs with.
pub use ed25519_dalek::SigningKey;

use crate::capsule::{Capsule, Components, Env, Kind};
use crate::error::{Error, ErrorKind, Stage};

/// A key the device trusts to sign capsules.
#[derive(Clone, Copy, Debug)]
pub struct Trusted<'k> {
    /// The key id the envelope names (`kid`).
    pub kid: &'k [u8],
    /// The Ed25519 public key.
    pub key: VerifyingKey,
}

impl<'k> Trusted<'k> {
    /// A trusted key from its 32 public-key bytes; `None` when they are no
    /// Ed25519 public key.
    pub fn new(kid: &'k [u8], key: &[u8; 32]) -> Option<Self> {
        Some(Trusted {
            kid,
            key: VerifyingKey::from_bytes(key).ok()?,
        })
    }
}

/// A 32-byte key from 64 hex digits (surrounding white space ignored);
/// `None` when it is not that.
pub fn key_from_hex(text: &str) -> Option<[u8; 32]> {
    let t = text.trim().as_bytes();
    if t.len() != 64 {
        return None;
    }
    let digit = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    let mut key = [0; 32];
    for (k, pair) in key.iter_mut().zip(t.chunks(2)) {
        *k = digit(pair[0])? << 4 | digit(pair[1])?;
    }
    Some(key)
}

/// A key as 64 lowercase hex digits (what [`key_from_hex`] reads).
pub fn key_to_hex(key: &[u8; 32]) -> alloc_crate::string::String {
    use core::fmt::Write as _;
    let mut s = alloc_crate::string::String::with_capacity(64);
    for b in key {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// Why an update was refused before anything was loaded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Rejected {
    /// Not a COSE_Sign1 message (truncated, or not CBOR at all).
    NotSign1,
    /// The protected header does not say EdDSA.
    Algorithm,
    /// No key id, or one the device does not trust: unknown origin.
    UnknownKey,
    /// The signature does not hold: the capsule or its header changed.
    Signature,
    /// A signed envelope without a capsule.
    NoPayload,
}

impl fmt::Display for Rejected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Rejected::NotSign1 => "not a COSE_Sign1 message (truncated or not CBOR)",
            Rejected::Algorithm => "the envelope's algorithm is not EdDSA",
            Rejected::UnknownKey => "signed by a key this device does not trust",
            Rejected::Signature => {
                "the signature does not verify: the capsule was altered, or signed by another key under a trusted name"
            }
            Rejected::NoPayload => "the envelope carries no capsule",
        })
    }
}

impl From<Rejected> for Error {
    fn from(r: Rejected) -> Error {
        let kind = match r {
            Rejected::NotSign1 | Rejected::NoPayload => ErrorKind::Malformed,
            Rejected::Algorithm | Rejected::UnknownKey | Rejected::Signature => ErrorKind::Verify,
        };
        Error::new(
            kind,
            Stage::Load,
            alloc_crate::format!("update refused: {r}"),
        )
    }
}

/// Signs `capsule` (the prepared form) into an envelope, as the party that
/// deploys capsules does.
pub fn seal(capsule: &[u8], key: &SigningKey, kid: &[u8]) -> Vec<u8> {
    let protected = HeaderBuilder::new()
        .algorithm(iana::Algorithm::EdDSA)
        .key_id(kid.to_vec())
        .build();
    CoseSign1Builder::new()
        .protected(protected)
        .payload(capsule.to_vec())
        .create_signature(b"", |data| key.sign(data).to_bytes().to_vec())
        .build()
        .to_vec()
        .expect("a COSE_Sign1 message encodes")
}

/// Checks an envelope against the trusted keys and returns the capsule.
pub fn open(envelope: &[u8], trusted: &[Trusted<'_>]) -> Result<Vec<u8>, Rejected> {
    let msg = CoseSign1::from_slice(envelope).map_err(|_| Rejected::NotSign1)?;
    let alg = msg.protected.header.alg.as_ref();
    if alg != Some(&coset::Algorithm::Assigned(iana::Algorithm::EdDSA)) {
        return Err(Rejected::Algorithm);
    }
    let kid = &msg.protected.header.key_id;
    let key = trusted
        .iter()
        .find(|t| !kid.is_empty() && t.kid == kid.as_slice())
        .ok_or(Rejected::UnknownKey)?;
    msg.verify_signature(b"", |sig, data| {
        let sig = Signature::from_slice(sig).map_err(|_| Rejected::Signature)?;
        key.key.verify(data, &sig).map_err(|_| Rejected::Signature)
    })?;
    msg.payload.ok_or(Rejected::NoPayload)
}

/// Replaces the running persistent capsule `running` by `capsule` (opened
/// from an envelope by [`open`]): loads and initialises the new one beside
/// the old, then swaps, and returns the old one (the caller drops it, and
/// then may free the bytes it was loaded from). On any error the old
/// capsule is left in place, untouched, and still answers.
pub fn replace<'a>(
    host: &'a dyn Components,
    running: &mut Box<dyn Capsule + 'a>,
    capsule: &'a [u8],
    env: Env,
) -> Result<Box<dyn Capsule + 'a>, Error> {
    let new = load_persistent(host, capsule, env)?;
    Ok(core::mem::replace(running, new))
}

/// Loads `capsule` and calls its `init`: what [`replace`] puts in place,
/// and the first capsule a device starts. It must be persistent (export
/// the handler): anything else is an [`ErrorKind::Link`] error.
pub fn load_persistent<'a>(
    host: &'a dyn Components,
    capsule: &'a [u8],
    env: Env,
) -> Result<Box<dyn Capsule + 'a>, Error> {
    let mut new = host.load(capsule, env)?;
    if new.kind() != Kind::Persistent {
        return Err(Error::new(
            ErrorKind::Link,
            Stage::Instantiate,
            "an update must be a persistent capsule (it exports the handler)",
        ));
    }
    new.init()?;
    Ok(new)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(seed: u8) -> SigningKey {
        SigningKey::from_bytes(&[seed; 32])
    }

    #[test]
    fn a_sealed_capsule_opens_and_every_alteration_is_refused() {
        let (k, other) = (key(7), key(8));
        let trusted = [Trusted {
            kid: b"deployer",
            key: k.verifying_key(),
        }];
        let capsule = b"capsule bytes".to_vec();
        let env = seal(&capsule, &k, b"deployer");
        assert_eq!(open(&env, &trusted), Ok(capsule.clone()));

        // Integrity: one byte of the capsule changed.
        let at = env
            .windows(capsule.len())
            .position(|w| w == capsule)
            .unwrap();
        let mut tampered = env.clone();
        tampered[at] ^= 1;
        assert_eq!(open(&tampered, &trusted), Err(Rejected::Signature));
        // Truncated in transit.
        assert_eq!(
            open(&env[..env.len() - 9], &trusted),
            Err(Rejected::NotSign1)
        );
        // Origin: a key the device does not know, or a trusted name on an
        // untrusted key.
        let stranger = seal(&capsule, &other, b"stranger");
        assert_eq!(open(&stranger, &trusted), Err(Rejected::UnknownKey));
        let impostor = seal(&capsule, &other, b"deployer");
        assert_eq!(open(&impostor, &trusted), Err(Rejected::Signature));
    }

    #[test]
    fn keys_go_to_hex_and_back() {
        let k = key(9).verifying_key().to_bytes();
        let hex = key_to_hex(&k);
        assert_eq!(hex.len(), 64);
        assert_eq!(key_from_hex(&hex), Some(k));
        assert_eq!(key_from_hex(&alloc_crate::format!(" {hex}\n")), Some(k));
        assert_eq!(key_from_hex(&hex[1..]), None);
        assert_eq!(key_from_hex(&"zz".repeat(32)), None);
    }
}
