//! A minimal GDB Remote Serial Protocol client, enough to drive QEMU's
//! gdbstub: memory, one breakpoint, continue, interrupt, kill.
//!
//! QEMU is started halted (`-S`) with its stub on a Unix-domain socket:
//!
//! ```text
//! qemu-system-arm ... -S -chardev socket,path=SOCK,server=on,wait=off,id=gdb0 -gdb chardev:gdb0
//! ```
//!
//! and [`GdbClient::connect_unix`] retries until the socket appears.
//!
//! The protocol is all-stop: memory is read and written only while the
//! target is halted (at the initial `-S` stop or at a breakpoint); while it
//! runs, memory requests fail with [`TargetError::Running`]. That matters for
//! measurement under `-icount shift=0,align=off,sleep=off`, where time is
//! an instruction count: the runner halts the guest only at breakpoints the
//! firmware reaches by itself, never by polling with interrupts.
//!
//! What QEMU 7.2's stub does, and how the client deals with it:
//! - it does not offer `QStartNoAckMode` (later versions do): packets are
//!   acknowledged with `+`, and the client switches acks off only when
//!   offered;
//! - resuming from a breakpoint reports the same breakpoint again at once:
//!   [`GdbClient::resume`] steps one instruction with the breakpoints
//!   removed first, as GDB does (under `-icount` the per-iteration
//!   instruction count stays exact);
//! - `Z0` does not patch guest memory (TCG checks breakpoints on
//!   translation), so software breakpoints work on code in ROM (tested on
//!   RISC-V virt's reset ROM); `Z1` works the same way;
//! - any byte that arrives while the guest runs is taken as an interrupt:
//!   packets go only to a halted guest ([`GdbClient::kill`] interrupts
//!   first);
//! - a guest exit through Arm semihosting is reported as `W xx`
//!   ([`StopReason::Exited`]); RISC-V virt's `sifive_test` exit ends QEMU
//!   without a packet ([`StopReason::Closed`]: take the code from QEMU's
//!   exit status).

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::thread;
use std::time::{Duration, Instant};

mod packet;

use super::{MemoryAccess, TargetError};
use packet::{decode_hex, encode_hex, frame, is_error_reply, parse_stop, short, show, take_packet};

/// Default time budget for one request/reply exchange.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// A byte stream with a settable read timeout: what the client needs from
/// its transport.
pub trait Transport: Read + Write {
    /// Makes reads give up after `timeout` (`None`: block) with
    /// [`io::ErrorKind::WouldBlock`] or [`io::ErrorKind::TimedOut`].
    fn set_read_timeout(&mut self, timeout: Option<Duration>) -> io::Result<()>;
}

impl Transport for UnixStream {
    fn set_read_timeout(&mut self, timeout: Option<Duration>) -> io::Result<()> {
        UnixStream::set_read_timeout(self, timeout)
    }
}

impl Transport for TcpStream {
    fn set_read_timeout(&mut self, timeout: Option<Duration>) -> io::Result<()> {
        TcpStream::set_read_timeout(self, timeout)
    }
}

/// Calls `attempt` until it connects, for at most `timeout`.
///
/// Only "not there yet" errors are retried (`NotFound`, `ConnectionRefused`,
/// `AddrNotAvailable`), every 10 ms; any other error is returned at once.
/// An `attempt` that checks the emulator process first can thus give up
/// early when it died, by returning another error kind.
pub fn connect_retry<S>(
    mut attempt: impl FnMut() -> io::Result<S>,
    timeout: Duration,
) -> Result<S, TargetError> {
    let deadline = Instant::now() + timeout;
    loop {
        match attempt() {
            Ok(s) => return Ok(s),
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::NotFound
                        | io::ErrorKind::ConnectionRefused
                        | io::ErrorKind::AddrNotAvailable
                ) =>
            {
                if Instant::now() >= deadline {
                    return Err(TargetError::Timeout(format!(
                        "the GDB stub to accept a connection ({e})"
                    )));
                }
                thread::sleep(Duration::from_millis(10));
            }
            Err(e) => return Err(TargetError::Io(e)),
        }
    }
}

