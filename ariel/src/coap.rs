//! The treVM device over CoAP (the `coap` feature, the laze apps
//! `trevm-coap` and `coap-minimal`): Ariel OS's CoAP server carries requests
//! to the device ([`trevm_bench::device`]): `PUT /vm1` deploys or replaces
//! the persistent capsule, `/vm1/...` reaches it.
//!
//! An update is larger than one CoAP message; it arrives in blocks (RFC
//! 7959 Block1), which this handler gathers before the device sees the
//! whole envelope. Each block is acknowledged with 2.31 Continue; a block
//! out of order is 4.08, an upload past [`MAX_UPLOAD`] 4.13.
//!
//! Who may update: the key the device trusts, an Ed25519 public key given
//! as 64 hex digits in `TREVM_UPDATE_KEY` (at run time on `native`, at
//! build time elsewhere) for the signer `TREVM_UPDATE_KID` (default
//! `deployer`). Without one, every update is refused as of unknown origin.
//! The transport is Ariel OS's CoAP without OSCORE
//! (`coap-server-config-unprotected`): origin and integrity are the
//! envelope's signature, checked on the device.
//!
//! The `coap-minimal` app is the same server without a capsule host: the
//! minimal CoAP server of the paper's Table II (`/vm1` answers 5.01).

use alloc::string::String;
use alloc::vec::Vec;

use coap_handler::Handler;
use coap_message::{
    Code as _, MessageOption as _, MinimalWritableMessage, MutableWritableMessage,
    OptionNumber as _, ReadableMessage,
};
use trevm_bench::capsule::Method;
use trevm_bench::device::{self, Device, BAD_OPTION, CONTINUE, INCOMPLETE, TOO_LARGE};
use trevm_bench::update::Trusted;

/// Largest envelope accepted, in bytes.
pub const MAX_UPLOAD: usize = device::MAX_UPLOAD;

const URI_HOST: u16 = 3;
const URI_PORT: u16 = 7;
const URI_PATH: u16 = 11;
const URI_QUERY: u16 = 15;
const ACCEPT: u16 = 17;
const BLOCK1: u16 = 27;

/// A response decided while reading the request.
pub struct Reply {
    code: u8,
    payload: Vec<u8>,
    block1: Option<u32>,
}

fn reply(code: u8, text: &str) -> Reply {
    Reply {
        code,
        payload: text.as_bytes().to_vec(),
        block1: None,
    }
}

/// The CoAP side of the device.
pub struct Coap {
    device: Device,
    upload: Vec<u8>,
}

impl Coap {
    /// Gathers one Block1 block; `Some` is the reply while the upload
    /// goes on (or failed), `None` once `upload` holds all of it.
    fn block(&mut self, value: u32, payload: &[u8]) -> Option<Reply> {
        let (num, more, size) = (
            (value >> 4) as usize,
            value & 8 != 0,
            16usize << (value & 7).min(6),
        );
        if num == 0 {
            self.upload.clear();
        }
        if num * size != self.upload.len() {
            self.upload.clear();
            return Some(reply(INCOMPLETE, "block out of order; start again"));
        }
        if self.upload.len() + payload.len() > MAX_UPLOAD {
            self.upload.clear();
            return Some(reply(TOO_LARGE, "the upload is too large"));
        }
        self.upload.extend_from_slice(payload);
        more.then(|| Reply {
            code: CONTINUE,
            payload: Vec::new(),
            block1: Some(value),
        })
    }
}

impl Handler for Coap {
    type RequestData = Reply;
    type ExtractRequestError = core::convert::Infallible;
    type BuildResponseError<M: MinimalWritableMessage> = M::UnionError;

