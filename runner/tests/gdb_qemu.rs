//! The GDB client and the RTT reader against a real QEMU.
//!
//! Each test boots a tiny hand-assembled program, halted (`-S`), with the
//! gdbstub on a Unix socket and time as an instruction count
//! (`-icount shift=0,align=off,sleep=off`). The program increments a
//! counter in RAM and calls a function at a known address in a loop, so a
//! breakpoint on the function stops once per iteration.
//!
//! Skipped (with a message, passing) when the QEMU binary is not installed.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use trevm_runner::target::gdb::{BreakpointKind, GdbClient, StopReason};
use trevm_runner::target::rtt::{ControlBlock, LineAssembler};
use trevm_runner::target::{MemoryAccess, TargetError};
use wait_timeout::ChildExt;

const T: Duration = Duration::from_secs(10);

/// A machine and a program for it.
struct Guest {
    qemu: &'static str,
    machine: Vec<&'static str>,
    /// The program and where it is loaded.
    image: Vec<u8>,
    load: u64,
    /// The function called once per loop iteration.
    tick: u64,
    /// The loop counter.
    counter: u64,
    /// Free RAM for the tests' own data.
    scratch: u64,
}

/// mps2-an386 (Cortex-M4), code at 0: a vector table (SP 0x20010000, reset
/// 0x101) and at 0x100
/// ```text
/// 100: f04f 5000  mov.w r0, #0x20000000
/// 104: 2100       movs  r1, #0
/// 106: 6001       str   r1, [r0]
/// 108: 6801       ldr   r1, [r0]      <- loop
/// 10a: 3101       adds  r1, #1
/// 10c: 6001       str   r1, [r0]
/// 10e: f000 f877  bl    0x200
/// 112: e7f9       b.n   0x108
/// 200: 4770       bx    lr            <- tick
/// ```
fn arm() -> Guest {
    let mut image = vec![0u8; 0x204];
    image[..8].copy_from_slice(&[0x00, 0x00, 0x01, 0x20, 0x01, 0x01, 0x00, 0x00]);
    let code: [u16; 10] = [
        0xf04f, 0x5000, 0x2100, 0x6001, 0x6801, 0x3101, 0x6001, 0xf000, 0xf877, 0xe7f9,
    ];
    for (i, h) in code.iter().enumerate() {
        image[0x100 + 2 * i..][..2].copy_from_slice(&h.to_le_bytes());
    }
    image[0x200..0x202].copy_from_slice(&0x4770u16.to_le_bytes());
    Guest {
        qemu: "qemu-system-arm",
        machine: vec!["-M", "mps2-an386"],
        image,
        load: 0,
        tick: 0x200,
        counter: 0x2000_0000,
        scratch: 0x2000_1000,
    }
}

/// virt with a SiFive E31 core, no firmware (`-bios none`: the reset ROM
/// jumps to 0x80000000); besides the counter it stores `minstret` (under
/// `-icount` the exact number of instructions retired) next to it:
/// ```text
/// 80000000: 800012b7  lui  t0, 0x80001
/// 80000004: 0002a023  sw   zero, 0(t0)
/// 80000008: 0002a303  lw   t1, 0(t0)    <- loop
/// 8000000c: 00130313  addi t1, t1, 1
/// 80000010: 0062a023  sw   t1, 0(t0)
/// 80000014: b02023f3  csrr t2, minstret
/// 80000018: 0072a223  sw   t2, 4(t0)
/// 8000001c: 0e4000ef  jal  ra, 0x80000100
/// 80000020: fe9ff06f  j    0x80000008
/// 80000100: 00008067  ret               <- tick
/// ```
fn riscv() -> Guest {
    let mut image = vec![0u8; 0x104];
    let code: [u32; 9] = [
        0x800012b7, 0x0002a023, 0x0002a303, 0x00130313, 0x0062a023, 0xb02023f3, 0x0072a223,
        0x0e4000ef, 0xfe9ff06f,
    ];
    for (i, w) in code.iter().enumerate() {
        image[4 * i..][..4].copy_from_slice(&w.to_le_bytes());
    }
    image[0x100..0x104].copy_from_slice(&0x00008067u32.to_le_bytes());
    Guest {
        qemu: "qemu-system-riscv32",
        machine: vec!["-M", "virt", "-cpu", "sifive-e31", "-bios", "none"],
        image,
        load: 0x8000_0000,
        tick: 0x8000_0100,
        counter: 0x8000_1000,
        scratch: 0x8000_2000,
    }
}