/// How the target stopped, or why waiting for it ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StopReason {
    /// Halted with this signal: 5 (SIGTRAP) at a breakpoint or after a
    /// step, 2 (SIGINT) after an interrupt.
    Halted {
        /// The GDB signal number.
        signal: u8,
    },
    /// The target exited with this code (`W xx`).
    Exited(u8),
    /// The target was terminated by this signal (`X xx`).
    Signalled(u8),
    /// The connection closed: the emulator is gone.
    Closed,
    /// The target still runs after the time budget. Interrupt it
    /// ([`GdbClient::interrupt`]) or kill the emulator.
    TimedOut,
}

impl StopReason {
    /// GDB's SIGTRAP, the signal of a breakpoint stop.
    pub const SIGTRAP: u8 = 5;
    /// GDB's SIGINT, the signal of an interrupt.
    pub const SIGINT: u8 = 2;

    /// True for a halt with SIGTRAP (a breakpoint; with one breakpoint set
    /// and no stepping, that breakpoint).
    pub fn is_breakpoint(&self) -> bool {
        *self
            == StopReason::Halted {
                signal: Self::SIGTRAP,
            }
    }
}

/// The breakpoint flavour of a `Z`/`z` packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BreakpointKind {
    /// `Z0`: a software breakpoint. In QEMU (TCG) it does not patch guest
    /// memory, so it works on code in ROM/flash as well.
    Software,
    /// `Z1`: a hardware breakpoint.
    Hardware,
}

impl BreakpointKind {
    fn code(self) -> u8 {
        match self {
            BreakpointKind::Software => 0,
            BreakpointKind::Hardware => 1,
        }
    }
}

/// What the client knows about the target's run state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Halted { signal: u8 },
    Running,
    Exited(u8),
    Signalled(u8),
    Closed,
}

/// A GDB remote protocol client on a stream (a Unix or TCP socket to QEMU).
#[derive(Debug)]
pub struct GdbClient<S> {
    stream: S,
    /// Received, not yet consumed bytes.
    rx: Vec<u8>,
    /// Whether packets are acknowledged (`+`/`-`); off after
    /// `QStartNoAckMode`.
    ack_mode: bool,
    /// The stub's largest packet, bytes.
    packet_size: usize,
    state: State,
    request_timeout: Duration,
    /// Breakpoints set, to step over them on resume.
    breakpoints: Vec<(u64, BreakpointKind)>,
    /// The last stop came from running into a breakpoint (SIGTRAP): the
    /// PC may sit on one, which the stub would report again at once.
    at_breakpoint: bool,
}

impl GdbClient<UnixStream> {
    /// Connects to a stub listening on the Unix socket `path`, retrying
    /// until the socket appears or `timeout` passes, and performs the
    /// handshake (see [`GdbClient::new`]).
    pub fn connect_unix(path: &Path, timeout: Duration) -> Result<Self, TargetError> {
        let stream = connect_retry(|| UnixStream::connect(path), timeout)?;
        GdbClient::new(stream)
    }
}

impl GdbClient<TcpStream> {
    /// Connects to a stub listening on `addr` (e.g. `127.0.0.1:PORT`),
    /// retrying until it accepts or `timeout` passes, and performs the
    /// handshake (see [`GdbClient::new`]).
    pub fn connect_tcp(addr: SocketAddr, timeout: Duration) -> Result<Self, TargetError> {
        let stream = connect_retry(|| TcpStream::connect_timeout(&addr, timeout), timeout)?;
        stream.set_nodelay(true)?;
        GdbClient::new(stream)
    }
}

impl<S: Transport> GdbClient<S> {
    /// Takes over a connected stream and performs the handshake: learns the
    /// packet size, switches acknowledgements off when the stub offers
    /// `QStartNoAckMode`, and asks why the target is halted (`?`).
    pub fn new(stream: S) -> Result<Self, TargetError> {
        let mut c = GdbClient {
            stream,
            rx: Vec::new(),
            ack_mode: true,
            packet_size: 400,
            state: State::Halted {
                signal: StopReason::SIGTRAP,
            },
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            breakpoints: Vec::new(),
            at_breakpoint: false,
        };
        let features = c.request(b"qSupported:swbreak+;hwbreak+")?;
        let features = String::from_utf8_lossy(&features).into_owned();
        for f in features.split(';') {
            if let Some(size) = f.strip_prefix("PacketSize=") {
                if let Ok(n) = usize::from_str_radix(size, 16) {
                    c.packet_size = n.clamp(64, 1 << 16);
                }
            }
        }
        if features.split(';').any(|f| f == "QStartNoAckMode+") {
            // The reply is still acknowledged (`receive` does so); from the
            // next packet on, neither side acknowledges.
            let r = c.request(b"QStartNoAckMode")?;
            if r == b"OK" {
                c.ack_mode = false;
            }
        }
        let reply = c.request(b"?")?;
        match parse_stop(&reply)? {
            Some(stop) => c.apply_stop(stop),
            None => {
                return Err(TargetError::protocol(format!(
                    "`?` answered with `{}`, not a stop reply",
                    show(&reply)
                )))
            }
        };
        Ok(c)
    }

