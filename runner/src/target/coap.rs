//! CoAP over UDP, the client side: how the runner reaches a device that
//! serves the treVM device over CoAP (`ariel/src/coap.rs`; on
//! `ariel-native` through a TAP interface).
//!
//! Requests are confirmable and retransmitted with a doubling timeout
//! (RFC 7252 4.2); responses come piggybacked on the acknowledgement or
//! separately (then acknowledged). A payload larger than one block goes in
//! Block1 blocks of [`BLOCK`] bytes (RFC 7959), each answered 2.31 before
//! the next is sent. Messages are encoded by `coap-lite`.

use std::io;
use std::net::{SocketAddr, UdpSocket};
use std::time::{Duration, Instant};

use coap_lite::{CoapOption, MessageClass, MessageType, Packet};
pub use trevm_bench::capsule::Method;
use trevm_bench::device::CONTINUE;

/// The CoAP port (RFC 7252).
pub const PORT: u16 = 5683;

/// Block size of an upload: 1024 bytes (SZX 6), which with the header fits
/// the 1152-byte messages of Ariel OS's CoAP server.
pub const BLOCK: usize = 1024;
const SZX: u32 = 6;

/// Transmissions of one message before giving up (RFC 7252's
/// MAX_RETRANSMIT 4, plus the first).
const TRANSMISSIONS: u32 = 5;

/// A response: its code (class × 32 + detail) and payload.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reply {
    /// The response code.
    pub code: u8,
    /// The payload.
    pub payload: Vec<u8>,
}

impl Reply {
    /// The code as CoAP writes it, `2.05`.
    pub fn code_str(&self) -> String {
        code_str(self.code)
    }

    /// The payload as text (lossy).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.payload).into_owned()
    }
}

/// A code as CoAP writes it, `4.04`.
pub fn code_str(code: u8) -> String {
    format!("{}.{:02}", code >> 5, code & 31)
}

/// Why a request got no answer.
#[derive(Debug, thiserror::Error)]
pub enum CoapError {
    /// The socket failed.
    #[error("CoAP: {0}")]
    Io(#[from] io::Error),
    /// Nothing came back after every retransmission.
    #[error("CoAP: no answer from {peer} after {TRANSMISSIONS} transmissions (is the device up and reachable?)")]
    Timeout {
        /// The device.
        peer: SocketAddr,
    },
    /// A block of an upload was answered with something else than 2.31.
    #[error("CoAP: block {block} of the upload answered {} ({})", code_str(reply.code), reply.text())]
    Block {
        /// The block number.
        block: usize,
        /// The answer.
        reply: Reply,
    },
    /// The message could not be encoded.
    #[error("CoAP: cannot encode the request: {0}")]
    Encode(String),
}

/// A CoAP client talking to one device.
pub struct Client {
    socket: UdpSocket,
    peer: SocketAddr,
    message_id: u16,
    token: u32,
    ack_timeout: Duration,
}

impl Client {
    /// A client for `peer` whose first retransmission comes after
    /// `ack_timeout` (RFC 7252: 2 s).
    pub fn new(peer: SocketAddr, ack_timeout: Duration) -> Result<Self, CoapError> {
        let local: SocketAddr = if peer.is_ipv4() {
            "0.0.0.0:0".parse().unwrap()
        } else {
            "[::]:0".parse().unwrap()
        };
        let socket = UdpSocket::bind(local)?;
        let clock = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let seed = std::process::id() as u16 ^ clock as u16;
        Ok(Client {
            socket,
            peer,
            message_id: seed,
            token: u32::from(seed) << 8,
            ack_timeout,
        })
    }

    /// `method` on `path` (`vm1/sum`) with `payload`, in blocks when it
    /// is larger than [`BLOCK`]; the final response.
    pub fn request(
        &mut self,
        method: Method,
        path: &str,
        payload: &[u8],
    ) -> Result<Reply, CoapError> {
        if payload.len() <= BLOCK {
            return self.exchange(method, path, payload, None);
        }
        let blocks = payload.chunks(BLOCK).count();
        for (i, chunk) in payload.chunks(BLOCK).enumerate() {
            let more = i + 1 < blocks;
            let block1 = (i as u32) << 4 | u32::from(more) << 3 | SZX;
            let reply = self.exchange(method, path, chunk, Some(block1))?;
            if !more {
                return Ok(reply);
            }
            if reply.code != CONTINUE {
                return Err(CoapError::Block { block: i, reply });
            }
        }
        unreachable!("the last block returns")
    }

