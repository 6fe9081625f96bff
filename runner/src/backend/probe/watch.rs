//! Watching a running core: the runner polls the firmware's RTT channel
//! while the core runs (a probe reads a running core), until the firmware
//! says `bye`, the core halts, locks up or resets, the probe fails, or the
//! time budget runs out. The few core calls it needs are [`CoreOps`], so the
//! loop and [`CoreMemory`] (the RTT reader's [`MemoryAccess`] over a core)
//! are tested against an in-memory fake core.

use std::time::{Duration, Instant};

use trevm_protocol::{parse, Line};

use crate::backend::End;
use crate::target::rtt::{ControlBlock, LineAssembler, UpChannel};
use crate::target::{MemoryAccess, TargetError};

/// How often the runner reads the RTT channel of a running core.
#[cfg_attr(not(feature = "probe"), allow(dead_code))]
pub const POLL: Duration = Duration::from_millis(10);

/// Why a core operation failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CoreError(pub String);

/// What the runner sees of a core between two polls.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CoreState {
    /// Running (or sleeping).
    Running,
    /// Halted; the reason as the probe gives it.
    Halted(String),
    /// Locked up (Cortex-M: a fault in the fault handler).
    LockedUp,
    /// Reset since the last poll.
    Reset,
}

/// The few calls the runner makes on a probe-rs `Core`, so the poll loop
/// and [`CoreMemory`] are tested against an in-memory fake.
pub trait CoreOps {
    /// Reads `buf.len()` bytes at `addr` (the core may run).
    fn read_8(&mut self, addr: u64, buf: &mut [u8]) -> Result<(), CoreError>;
    /// Writes `data` at `addr` (the core may run).
    fn write_8(&mut self, addr: u64, data: &[u8]) -> Result<(), CoreError>;
    /// The core's state since the last call.
    fn state(&mut self) -> Result<CoreState, CoreError>;
}

impl<C: CoreOps + ?Sized> CoreOps for &mut C {
    fn read_8(&mut self, addr: u64, buf: &mut [u8]) -> Result<(), CoreError> {
        (**self).read_8(addr, buf)
    }
    fn write_8(&mut self, addr: u64, data: &[u8]) -> Result<(), CoreError> {
        (**self).write_8(addr, data)
    }
    fn state(&mut self) -> Result<CoreState, CoreError> {
        (**self).state()
    }
}

/// [`MemoryAccess`] over a probe's core: the RTT reader's view of a board.
pub struct CoreMemory<C>(pub C);

impl<C: CoreOps> MemoryAccess for CoreMemory<C> {
    fn read(&mut self, addr: u64, buf: &mut [u8]) -> Result<(), TargetError> {
        self.0
            .read_8(addr, buf)
            .map_err(|e| probe_error("read", addr, e))
    }
    fn write(&mut self, addr: u64, data: &[u8]) -> Result<(), TargetError> {
        self.0
            .write_8(addr, data)
            .map_err(|e| probe_error("write", addr, e))
    }
}

fn probe_error(what: &str, addr: u64, e: CoreError) -> TargetError {
    TargetError::Io(std::io::Error::other(format!(
        "probe {what} at {addr:#010x}: {}",
        e.0
    )))
}

/// Whether `line` is the protocol message of kind `kind` (`hello`, `bye`).
fn is_message(line: &str, kind: &str) -> bool {
    matches!(parse(line), Ok(Line::Message(m)) if m.kind() == kind)
}