    /// Sets the time budget of one request/reply exchange (default
    /// [`DEFAULT_REQUEST_TIMEOUT`]). A reply that comes later than that may
    /// be taken for the reply to the next request: after a request timeout,
    /// end the session.
    pub fn set_request_timeout(&mut self, timeout: Duration) {
        self.request_timeout = timeout;
    }

    /// Whether the stub acknowledges packets (false after `QStartNoAckMode`).
    pub fn ack_mode(&self) -> bool {
        self.ack_mode
    }

    /// The largest packet the stub accepts, bytes.
    pub fn packet_size(&self) -> usize {
        self.packet_size
    }

    /// Gives the stream back (e.g. to shut it down).
    pub fn into_inner(self) -> S {
        self.stream
    }

    /// Inserts a breakpoint at `addr` (`Z0`/`Z1`). For Arm pass the address
    /// without the Thumb bit. Inserting one that is set already does
    /// nothing.
    pub fn insert_breakpoint(
        &mut self,
        addr: u64,
        kind: BreakpointKind,
    ) -> Result<(), TargetError> {
        self.need_halted()?;
        if self.breakpoints.contains(&(addr, kind)) {
            return Ok(());
        }
        self.breakpoint(b'Z', addr, kind)?;
        self.breakpoints.push((addr, kind));
        Ok(())
    }

    /// Removes a breakpoint set with [`GdbClient::insert_breakpoint`].
    pub fn remove_breakpoint(
        &mut self,
        addr: u64,
        kind: BreakpointKind,
    ) -> Result<(), TargetError> {
        self.need_halted()?;
        self.breakpoint(b'z', addr, kind)?;
        self.breakpoints.retain(|b| *b != (addr, kind));
        Ok(())
    }

    /// Sends one `Z`/`z` packet.
    fn breakpoint(&mut self, op: u8, addr: u64, kind: BreakpointKind) -> Result<(), TargetError> {
        // The last field is the breakpoint length; QEMU ignores it, 2 fits
        // Thumb and compressed RISC-V instructions.
        let cmd = format!("{}{},{:x},2", op as char, kind.code(), addr);
        let reply = self.request(cmd.as_bytes())?;
        match reply.as_slice() {
            b"OK" => Ok(()),
            b"" => Err(TargetError::Refused {
                request: cmd,
                reply: "not supported (empty reply)".into(),
            }),
            r => Err(TargetError::Refused {
                request: cmd,
                reply: show(r),
            }),
        }
    }

    /// Lets the target run (`c`) without waiting; follow with
    /// [`GdbClient::wait_stop`].
    ///
    /// After a breakpoint stop the target first steps one instruction with
    /// the breakpoints removed (as GDB does): QEMU would otherwise report
    /// the breakpoint under the PC again at once. Under `-icount` that
    /// instruction counts like any other. Should the target end during
    /// that step, the next [`GdbClient::wait_stop`] reports it.
    pub fn resume(&mut self) -> Result<(), TargetError> {
        self.need_halted()?;
        if self.at_breakpoint && !self.breakpoints.is_empty() {
            self.step_over_breakpoints()?;
            if !matches!(self.state, State::Halted { .. }) {
                return Ok(());
            }
        }
        self.send(b"c")?;
        self.state = State::Running;
        self.at_breakpoint = false;
        Ok(())
    }

