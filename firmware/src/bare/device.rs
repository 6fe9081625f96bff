//! A device firmware (feature `device`): instead of one cell, the treVM
//! device ([`trevm_bench::device`]) serving requests that arrive as frames
//! on the RTT down channel ([`trevm_protocol::request`]), each answered
//! with a `reply` line. For boards without a network: the QEMU stand-ins,
//! and a board on its debug probe. (Over CoAP the device is Ariel OS's
//! `trevm-coap` app.)
//!
//! The signer it trusts is built in: `TREVM_UPDATE_KEY` and
//! `TREVM_UPDATE_KID` when the firmware is compiled (the runner sets them
//! from the deployer's key).

use alloc::format;
use alloc::vec::Vec;

use trevm_bench::capsule::{Method, Response};
use trevm_bench::device::{self, Device, BAD_REQUEST, METHOD_NOT_ALLOWED, TOO_LARGE};
use trevm_protocol::request::{hex, FrameError, Reader};
use trevm_protocol::Message;

use super::rtt;
use crate::cell::{self, Board};

/// Serves requests, forever.
pub fn serve(out: &mut rtt::Out, board: &Board) -> ! {
    let runtime = device::capsule_host(board.limits);
    cell::hello(
        out,
        board,
        trevm_catalog::os::capsule_host(),
        runtime.map(|r| r.info()),
    );
    let trusted = match device::trusted(
        option_env!("TREVM_UPDATE_KEY"),
        option_env!("TREVM_UPDATE_KID"),
    ) {
        Ok(t) => alloc::vec![t],
        Err(e) => {
            let _ = Message::Log {
                message: &format!("{e}"),
            }
            .write(out);
            Vec::new()
        }
    };
    let mut dev = Device::new(runtime.and_then(|r| r.components()), trusted, board.clock);
    let _ = Message::Log {
        message: &format!("device: serving /{} over RTT", device::PREFIX),
    }
    .write(out);
    let mut reader = Reader::new(device::MAX_UPLOAD);
    let mut buf = [0u8; 256];
    loop {
        let n = rtt::read(&mut buf);
        for frame in reader.push(&buf[..n]) {
            let r = match frame {
                Ok(req) => match Method::from_code(req.method) {
                    Some(m) => {
                        let path: Vec<&str> =
                            req.path.split('/').filter(|s| !s.is_empty()).collect();
                        dev.request(m, &path, &req.payload)
                    }
                    None => Response::text(METHOD_NOT_ALLOWED, "GET, POST, PUT or DELETE"),
                },
                Err(e @ (FrameError::TooLarge { .. } | FrameError::NoRoom { .. })) => {
                    Response::text(TOO_LARGE, &format!("{e}"))
                }
                Err(e) => Response::text(BAD_REQUEST, &format!("{e}")),
            };
            let _ = Message::Reply {
                code: r.code,
                payload: &hex(&r.payload),
            }
            .write(out);
        }
    }
}