/// A QEMU process with drained output; killed when dropped.
struct Qemu {
    child: Child,
    sock: PathBuf,
    drains: Vec<JoinHandle<Vec<u8>>>,
    _dir: tempfile::TempDir,
}

impl Qemu {
    /// Boots `g` halted with the gdbstub on a Unix socket; `None` (after
    /// saying why) when the QEMU binary is missing.
    fn start(g: &Guest) -> Option<Qemu> {
        let dir = tempfile::tempdir().unwrap();
        let image = dir.path().join("prog.bin");
        std::fs::write(&image, &g.image).unwrap();
        let sock = dir.path().join("gdb.sock");
        let mut cmd = Command::new(g.qemu);
        cmd.args(&g.machine)
            .args(["-S", "-chardev"])
            .arg(format!(
                "socket,path={},server=on,wait=off,id=gdb0",
                sock.display()
            ))
            .args(["-gdb", "chardev:gdb0"])
            .args(["-icount", "shift=0,align=off,sleep=off"])
            .args(["-nographic", "-monitor", "none", "-serial", "none"])
            .arg("-device")
            .arg(format!(
                "loader,file={},addr={:#x}",
                image.display(),
                g.load
            ))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = match cmd.spawn() {
            Ok(c) => c,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                panic!("{} is not installed: run `make setup`", g.qemu)
            }
            Err(e) => panic!("cannot start {}: {e}", g.qemu),
        };
        let drains = vec![
            drain(child.stdout.take().unwrap()),
            drain(child.stderr.take().unwrap()),
        ];
        Some(Qemu {
            child,
            sock,
            drains,
            _dir: dir,
        })
    }

    fn connect(&self) -> GdbClient<std::os::unix::net::UnixStream> {
        GdbClient::connect_unix(&self.sock, T).expect("connect to the gdbstub")
    }

    /// Waits for QEMU to end by itself; its exit status and stderr.
    fn wait(mut self, timeout: Duration) -> (Option<std::process::ExitStatus>, String) {
        let status = self.child.wait_timeout(timeout).unwrap();
        if status.is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
        let stderr = self
            .drains
            .pop()
            .map(|d| d.join().unwrap())
            .unwrap_or_default();
        (status, String::from_utf8_lossy(&stderr).into_owned())
    }
}