    fn step_over_breakpoints(&mut self) -> Result<(), TargetError> {
        let set = self.breakpoints.clone();
        for &(addr, kind) in &set {
            self.breakpoint(b'z', addr, kind)?;
        }
        self.send(b"s")?;
        self.state = State::Running;
        let stop = self.wait_stop(self.request_timeout)?;
        self.at_breakpoint = false;
        match stop {
            StopReason::Halted { .. } => {
                for &(addr, kind) in &set {
                    self.breakpoint(b'Z', addr, kind)?;
                }
                Ok(())
            }
            StopReason::TimedOut => Err(TargetError::Timeout(
                "a single step over a breakpoint".into(),
            )),
            // Exited or gone: the state says so.
            _ => Ok(()),
        }
    }

    /// Waits up to `timeout` for the running target to stop. Returns at
    /// once with the known state when the target is not running.
    ///
    /// I/O and protocol failures are errors; the ways the run can end
    /// (halt, exit, closed connection, time budget spent) are
    /// [`StopReason`]s. After [`StopReason::TimedOut`] the target still
    /// runs.
    pub fn wait_stop(&mut self, timeout: Duration) -> Result<StopReason, TargetError> {
        if self.state != State::Running {
            return Ok(self.stop_reason());
        }
        let deadline = Instant::now() + timeout;
        loop {
            let packet = match self.receive(deadline) {
                Ok(p) => p,
                Err(TargetError::Timeout(_)) => return Ok(StopReason::TimedOut),
                Err(TargetError::Closed) => return Ok(StopReason::Closed),
                Err(e) => return Err(e),
            };
            match parse_stop(&packet)? {
                Some(stop) => {
                    self.at_breakpoint = stop.is_breakpoint();
                    return Ok(self.apply_stop(stop));
                }
                // Console output (`O hex`) and other notifications: skip.
                None if packet.first() == Some(&b'O') => continue,
                None => {
                    return Err(TargetError::protocol(format!(
                        "expected a stop reply, got `{}`",
                        show(&packet)
                    )))
                }
            }
        }
    }

    /// Continues and waits up to `timeout` for the target to stop:
    /// [`GdbClient::resume`] then [`GdbClient::wait_stop`].
    pub fn continue_and_wait(&mut self, timeout: Duration) -> Result<StopReason, TargetError> {
        self.resume()?;
        self.wait_stop(timeout)
    }

    /// Stops a running target (sends `0x03`) and waits up to `timeout` for
    /// its stop reply. A target that is not running is left alone and its
    /// known state returned.
    ///
    /// Not for measurement runs: the interrupt lands at an arbitrary
    /// instruction.
    pub fn interrupt(&mut self, timeout: Duration) -> Result<StopReason, TargetError> {
        if self.state != State::Running {
            return Ok(self.stop_reason());
        }
        match self
            .stream
            .write_all(&[0x03])
            .and_then(|_| self.stream.flush())
        {
            Ok(()) => {}
            Err(e) if is_disconnect(&e) => {
                self.state = State::Closed;
                return Ok(StopReason::Closed);
            }
            Err(e) => return Err(e.into()),
        }
        self.wait_stop(timeout)
    }

    /// Asks the stub to end the emulator (`k`) and waits up to `timeout`
    /// for it to close the connection. A running target is interrupted
    /// first (QEMU drops packets that arrive while the guest runs). A
    /// connection that is already closed, or a target that already exited,
    /// counts as killed.
    ///
    /// The caller still reaps the emulator process (and kills it if this
    /// fails).
    pub fn kill(&mut self, timeout: Duration) -> Result<(), TargetError> {
        let deadline = Instant::now() + timeout;
        if self.state == State::Running {
            match self.interrupt(timeout)? {
                StopReason::TimedOut => {
                    return Err(TargetError::Timeout(
                        "the target to stop before kill".into(),
                    ))
                }
                StopReason::Closed => return Ok(()),
                _ => {}
            }
        }
        if self.state == State::Closed {
            return Ok(());
        }
        match self.send(b"k") {
            Ok(()) | Err(TargetError::Closed) => {}
            Err(e) => return Err(e),
        }
        // Whatever still arrives is irrelevant; wait for the end of stream.
        loop {
            self.rx.clear();
            match self.fill(deadline) {
                Ok(()) => continue,
                Err(TargetError::Closed) => {
                    self.state = State::Closed;
                    return Ok(());
                }
                Err(TargetError::Timeout(_)) => {
                    return Err(TargetError::Timeout(
                        "the GDB stub to close the connection after kill".into(),
                    ))
                }
                Err(e) => return Err(e),
            }
        }
    }