/// Polls a running core until the firmware says `bye` ([`End::Finished`]), the core halts,
/// locks up or resets, the probe fails, or `deadline` passes; the lines
/// read go to `lines` (a partial last line included).
pub fn watch<C: CoreOps>(
    core: &mut C,
    rtt: u64,
    deadline: Instant,
    poll: Duration,
    lines: &mut Vec<String>,
) -> End {
    let mut mem = CoreMemory(core);
    let mut assembler = LineAssembler::new();
    let mut channel: Option<UpChannel> = None;
    let mut hellos = 0;
    let end = 'poll: loop {
        // The state first, then the channel: lines written before a halt
        // are still read.
        let state = match mem.0.state() {
            Ok(s) => s,
            Err(e) => break End::ProbeLost(e.0),
        };
        if channel.is_none() {
            match ControlBlock::read(&mut mem, rtt) {
                // The ID is written last: a block with its ID and a bad
                // channel is corrupt.
                Ok(cb) => match cb.up_channel(&mut mem, 0) {
                    Ok(ch) => channel = Some(ch),
                    Err(TargetError::Protocol(m)) => break End::Rtt(m),
                    Err(e) => break End::ProbeLost(e.to_string()),
                },
                // Not set up yet (the firmware paints its stack first).
                Err(TargetError::Protocol(_)) => {}
                Err(e) => break End::ProbeLost(e.to_string()),
            }
        }
        if let Some(ch) = &mut channel {
            match ch.drain(&mut mem) {
                Ok(bytes) => {
                    for line in assembler.push(&bytes) {
                        if is_message(&line, "hello") {
                            hellos += 1;
                            if hellos > 1 {
                                break 'poll End::Reset;
                            }
                        }
                        let bye = is_message(&line, "bye");
                        lines.push(line);
                        if bye {
                            break 'poll End::Finished;
                        }
                    }
                }
                Err(TargetError::Protocol(m)) => break End::Rtt(m),
                Err(e) => break End::ProbeLost(e.to_string()),
            }
        }
        match state {
            CoreState::Running => {}
            CoreState::Halted(why) => break End::Halted(why),
            CoreState::LockedUp => break End::LockedUp,
            CoreState::Reset => break End::Reset,
        }
        if Instant::now() >= deadline {
            break if channel.is_some() {
                End::TimedOut
            } else {
                End::NoRtt
            };
        }
        std::thread::sleep(poll);
    };
    lines.extend(assembler.finish());
    end
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::target::rtt::ID;
    use trevm_protocol::Message;

    const BASE: u64 = 0x2000_0000;
    const CB: u64 = BASE + 0x100;
    const BUF: u64 = BASE + 0x400;
    const SIZE: u32 = 64;

    /// A core running a scripted firmware: each `state()` call is one poll
    /// interval, in which the firmware writes its next chunk into the RTT
    /// ring (waiting while the ring is full, as `BlockIfFull` does). The
    /// control block appears only after `boot` polls.
    struct FakeCore {
        mem: Vec<u8>,
        chunks: Vec<Vec<u8>>,
        polls: usize,
        boot: usize,
        /// What `state()` reports from poll `n` on.
        then: Option<(usize, CoreState)>,
        /// Reads fail from poll `n` on (probe unplugged).
        lose_at: Option<usize>,
        pending: Vec<u8>,
    }

    impl FakeCore {
        fn new(output: &[&str]) -> Self {
            FakeCore {
                mem: vec![0; 0x1000],
                chunks: output.iter().map(|s| s.as_bytes().to_vec()).collect(),
                polls: 0,
                boot: 2,
                then: None,
                lose_at: None,
                pending: Vec::new(),
            }
        }
        fn put32(&mut self, addr: u64, v: u32) {
            let s = (addr - BASE) as usize;
            self.mem[s..s + 4].copy_from_slice(&v.to_le_bytes());
        }
        fn get32(&self, addr: u64) -> u32 {
            let s = (addr - BASE) as usize;
            u32::from_le_bytes(self.mem[s..s + 4].try_into().unwrap())
        }
        fn init_rtt(&mut self) {
            let cb = (CB - BASE) as usize;
            self.mem[cb..cb + 10].copy_from_slice(ID);
            self.put32(CB + 16, 1);
            self.put32(CB + 20, 0);
            self.put32(CB + 28, BUF as u32);
            self.put32(CB + 32, SIZE);
        }
        /// The firmware's side: writes what fits of the pending output.
        fn produce(&mut self) {
            if self.pending.is_empty() && !self.chunks.is_empty() {
                self.pending = self.chunks.remove(0);
            }
            let mut w = self.get32(CB + 24 + 12);
            let r = self.get32(CB + 24 + 16);
            while !self.pending.is_empty() && (w + 1) % SIZE != r {
                let b = self.pending.remove(0);
                let at = (BUF - BASE) as usize + w as usize;
                self.mem[at] = b;
                w = (w + 1) % SIZE;
            }
            self.put32(CB + 24 + 12, w);
        }
        fn check(&self, addr: u64, len: usize) -> Result<usize, CoreError> {
            if self.lose_at.is_some_and(|n| self.polls >= n) {
                return Err(CoreError("probe disconnected".into()));
            }
            match addr.checked_sub(BASE) {
                Some(s) if s as usize + len <= self.mem.len() => Ok(s as usize),
                _ => Err(CoreError(format!("fault at {addr:#x}"))),
            }
        }
    }

    impl CoreOps for FakeCore {
        fn read_8(&mut self, addr: u64, buf: &mut [u8]) -> Result<(), CoreError> {
            let s = self.check(addr, buf.len())?;
            buf.copy_from_slice(&self.mem[s..s + buf.len()]);
            Ok(())
        }
        fn write_8(&mut self, addr: u64, data: &[u8]) -> Result<(), CoreError> {
            let s = self.check(addr, data.len())?;
            self.mem[s..s + data.len()].copy_from_slice(data);
            Ok(())
        }
        fn state(&mut self) -> Result<CoreState, CoreError> {
            self.polls += 1;
            if self.lose_at.is_some_and(|n| self.polls >= n) {
                return Err(CoreError("probe disconnected".into()));
            }
            if let Some((n, s)) = &self.then {
                if self.polls >= *n {
                    return Ok(s.clone());
                }
            }
            if self.polls == self.boot {
                self.init_rtt();
            }
            if self.polls >= self.boot {
                self.produce();
            }
            Ok(CoreState::Running)
        }
    }

    fn line(m: Message<&str>) -> String {
        let mut s = String::new();
        m.write(&mut s).unwrap();
        s
    }

    fn hello() -> String {
        line(Message::Hello {
            board: "b",
            runtime: "r",
            crate_name: "",
            version: "",
            features: "",
            clock_unit: "cycles",
            clock_source: "x",
            clock_hz: 1,
            heap: 1,
        })
    }

    fn bye() -> String {
        line(Message::Bye)
    }

    fn run(core: &mut FakeCore, budget: Duration) -> (End, Vec<String>) {
        let mut lines = Vec::new();
        let end = watch(
            core,
            CB,
            Instant::now() + budget,
            Duration::ZERO,
            &mut lines,
        );
        (end, lines)
    }

    #[test]
    fn memory_access_over_a_core_reads_writes_and_reports_faults() {
        let mut core = FakeCore::new(&[]);
        let mut mem = CoreMemory(&mut core);
        mem.write(BASE + 8, b"abcd").unwrap();
        let mut b = [0u8; 4];
        mem.read(BASE + 8, &mut b).unwrap();
        assert_eq!(&b, b"abcd");
        let e = mem.read(BASE + 0x1000, &mut b).unwrap_err();
        assert!(
            matches!(&e, TargetError::Io(io) if io.to_string().contains("probe read at 0x20001000")),
            "{e}"
        );
        assert!(mem.write(0x10, b"x").is_err());
    }

    #[test]
    fn rtt_drains_over_the_probe_memory() {
        let mut core = FakeCore::new(&["hello, ", "world\n"]);
        core.init_rtt();
        let mut mem = CoreMemory(&mut core);
        let mut ch = ControlBlock::read(&mut mem, CB)
            .unwrap()
            .up_channel(&mut mem, 0)
            .unwrap();
        assert_eq!(ch.drain(&mut mem).unwrap(), b"");
        mem.0.produce();
        mem.0.produce();
        assert_eq!(ch.drain(&mut mem).unwrap(), b"hello, world\n");
        assert_eq!(mem.0.get32(CB + 24 + 16), 13, "RdOff stored back");
    }

    #[test]
    fn a_cell_ends_at_bye_across_ring_wraps() {
        // More output than the 64-byte ring holds: the fake firmware waits
        // for the host as BlockIfFull does.
        let long = format!("{}\n", "x".repeat(150));
        let (h, b) = (hello(), bye());
        let mut core = FakeCore::new(&[&h, &long, &b, "after\n"]);
        let (end, lines) = run(&mut core, Duration::from_secs(10));
        assert!(matches!(end, End::Finished), "{end:?}");
        assert!(is_message(&lines[0], "hello"), "{lines:?}");
        assert_eq!(lines[1], "x".repeat(150));
        assert_eq!(lines.last().unwrap(), b.trim_end());
    }

    #[test]
    fn halts_lockups_resets_and_probe_loss_end_the_session() {
        for (state, want) in [
            (
                CoreState::Halted("Breakpoint".into()),
                r#"Halted("Breakpoint")"#,
            ),
            (CoreState::LockedUp, "LockedUp"),
            (CoreState::Reset, "Reset"),
        ] {
            let mut core = FakeCore::new(&[&hello(), "partial line"]);
            core.then = Some((5, state));
            let (end, lines) = run(&mut core, Duration::from_secs(10));
            assert_eq!(format!("{end:?}"), want);
            // What came before the stop was read, the partial line too.
            assert_eq!(lines.len(), 2, "{lines:?}");
            assert_eq!(lines[1], "partial line");
        }
        // The firmware started again: a second hello.
        let cell = line(Message::Cell {
            suite: "own",
            workload: "w",
            abi: "embench",
        });
        let mut core = FakeCore::new(&[&hello(), &cell, &hello()]);
        let (end, _) = run(&mut core, Duration::from_secs(10));
        assert!(matches!(end, End::Reset), "{end:?}");

        let mut core = FakeCore::new(&[&hello()]);
        core.lose_at = Some(4);
        let (end, _) = run(&mut core, Duration::from_secs(10));
        assert!(
            matches!(&end, End::ProbeLost(m) if m.contains("disconnected")),
            "{end:?}"
        );
    }

    #[test]
    fn budget_and_missing_rtt() {
        let mut core = FakeCore::new(&[&hello()]);
        let (end, _) = run(&mut core, Duration::from_millis(30));
        assert!(matches!(end, End::TimedOut), "{end:?}");
        let mut core = FakeCore::new(&[]);
        core.boot = usize::MAX;
        let (end, _) = run(&mut core, Duration::from_millis(30));
        assert!(matches!(end, End::NoRtt), "{end:?}");
        // A block with its ID but a corrupt descriptor.
        let mut core = FakeCore::new(&[&hello()]);
        core.init_rtt();
        core.put32(CB + 32, 0);
        core.boot = usize::MAX;
        let (end, _) = run(&mut core, Duration::from_secs(1));
        assert!(
            matches!(&end, End::Rtt(m) if m.contains("buffer size 0")),
            "{end:?}"
        );
    }
}
