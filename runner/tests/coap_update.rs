//! Capsule updates over real CoAP on `ariel-native`: the treVM device
//! (`trevm-coap`, Ariel OS on the build machine, `ariel/src/coap.rs`) on a
//! TAP interface inside a network namespace this test creates, driven by
//! the runner's CoAP client (`trevm_runner::target::coap`, messages by
//! `coap-lite` from crates.io):
//!
//! 1. `counter` is deployed (PUT /vm1, a signed envelope in Block1 blocks)
//!    and counts under /vm1;
//! 2. a tampered, a truncated and a foreign-signed `sensor-server` are
//!    refused (4.01, 4.00, 4.01), and `counter` still answers with its sum;
//! 3. the good `sensor-server` replaces it: /vm1/sensor answers, the sum
//!    starts afresh; the update's cost comes back in the 2.04 and is
//!    printed.
//!
//! The network namespace: the test runs itself again under `unshare
//! --user --map-root-user --net` (no root needed where user namespaces are
//! allowed), creates `tap0` (10.42.0.1/24) there and starts the device on
//! it (Ariel OS's static address 10.42.0.61). Nothing outside the
//! namespace is touched.
//!
//! Ignored unless run with `--ignored` (as `make test` does when Ariel OS
//! is reachable): it needs `make ariel-firmware` (the `trevm-coap` app),
//! `make capsules` and `make host-programs` (which prepares capsules for
//! `trevm`). A missing one fails the test, naming what to build.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use trevm_runner::deploy;
use trevm_runner::target::coap::{Client, Method};

mod common;

/// Set in the copy of this test that runs inside the namespace.
const INSIDE: &str = "TREVM_COAP_TEST_INSIDE";
const DEVICE: &str = "10.42.0.61:5683";

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if std::env::var_os(INSIDE).is_some() {
        inside();
        return;
    }
    // The libtest conventions `cargo test` passes on.
    if args.iter().any(|a| a == "--list") {
        println!("an_update_over_coap_replaces_a_persistent_capsule: test");
        return;
    }
    if !args
        .iter()
        .any(|a| a == "--ignored" || a == "--include-ignored")
    {
        println!(
            "test an_update_over_coap_replaces_a_persistent_capsule ... ignored, needs Ariel OS, \
             `make ariel-firmware` and user namespaces; `make test` runs it with --ignored"
        );
        return;
    }
    println!("test an_update_over_coap_replaces_a_persistent_capsule ...");
    let me = std::env::current_exe().expect("the test's own path");
    let status = Command::new("unshare")
        .args(["--user", "--map-root-user", "--net", "--"])
        .arg(&me)
        .env(INSIDE, "1")
        .status()
        .expect("unshare runs (util-linux; `make setup` installs it)");
    assert!(
        status.success(),
        "the test inside the network namespace failed ({status}); its output is above"
    );
    println!("test an_update_over_coap_replaces_a_persistent_capsule ... ok");
}

fn sh(args: &[&str]) {
    let s = Command::new(args[0])
        .args(&args[1..])
        .status()
        .unwrap_or_else(|e| panic!("{args:?}: {e} (iproute2 is needed: `make setup`)"));
    assert!(s.success(), "{args:?}: {s}");
}

/// The device process, stopped when the test ends either way.
struct Device(Child);

impl Drop for Device {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn firmware() -> PathBuf {
    trevm_runner::build::ariel::built_app("native", "trevm-coap")
        .expect("the trevm-coap app is built: run `make ariel-firmware` (needs Ariel OS)")
}

fn inside() {
    sh(&["ip", "link", "set", "lo", "up"]);
    sh(&["ip", "tuntap", "add", "dev", "tap0", "mode", "tap"]);
    sh(&["ip", "link", "set", "tap0", "up"]);
    sh(&["ip", "addr", "add", "10.42.0.1/24", "dev", "tap0"]);

    let mut device = Device(
        Command::new(firmware())
            .env("ARIEL_NATIVE_TUNTAP", "tap0")
            .env("TREVM_UPDATE_KEY", deploy::public_hex(&common::key()))
            .env("TREVM_UPDATE_KID", common::KID)
            .stdin(Stdio::null())
            .spawn()
            .expect("the trevm-coap app starts"),
    );

    let peer: SocketAddr = DEVICE.parse().unwrap();
    assert_eq!(peer.port(), trevm_runner::target::coap::PORT);
    let mut c = Client::new(peer, Duration::from_millis(500)).unwrap();
    // Up once it answers: nothing deployed yet.
    let t0 = Instant::now();
    let first = loop {
        match c.request(Method::Get, "vm1", &[]) {
            Ok(r) => break r,
            Err(e) if t0.elapsed() < Duration::from_secs(30) => {
                if let Ok(Some(s)) = device.0.try_wait() {
                    panic!("the device exited ({s}) before answering");
                }
                eprintln!("waiting for the device: {e}");
            }
            Err(e) => panic!("the device never answered: {e}"),
        }
    };
    assert_eq!(first.code_str(), "4.04", "{}", first.text());
    let board = trevm_catalog::board::find("ariel-native").unwrap();
    common::replace_a_persistent_capsule(&mut c, board, "coap update");
}