    fn stop_reason(&self) -> StopReason {
        match self.state {
            State::Halted { signal } => StopReason::Halted { signal },
            State::Running => StopReason::TimedOut,
            State::Exited(c) => StopReason::Exited(c),
            State::Signalled(s) => StopReason::Signalled(s),
            State::Closed => StopReason::Closed,
        }
    }

    fn apply_stop(&mut self, stop: StopReason) -> StopReason {
        self.state = match stop {
            StopReason::Halted { signal } => State::Halted { signal },
            StopReason::Exited(c) => State::Exited(c),
            StopReason::Signalled(s) => State::Signalled(s),
            StopReason::Closed => State::Closed,
            StopReason::TimedOut => State::Running,
        };
        stop
    }

    fn need_halted(&self) -> Result<(), TargetError> {
        match self.state {
            State::Halted { .. } => Ok(()),
            State::Running => Err(TargetError::Running),
            State::Exited(c) => Err(TargetError::Exited(c)),
            State::Signalled(s) => Err(TargetError::Signalled(s)),
            State::Closed => Err(TargetError::Closed),
        }
    }

    /// Largest memory chunk per `m`/`M` packet, bytes (two hex digits per
    /// byte plus the command must fit in a packet).
    fn chunk(&self) -> usize {
        (self.packet_size.saturating_sub(48) / 2).clamp(16, 2048)
    }

    /// Sends one packet and returns the reply.
    fn request(&mut self, payload: &[u8]) -> Result<Vec<u8>, TargetError> {
        self.send(payload)?;
        let deadline = Instant::now() + self.request_timeout;
        self.receive(deadline).map_err(|e| match e {
            TargetError::Timeout(_) => {
                TargetError::Timeout(format!("the reply to `{}`", show(short(payload))))
            }
            e => e,
        })
    }

    /// Frames and sends one packet; in ack mode waits for `+`, resending on
    /// `-` a few times.
    fn send(&mut self, payload: &[u8]) -> Result<(), TargetError> {
        let frame = frame(payload);
        let deadline = Instant::now() + self.request_timeout;
        for _ in 0..4 {
            match self
                .stream
                .write_all(&frame)
                .and_then(|_| self.stream.flush())
            {
                Ok(()) => {}
                Err(e) if is_disconnect(&e) => {
                    self.state = State::Closed;
                    return Err(TargetError::Closed);
                }
                Err(e) => return Err(e.into()),
            }
            if !self.ack_mode {
                return Ok(());
            }
            match self.next_byte(deadline)? {
                b'+' => return Ok(()),
                b'-' => continue,
                b => {
                    return Err(TargetError::protocol(format!(
                        "expected an acknowledgement of `{}`, got byte {b:#04x}",
                        show(short(payload))
                    )))
                }
            }
        }
        Err(TargetError::protocol(format!(
            "the stub rejected `{}` four times",
            show(short(payload))
        )))
    }

    /// Receives one packet (acknowledging it in ack mode) and returns its
    /// decoded payload. Partial input stays buffered across a timeout.
    fn receive(&mut self, deadline: Instant) -> Result<Vec<u8>, TargetError> {
        loop {
            match take_packet(&mut self.rx) {
                Some(Ok(payload)) => {
                    if self.ack_mode {
                        // A stub that exits right after its last packet (`W xx`)
                        // may be gone already: the packet still counts.
                        match self.write_raw(b"+") {
                            Ok(()) | Err(TargetError::Closed) => {}
                            Err(e) => return Err(e),
                        }
                    }
                    return Ok(payload);
                }
                Some(Err(e)) => {
                    if self.ack_mode {
                        self.write_raw(b"-")?;
                        continue;
                    }
                    return Err(e);
                }
                None => self.fill(deadline)?,
            }
        }
    }

    fn write_raw(&mut self, bytes: &[u8]) -> Result<(), TargetError> {
        match self
            .stream
            .write_all(bytes)
            .and_then(|_| self.stream.flush())
        {
            Ok(()) => Ok(()),
            Err(e) if is_disconnect(&e) => {
                self.state = State::Closed;
                Err(TargetError::Closed)
            }
            Err(e) => Err(e.into()),
        }
    }