    /// One confirmable request and its response.
    fn exchange(
        &mut self,
        method: Method,
        path: &str,
        payload: &[u8],
        block1: Option<u32>,
    ) -> Result<Reply, CoapError> {
        self.message_id = self.message_id.wrapping_add(1);
        self.token = self.token.wrapping_add(1);
        let token = self.token.to_be_bytes().to_vec();
        let mut p = Packet::new();
        p.header.set_version(1);
        p.header.set_type(MessageType::Confirmable);
        p.header.code = MessageClass::from(method.code());
        p.header.message_id = self.message_id;
        p.set_token(token.clone());
        for segment in path.split('/').filter(|s| !s.is_empty()) {
            p.add_option(CoapOption::UriPath, segment.as_bytes().to_vec());
        }
        if let Some(v) = block1 {
            p.add_option(CoapOption::Block1, uint(v));
        }
        p.payload = payload.to_vec();
        let bytes = p
            .to_bytes()
            .map_err(|e| CoapError::Encode(format!("{e:?}")))?;

        let mut timeout = self.ack_timeout;
        let mut buf = vec![0u8; 64 * 1024];
        for _ in 0..TRANSMISSIONS {
            self.socket.send_to(&bytes, self.peer)?;
            let deadline = Instant::now() + timeout;
            let mut acked = false;
            loop {
                let left = deadline.saturating_duration_since(Instant::now());
                if left.is_zero() && !acked {
                    break;
                }
                // After an empty ACK the response comes separately, as a
                // confirmable message of its own: wait longer for it.
                self.socket
                    .set_read_timeout(Some(if acked { timeout * 4 } else { left }))?;
                let n = match self.socket.recv_from(&mut buf) {
                    Ok((n, from)) if from == self.peer => n,
                    Ok(_) => continue,
                    Err(e)
                        if matches!(
                            e.kind(),
                            io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                        ) =>
                    {
                        if acked {
                            return Err(CoapError::Timeout { peer: self.peer });
                        }
                        break;
                    }
                    Err(e) => return Err(e.into()),
                };
                let Ok(r) = Packet::from_bytes(&buf[..n]) else {
                    continue;
                };
                let ours = r.get_token() == token.as_slice();
                match (r.header.get_type(), r.header.code) {
                    (MessageType::Acknowledgement, MessageClass::Empty)
                        if r.header.message_id == self.message_id =>
                    {
                        acked = true;
                    }
                    (MessageType::Acknowledgement, MessageClass::Response(_))
                        if r.header.message_id == self.message_id && ours =>
                    {
                        return Ok(reply(&r));
                    }
                    (
                        MessageType::Confirmable | MessageType::NonConfirmable,
                        MessageClass::Response(_),
                    ) if ours => {
                        if r.header.get_type() == MessageType::Confirmable {
                            self.ack(r.header.message_id)?;
                        }
                        return Ok(reply(&r));
                    }
                    _ => {}
                }
            }
            timeout *= 2;
        }
        Err(CoapError::Timeout { peer: self.peer })
    }

    fn ack(&self, message_id: u16) -> Result<(), CoapError> {
        let mut a = Packet::new();
        a.header.set_version(1);
        a.header.set_type(MessageType::Acknowledgement);
        a.header.code = MessageClass::Empty;
        a.header.message_id = message_id;
        let bytes = a
            .to_bytes()
            .map_err(|e| CoapError::Encode(format!("{e:?}")))?;
        self.socket.send_to(&bytes, self.peer)?;
        Ok(())
    }
}

fn reply(p: &Packet) -> Reply {
    Reply {
        code: u8::from(p.header.code),
        payload: p.payload.clone(),
    }
}

/// A CoAP uint option value: big-endian, without leading zero bytes.
fn uint(v: u32) -> Vec<u8> {
    let b = v.to_be_bytes();
    let skip = b.iter().take_while(|&&x| x == 0).count();
    b[skip..].to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uints_drop_leading_zero_bytes() {
        assert_eq!(uint(0), Vec::<u8>::new());
        assert_eq!(uint(0x0e), vec![0x0e]);
        assert_eq!(uint(0x1_2e), vec![0x01, 0x2e]);
    }

    #[test]
    fn codes_read_as_coap_writes_them() {
        assert_eq!(code_str(2 * 32 + 5), "2.05");
        assert_eq!(code_str(4 * 32 + 4), "4.04");
        assert_eq!(code_str(CONTINUE), "2.31");
    }

    /// A device that answers every block with 2.31 and the last with 2.04
    /// and the bytes it received, over a real UDP socket on loopback.
    #[test]
    fn a_large_payload_goes_in_blocks() {
        let device = UdpSocket::bind("127.0.0.1:0").unwrap();
        let addr = device.local_addr().unwrap();
        let server = std::thread::spawn(move || {
            let mut got = Vec::new();
            let mut buf = vec![0u8; 2048];
            loop {
                let (n, from) = device.recv_from(&mut buf).unwrap();
                let req = Packet::from_bytes(&buf[..n]).unwrap();
                let b1 = req.get_first_option(CoapOption::Block1).unwrap().clone();
                let v = b1.iter().fold(0u32, |a, &x| a << 8 | u32::from(x));
                assert_eq!((v >> 4) as usize * BLOCK, got.len(), "in order");
                got.extend_from_slice(&req.payload);
                let more = v & 8 != 0;
                let mut r = Packet::new();
                r.header.set_version(1);
                r.header.set_type(MessageType::Acknowledgement);
                r.header.message_id = req.header.message_id;
                r.set_token(req.get_token().to_vec());
                r.header.code = MessageClass::from(if more { 0x5f } else { 0x44 });
                r.add_option(CoapOption::Block1, b1);
                if !more {
                    r.payload = (got.len() as u32).to_le_bytes().to_vec();
                }
                device.send_to(&r.to_bytes().unwrap(), from).unwrap();
                if !more {
                    return got;
                }
            }
        });
        let payload: Vec<u8> = (0..5000u32).map(|i| i as u8).collect();
        let mut c = Client::new(addr, Duration::from_secs(2)).unwrap();
        let r = c.request(Method::Put, "vm1", &payload).unwrap();
        assert_eq!(r.code_str(), "2.04");
        assert_eq!(r.payload, 5000u32.to_le_bytes());
        assert_eq!(server.join().unwrap(), payload);
    }
}