impl Drop for Qemu {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn drain(mut r: impl Read + Send + 'static) -> JoinHandle<Vec<u8>> {
    thread::spawn(move || {
        let mut all = Vec::new();
        let _ = r.read_to_end(&mut all);
        all
    })
}

fn read32(c: &mut impl MemoryAccess, addr: u64) -> u32 {
    let mut b = [0u8; 4];
    c.read(addr, &mut b).unwrap();
    u32::from_le_bytes(b)
}

/// Memory, a breakpoint per iteration, interrupt, kill.
fn run_session(g: Guest, kind: BreakpointKind) {
    let Some(q) = Qemu::start(&g) else { return };
    let mut c = q.connect();
    // QEMU 7.2 does not offer QStartNoAckMode (8.x does): either works.
    eprintln!(
        "{}: acknowledgements {}",
        g.qemu,
        if c.ack_mode() { "on" } else { "off" }
    );

    // The loaded program is visible, and RAM reads back what was written,
    // in several packets.
    let mut head = vec![0u8; 16];
    c.read(g.load, &mut head).unwrap();
    assert_eq!(head, g.image[..16]);
    let pattern: Vec<u8> = (0..5000u32).map(|i| (i * 7 % 251) as u8).collect();
    c.write(g.scratch, &pattern).unwrap();
    let mut back = vec![0u8; pattern.len()];
    c.read(g.scratch, &mut back).unwrap();
    assert_eq!(back, pattern);

    c.insert_breakpoint(g.tick, kind).unwrap();
    let stop = c.continue_and_wait(T).unwrap();
    assert!(stop.is_breakpoint(), "{stop:?}");
    assert_eq!(read32(&mut c, g.counter), 1);
    assert!(c.continue_and_wait(T).unwrap().is_breakpoint());
    assert_eq!(read32(&mut c, g.counter), 2, "one iteration per stop");
    // Memory written at a stop is what the guest continues with.
    c.write(g.counter, &100u32.to_le_bytes()).unwrap();
    assert!(c.continue_and_wait(T).unwrap().is_breakpoint());
    assert_eq!(read32(&mut c, g.counter), 101);

    // Without the breakpoint the loop runs on: the wait times out, the
    // guest still runs (memory is refused), an interrupt stops it.
    c.remove_breakpoint(g.tick, kind).unwrap();
    assert_eq!(
        c.continue_and_wait(Duration::from_millis(200)).unwrap(),
        StopReason::TimedOut
    );
    let mut b = [0u8; 4];
    assert!(matches!(
        c.read(g.counter, &mut b),
        Err(TargetError::Running)
    ));
    let stop = c.interrupt(T).unwrap();
    assert!(matches!(stop, StopReason::Halted { .. }), "{stop:?}");
    assert!(read32(&mut c, g.counter) > 101);

    // Kill from a running guest: the client interrupts first.
    c.resume().unwrap();
    c.kill(T).unwrap();
    let (status, stderr) = q.wait(T);
    assert!(
        status.is_some(),
        "QEMU still runs after kill; stderr: {stderr}"
    );
}

#[test]
fn arm_software_breakpoints() {
    run_session(arm(), BreakpointKind::Software);
}

#[test]
fn arm_hardware_breakpoints() {
    run_session(arm(), BreakpointKind::Hardware);
}

#[test]
fn riscv_software_breakpoints() {
    run_session(riscv(), BreakpointKind::Software);
}

/// A software breakpoint in ROM (RISC-V virt's reset ROM at 0x1000, whose
/// fourth instruction is at 0x100c) stops the guest and leaves the ROM
/// unchanged: QEMU does not patch memory for breakpoints.
#[test]
fn riscv_software_breakpoint_in_rom() {
    let g = riscv();
    let Some(q) = Qemu::start(&g) else { return };
    let mut c = q.connect();
    let mut before = [0u8; 4];
    c.read(0x100c, &mut before).unwrap();
    c.insert_breakpoint(0x100c, BreakpointKind::Software)
        .unwrap();
    let mut during = [0u8; 4];
    c.read(0x100c, &mut during).unwrap();
    assert_eq!(before, during);
    assert!(c.continue_and_wait(T).unwrap().is_breakpoint());
    assert_eq!(
        read32(&mut c, g.counter),
        0,
        "stopped before the program ran"
    );
    c.remove_breakpoint(0x100c, BreakpointKind::Software)
        .unwrap();
    c.insert_breakpoint(g.tick, BreakpointKind::Software)
        .unwrap();
    assert!(c.continue_and_wait(T).unwrap().is_breakpoint());
    assert_eq!(read32(&mut c, g.counter), 1);
    c.kill(T).unwrap();
}

/// Halting at a breakpoint and stepping over it on resume leave the
/// instruction count exact: every loop iteration retires the same 8
/// instructions, whether or not the guest stopped in it.
#[test]
fn riscv_stops_leave_the_instruction_count_exact() {
    let g = riscv();
    let Some(q) = Qemu::start(&g) else { return };
    let mut c = q.connect();
    c.insert_breakpoint(g.tick, BreakpointKind::Software)
        .unwrap();
    let mut seen = Vec::new();
    for _ in 0..6 {
        assert!(c.continue_and_wait(T).unwrap().is_breakpoint());
        seen.push((read32(&mut c, g.counter), read32(&mut c, g.counter + 4)));
    }
    for w in seen.windows(2) {
        assert_eq!(w[1].0, w[0].0 + 1, "{seen:?}");
        assert_eq!(w[1].1 - w[0].1, 8, "instructions per iteration: {seen:?}");
    }
    c.kill(T).unwrap();
}

/// A QEMU that dies is a clean outcome, not a hang: while the guest runs
/// (`Closed` stop reason) and while it is halted (`Closed` error).
#[test]
fn qemu_that_dies_is_reported() {
    let g = arm();
    let Some(mut q) = Qemu::start(&g) else { return };
    let mut c = q.connect();
    c.resume().unwrap();
    q.child.kill().unwrap();
    let t0 = Instant::now();
    assert_eq!(c.wait_stop(T).unwrap(), StopReason::Closed);
    assert!(t0.elapsed() < Duration::from_secs(5));
    let mut b = [0u8; 4];
    assert!(matches!(
        c.read(g.counter, &mut b),
        Err(TargetError::Closed)
    ));
    c.kill(T).unwrap();

    let Some(mut q) = Qemu::start(&g) else { return };
    let mut c = q.connect();
    read32(&mut c, g.counter);
    q.child.kill().unwrap();
    q.child.wait().unwrap();
    let t0 = Instant::now();
    let e = c.read(g.counter, &mut b).unwrap_err();
    assert!(matches!(e, TargetError::Closed), "{e}");
    assert!(t0.elapsed() < Duration::from_secs(5));
    assert!(matches!(c.continue_and_wait(T), Err(TargetError::Closed)));
}

/// Boots `g` with `extra` arguments and runs it to its end; the stop
/// reason and QEMU's exit status.
fn run_to_exit(mut g: Guest, extra: &[&'static str]) -> Option<(StopReason, Option<i32>)> {
    g.machine.extend_from_slice(extra);
    let q = Qemu::start(&g)?;
    let mut c = q.connect();
    let stop = c.continue_and_wait(T).unwrap();
    let mut b = [0u8; 4];
    assert!(c.read(0, &mut b).is_err(), "memory of an ended target");
    let (status, stderr) = q.wait(T);
    assert!(status.is_some(), "QEMU still runs; stderr: {stderr}");
    Some((stop, status.and_then(|s| s.code())))
}

/// Arm semihosting `SYS_EXIT_EXTENDED` with code 42: QEMU reports `W2a`.
#[test]
fn arm_exit_is_reported_with_its_code() {
    let mut g = arm();
    g.image = vec![
        0x00, 0x00, 0x01, 0x20, 0x09, 0x00, 0x00, 0x00, // SP, reset = 0x9
        0x20, 0x20, // movs r0, #0x20 (SYS_EXIT_EXTENDED)
        0x03, 0x49, // ldr r1, [pc, #12] -> 0x10
        0xab, 0xbe, // bkpt 0xab
        0xfe, 0xe7, // b .
        0x26, 0x00, 0x02, 0x00, 0x2a, 0x00, 0x00, 0x00, // ApplicationExit, 42
        0x10, 0x00, 0x00, 0x00, // literal: the block's address
    ];
    let extra = ["-semihosting-config", "enable=on,target=native"];
    let Some((stop, code)) = run_to_exit(g, &extra) else {
        return;
    };
    assert_eq!(stop, StopReason::Exited(42));
    assert_eq!(code, Some(42));
}

/// RISC-V virt's sifive_test device ends QEMU without a `W` packet: the
/// client sees the connection close; the exit code is QEMU's.
#[test]
fn riscv_exit_closes_the_connection() {
    let mut g = riscv();
    g.image = [
        0x001002b7u32,
        0x002a3337,
        0x33330313,
        0x0062a023,
        0x0000006f,
    ]
    .iter()
    .flat_map(|w| w.to_le_bytes())
    .collect();
    let Some((stop, code)) = run_to_exit(g, &[]) else {
        return;
    };
    assert_eq!(stop, StopReason::Closed);
    assert_eq!(code, Some(42));
}

#[test]
fn connect_gives_up_when_no_stub_appears() {
    let t0 = Instant::now();
    let r = GdbClient::connect_unix(
        Path::new("/nonexistent/gdb.sock"),
        Duration::from_millis(200),
    );
    assert!(matches!(r, Err(TargetError::Timeout(_))), "{r:?}");
    assert!(t0.elapsed() < Duration::from_secs(5));
}

/// The RTT reader over the GDB stub: a control block written into guest
/// RAM is drained, wrapping around, and RdOff is written back.
#[test]
fn rtt_over_gdb() {
    let g = arm();
    let Some(q) = Qemu::start(&g) else { return };
    let mut c = q.connect();
    let cb = g.scratch;
    let buf = g.scratch + 0x100;
    let mut block = Vec::new();
    block.extend_from_slice(b"SEGGER RTT\0\0\0\0\0\0");
    block.extend_from_slice(&1i32.to_le_bytes());
    block.extend_from_slice(&0i32.to_le_bytes());
    // name, buffer, size 16, WrOff 2, RdOff 10, flags
    for w in [0u32, buf as u32, 16, 2, 10, 0] {
        block.extend_from_slice(&w.to_le_bytes());
    }
    c.write(cb, &block).unwrap();
    c.write(buf, b"o\n........one\ntw").unwrap();

    let control = ControlBlock::read(&mut c, cb).unwrap();
    let mut up = control.up_channel(&mut c, 0).unwrap();
    let bytes = up.drain(&mut c).unwrap();
    assert_eq!(bytes, b"one\ntwo\n");
    assert_eq!(read32(&mut c, cb + 24 + 16), 2, "RdOff written back");
    assert!(up.drain(&mut c).unwrap().is_empty());
    let mut lines = LineAssembler::new();
    assert_eq!(lines.push(&bytes), vec!["one", "two"]);
    c.kill(T).unwrap();
}
