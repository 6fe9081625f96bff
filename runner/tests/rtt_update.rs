//! Capsule updates over the RTT down channel, on a board without a
//! network: the device firmware (`firmware/src/bare/device.rs`, the
//! catalog's `os::RTT_DEVICE`) on the emulated `qemu-m33`, built here to
//! trust the test's key, driven through QEMU's GDB stub with the RTT code a
//! debug probe uses. The scenario is the CoAP test's (`tests/common`):
//! deploy `counter`, refuse a tampered, a truncated and a foreign-signed
//! update while `counter` keeps answering, replace it by `sensor-server`.
//!
//! Needs QEMU (`make setup`), the capsules (`make capsules`) and the host
//! programs that prepare them (`make host-programs`); `make test` has
//! them.

use trevm_runner::backend::qemu::QemuDevice;
use trevm_runner::deploy::{self, Link};
use trevm_runner::target::coap::Method;

mod common;

/// The RP2350's stand-in: an update holds the envelope, the old capsule
/// and the new one at once, more than `qemu-m4f`'s 190 KB heap.
const BOARD: &str = "qemu-m33";

#[test]
fn an_update_over_rtt_replaces_a_persistent_capsule() {
    let board = trevm_catalog::board::find(BOARD).unwrap();
    let elf = trevm_runner::build::device_firmware(
        board,
        &deploy::public_hex(&common::key()),
        common::KID,
    )
    .expect("the device firmware builds");
    let mut device = QemuDevice::start(board, &elf).expect("the device starts in QEMU");
    let r = Link::request(&mut device, Method::Get, "vm1", &[]).unwrap();
    assert_eq!(r.code_str(), "4.04", "nothing deployed yet: {}", r.text());
    // What it said before: who it is, and that it serves.
    let said = device.lines.join("\n");
    assert!(
        said.contains("hello board=qemu-m33 runtime=trevm") && said.contains("serving /vm1"),
        "{said}"
    );
    common::replace_a_persistent_capsule(&mut device, board, "rtt update");
}