    fn next_byte(&mut self, deadline: Instant) -> Result<u8, TargetError> {
        if self.rx.is_empty() {
            self.fill(deadline)?;
        }
        Ok(self.rx.remove(0))
    }

    /// Reads at least one more byte into the buffer before `deadline`.
    fn fill(&mut self, deadline: Instant) -> Result<(), TargetError> {
        let mut buf = [0u8; 4096];
        loop {
            let now = Instant::now();
            if now >= deadline {
                return Err(TargetError::Timeout("the GDB stub".into()));
            }
            let left = (deadline - now).max(Duration::from_millis(1));
            self.stream.set_read_timeout(Some(left))?;
            match self.stream.read(&mut buf) {
                Ok(0) => {
                    self.state = State::Closed;
                    return Err(TargetError::Closed);
                }
                Ok(n) => {
                    self.rx.extend_from_slice(&buf[..n]);
                    return Ok(());
                }
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock
                            | io::ErrorKind::TimedOut
                            | io::ErrorKind::Interrupted
                    ) => {}
                Err(e) if is_disconnect(&e) => {
                    self.state = State::Closed;
                    return Err(TargetError::Closed);
                }
                Err(e) => return Err(e.into()),
            }
        }
    }
}

impl<S: Transport> MemoryAccess for GdbClient<S> {
    /// Reads with `m` packets, chunked to the stub's packet size. Needs a
    /// halted target.
    fn read(&mut self, addr: u64, buf: &mut [u8]) -> Result<(), TargetError> {
        self.need_halted()?;
        let mut done = 0;
        while done < buf.len() {
            let len = (buf.len() - done).min(self.chunk());
            let at = addr
                .checked_add(done as u64)
                .ok_or_else(|| TargetError::protocol("read past the end of the address space"))?;
            let cmd = format!("m{at:x},{len:x}");
            let reply = self.request(cmd.as_bytes())?;
            if is_error_reply(&reply) || reply.is_empty() {
                return Err(TargetError::Refused {
                    request: cmd,
                    reply: show(&reply),
                });
            }
            let bytes = decode_hex(&reply).ok_or_else(|| {
                TargetError::protocol(format!(
                    "`{cmd}` answered with non-hex `{}`",
                    show(short(&reply))
                ))
            })?;
            if bytes.len() > len {
                return Err(TargetError::protocol(format!(
                    "`{cmd}` answered with {} bytes",
                    bytes.len()
                )));
            }
            // A stub may answer with fewer bytes; ask again for the rest.
            buf[done..done + bytes.len()].copy_from_slice(&bytes);
            done += bytes.len();
        }
        Ok(())
    }

    /// Writes with `M` packets, chunked to the stub's packet size. Needs a
    /// halted target.
    fn write(&mut self, addr: u64, data: &[u8]) -> Result<(), TargetError> {
        self.need_halted()?;
        for (i, part) in data.chunks(self.chunk()).enumerate() {
            let at = addr
                .checked_add((i * self.chunk()) as u64)
                .ok_or_else(|| TargetError::protocol("write past the end of the address space"))?;
            let mut cmd = format!("M{at:x},{:x}:", part.len()).into_bytes();
            encode_hex(part, &mut cmd);
            let reply = self.request(&cmd)?;
            if reply != b"OK" {
                return Err(TargetError::Refused {
                    request: format!("M{at:x},{:x}", part.len()),
                    reply: show(&reply),
                });
            }
        }
        Ok(())
    }
}

fn is_disconnect(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::BrokenPipe
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::NotConnected
            | io::ErrorKind::UnexpectedEof
    )
}

#[cfg(test)]
mod tests {
    use super::packet::unescape;
    use super::*;
    use std::collections::VecDeque;

    /// A scripted stub: answers each received packet with the next entry
    /// of a list (an empty entry: no answer), acknowledging it first when
    /// `acks` is set.
    struct Script {
        replies: VecDeque<Vec<u8>>,
        sent: Vec<u8>,
        out: VecDeque<u8>,
        closed_after: bool,
        acks: bool,
    }

    impl Script {
        fn new(replies: &[&[u8]]) -> Self {
            Script {
                replies: replies.iter().map(|r| r.to_vec()).collect(),
                sent: Vec::new(),
                out: VecDeque::new(),
                closed_after: false,
                acks: false,
            }
        }
    }