    fn extract_request_data<M: ReadableMessage>(
        &mut self,
        request: &M,
    ) -> Result<Reply, core::convert::Infallible> {
        let Some(method) = Method::from_code(request.code().into()) else {
            return Ok(reply(
                device::METHOD_NOT_ALLOWED,
                "GET, POST, PUT or DELETE",
            ));
        };
        let mut path: Vec<String> = Vec::new();
        let mut block1 = None;
        for o in request.options() {
            match o.number() {
                URI_PATH => match o.value_str() {
                    Some(s) => path.push(s.into()),
                    None => return Ok(reply(device::BAD_REQUEST, "a path that is not UTF-8")),
                },
                BLOCK1 => block1 = o.value_uint::<u32>(),
                URI_HOST | URI_PORT | URI_QUERY | ACCEPT => {}
                // An unknown critical option (odd number): RFC 7252 5.4.1.
                n if n & 1 == 1 => return Ok(reply(BAD_OPTION, "unsupported critical option")),
                _ => {}
            }
        }
        let whole;
        let payload = match block1 {
            Some(v) => {
                if let Some(r) = self.block(v, request.payload()) {
                    return Ok(r);
                }
                whole = core::mem::take(&mut self.upload);
                &whole[..]
            }
            None => request.payload(),
        };
        let segments: Vec<&str> = path.iter().map(String::as_str).collect();
        let r = self.device.request(method, &segments, payload);
        Ok(Reply {
            code: r.code,
            payload: r.payload,
            block1,
        })
    }

    fn estimate_length(&mut self, r: &Reply) -> usize {
        r.payload.len() + 16
    }

    fn build_response<M: MutableWritableMessage>(
        &mut self,
        response: &mut M,
        r: Reply,
    ) -> Result<(), M::UnionError> {
        response.set_code(M::Code::new(r.code).map_err(M::convert_code_error)?);
        if let Some(v) = r.block1 {
            let number = M::OptionNumber::new(BLOCK1).map_err(M::convert_option_number_error)?;
            response
                .add_option_uint(number, v)
                .map_err(M::convert_add_option_error)?;
        }
        if !r.payload.is_empty() {
            response
                .set_payload(&r.payload)
                .map_err(M::convert_set_payload_error)?;
        }
        Ok(())
    }
}

/// The trusted signer, from `TREVM_UPDATE_KEY` / `TREVM_UPDATE_KID`.
fn trusted() -> Vec<Trusted<'static>> {
    #[cfg(context = "native")]
    let (key, kid) = (
        std::env::var("TREVM_UPDATE_KEY").ok(),
        std::env::var("TREVM_UPDATE_KID").ok(),
    );
    #[cfg(not(context = "native"))]
    let (key, kid) = (
        option_env!("TREVM_UPDATE_KEY").map(String::from),
        option_env!("TREVM_UPDATE_KID").map(String::from),
    );
    match device::trusted(key.as_deref(), kid.as_deref()) {
        Ok(t) => {
            ariel_os::log::info!(
                "trevm-coap: updates signed by `{}` are trusted",
                core::str::from_utf8(t.kid).unwrap_or("?")
            );
            alloc::vec![t]
        }
        Err(e) => {
            ariel_os::log::warn!("trevm-coap: {}", e);
            Vec::new()
        }
    }
}

/// Serves the device over CoAP, forever.
pub async fn serve() -> ! {
    #[cfg(not(context = "native"))]
    crate::board::init();
    let host = device::capsule_host(if cfg!(context = "native") {
        trevm_bench::Limits::HOST
    } else {
        trevm_bench::Limits::EMBEDDED
    })
    .and_then(|rt| rt.components());
    let device = Device::new(host, trusted(), crate::board::CLOCK);
    ariel_os::log::info!(
        "trevm-coap: serving /{} ({})",
        device::PREFIX,
        if host.is_some() {
            "PUT an envelope to deploy a capsule"
        } else {
            "no capsule host"
        }
    );
    let handler = coap_handler_implementations::wkc::NotReporting::new(Coap {
        device,
        upload: Vec::new(),
    });
    ariel_os::coap::coap_run(handler).await
}