    impl Read for Script {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if self.out.is_empty() {
                if self.closed_after && self.replies.is_empty() {
                    return Ok(0);
                }
                return Err(io::ErrorKind::WouldBlock.into());
            }
            let n = buf.len().min(self.out.len());
            for b in buf.iter_mut().take(n) {
                *b = self.out.pop_front().unwrap_or(0);
            }
            Ok(n)
        }
    }

    impl Write for Script {
        fn write(&mut self, data: &[u8]) -> io::Result<usize> {
            self.sent.extend_from_slice(data);
            // Every `#xx` ends a packet: queue the next scripted reply.
            if data.len() >= 3 && data[data.len() - 3] == b'#' {
                if self.acks {
                    self.out.push_back(b'+');
                }
                if let Some(r) = self.replies.pop_front() {
                    self.out.extend(r);
                }
            }
            Ok(data.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    impl Transport for Script {
        fn set_read_timeout(&mut self, _: Option<Duration>) -> io::Result<()> {
            Ok(())
        }
    }

    fn fix(p: &[u8]) -> Vec<u8> {
        // Recompute the checksum of a `$...#00` literal.
        let hash = p.iter().rposition(|&b| b == b'#').unwrap();
        frame(&unescape(&p[1..hash]).unwrap())
    }

    /// A client after the handshake (acknowledged qSupported and
    /// QStartNoAckMode, then `?` without acks), with `more` replies queued.
    fn client(more: &[&[u8]]) -> GdbClient<Script> {
        let mut all = vec![
            [b"+".to_vec(), fix(b"$PacketSize=20;QStartNoAckMode+#00")].concat(),
            [b"+".to_vec(), fix(b"$OK#00")].concat(),
            fix(b"$T05thread:01;#00"),
        ];
        all.extend(more.iter().map(|p| p.to_vec()));
        let refs: Vec<&[u8]> = all.iter().map(|v| v.as_slice()).collect();
        GdbClient::new(Script::new(&refs)).unwrap()
    }

    /// A client of a stub without `QStartNoAckMode` (QEMU 7.2), with `more`
    /// replies queued.
    fn acking_client(more: &[&[u8]]) -> GdbClient<Script> {
        let mut all = vec![
            fix(b"$PacketSize=1000;qXfer:features:read+;vContSupported+;multiprocess+#00"),
            fix(b"$T05thread:01;#00"),
        ];
        all.extend(more.iter().map(|p| p.to_vec()));
        let refs: Vec<&[u8]> = all.iter().map(|v| v.as_slice()).collect();
        let mut s = Script::new(&refs);
        s.acks = true;
        GdbClient::new(s).unwrap()
    }

    #[test]
    fn handshake_switches_acks_off() {
        let c = client(&[]);
        assert!(!c.ack_mode());
        assert_eq!(c.packet_size(), 64);
        let sent = String::from_utf8_lossy(&c.stream.sent).into_owned();
        assert!(sent.contains("$qSupported"), "{sent}");
        assert!(sent.contains("$QStartNoAckMode#b0+"), "{sent}");
        assert!(sent.ends_with("$?#3f"), "{sent}");
    }

    #[test]
    fn ack_mode_steps_over_the_breakpoint_on_resume() {
        let ok = fix(b"$OK#00");
        let stop = fix(b"$T05thread:01;#00");
        let none: &[u8] = b"";
        // Z0; c -> stop; z0, s -> stop, Z0, c -> stop
        let mut c = acking_client(&[&ok, &stop, &ok, &stop, &ok, &stop]);
        assert!(c.ack_mode());
        assert_eq!(c.packet_size(), 4096);
        c.insert_breakpoint(0x200, BreakpointKind::Software)
            .unwrap();
        let from = c.stream.sent.len();
        assert!(c
            .continue_and_wait(Duration::from_millis(10))
            .unwrap()
            .is_breakpoint());
        let sent = String::from_utf8_lossy(&c.stream.sent[from..]).into_owned();
        assert_eq!(sent, "$c#63+", "no step before the first continue");
        let from = c.stream.sent.len();
        assert!(c
            .continue_and_wait(Duration::from_millis(10))
            .unwrap()
            .is_breakpoint());
        let sent = String::from_utf8_lossy(&c.stream.sent[from..]).into_owned();
        assert_eq!(sent, "$z0,200,2#c6+$s#73+$Z0,200,2#a6+$c#63+");
        // After removal nothing is stepped over.
        c.stream.replies.extend([ok.clone(), none.to_vec()]);
        c.remove_breakpoint(0x200, BreakpointKind::Software)
            .unwrap();
        let from = c.stream.sent.len();
        c.resume().unwrap();
        let sent = String::from_utf8_lossy(&c.stream.sent[from..]).into_owned();
        assert_eq!(sent, "$c#63");
    }

    #[test]
    fn reads_memory_in_chunks() {
        // packet_size 64 -> 16-byte chunks
        let a = fix(b"$000102030405060708090a0b0c0d0e0f#00");
        let b = fix(b"$1011#00");
        let mut c = client(&[&a, &b]);
        let mut buf = [0u8; 18];
        c.read(0x2000_0000, &mut buf).unwrap();
        assert_eq!(buf[17], 0x11);
        let sent = String::from_utf8_lossy(&c.stream.sent).into_owned();
        assert!(sent.contains("$m20000000,10#"), "{sent}");
        assert!(sent.contains("$m20000010,2#"), "{sent}");
    }

    #[test]
    fn memory_errors_are_refusals() {
        let e = fix(b"$E14#00");
        let mut c = client(&[&e]);
        let mut buf = [0u8; 4];
        assert!(matches!(
            c.read(0, &mut buf),
            Err(TargetError::Refused { .. })
        ));
        let bad = fix(b"$zz#00");
        let mut c = client(&[&bad]);
        assert!(matches!(c.read(0, &mut buf), Err(TargetError::Protocol(_))));
        let long = fix(b"$0102030405#00");
        let mut c = client(&[&long]);
        assert!(matches!(c.read(0, &mut buf), Err(TargetError::Protocol(_))));
    }

    #[test]
    fn writes_memory() {
        let ok = fix(b"$OK#00");
        let mut c = client(&[&ok]);
        c.write(0x10, &[0xde, 0xad]).unwrap();
        let sent = String::from_utf8_lossy(&c.stream.sent).into_owned();
        assert!(sent.contains("$M10,2:dead#"), "{sent}");
    }

    #[test]
    fn continue_reports_stops_and_refuses_memory_while_running() {
        let mut c = client(&[]);
        c.stream.replies.push_back(fix(b"$T05thread:01;#00"));
        c.resume().unwrap();
        let mut buf = [0u8; 4];
        assert!(matches!(c.read(0, &mut buf), Err(TargetError::Running)));
        // The scripted stop reply came with the `c` packet.
        assert!(c
            .wait_stop(Duration::from_millis(10))
            .unwrap()
            .is_breakpoint());
        c.stream.replies.push_back(fix(b"$W03#00"));
        assert_eq!(
            c.continue_and_wait(Duration::from_millis(10)).unwrap(),
            StopReason::Exited(3)
        );
        assert!(matches!(c.read(0, &mut buf), Err(TargetError::Exited(3))));
    }

    #[test]
    fn wait_times_out_and_sees_eof() {
        let mut c = client(&[]);
        c.resume().unwrap();
        assert_eq!(
            c.wait_stop(Duration::from_millis(5)).unwrap(),
            StopReason::TimedOut
        );
        c.stream.closed_after = true;
        assert_eq!(
            c.wait_stop(Duration::from_millis(5)).unwrap(),
            StopReason::Closed
        );
        let mut buf = [0u8; 1];
        assert!(matches!(c.read(0, &mut buf), Err(TargetError::Closed)));
        c.kill(Duration::from_millis(5)).unwrap();
    }

    #[test]
    fn retry_gives_up_and_passes_other_errors() {
        let r: Result<(), _> = connect_retry(
            || Err(io::ErrorKind::NotFound.into()),
            Duration::from_millis(30),
        );
        assert!(matches!(r, Err(TargetError::Timeout(_))));
        let r: Result<(), _> = connect_retry(
            || Err(io::ErrorKind::PermissionDenied.into()),
            Duration::from_secs(5),
        );
        assert!(matches!(r, Err(TargetError::Io(_))));
    }
}
