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

use trevm_bench::update::{self, SigningKey};
use trevm_runner::target::coap::{Client, Method, Reply};
use trevm_runner::{deploy, suite};

/// Set in the copy of this test that runs inside the namespace.
const INSIDE: &str = "TREVM_COAP_TEST_INSIDE";
const DEVICE: &str = "10.42.0.61:5683";
const KID: &str = "deployer";

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

/// The capsule `name`, prepared for the device's capsule host on
/// ariel-native (pulley64), as `trevm deploy` prepares it.
fn prepared(name: &str) -> Vec<u8> {
    let s = trevm_catalog::suite::find("capsules").unwrap();
    let w = suite::discover(s)
        .expect("the capsules are built (`make capsules`)")
        .into_iter()
        .find(|w| w.name == name)
        .unwrap();
    let board = trevm_catalog::board::find("ariel-native").unwrap();
    deploy::prepare(&w.wasm, board)
        .unwrap_or_else(|e| panic!("{name}: {e} (run `make host-programs`)"))
}

fn u32_of(r: &Reply) -> u32 {
    u32::from_le_bytes(r.payload.as_slice().try_into().expect("a u32"))
}

fn inside() {
    sh(&["ip", "link", "set", "lo", "up"]);
    sh(&["ip", "tuntap", "add", "dev", "tap0", "mode", "tap"]);
    sh(&["ip", "link", "set", "tap0", "up"]);
    sh(&["ip", "addr", "add", "10.42.0.1/24", "dev", "tap0"]);

    let key = SigningKey::from_bytes(&[0x5e; 32]);
    let counter = prepared("counter");
    let server = prepared("sensor-server");
    let mut device = Device(
        Command::new(firmware())
            .env("ARIEL_NATIVE_TUNTAP", "tap0")
            .env("TREVM_UPDATE_KEY", deploy::public_hex(&key))
            .env("TREVM_UPDATE_KID", KID)
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

    // 1. Deploy counter and use it.
    let r = c
        .request(
            Method::Put,
            "vm1",
            &update::seal(&counter, &key, KID.as_bytes()),
        )
        .unwrap();
    assert_eq!(r.code_str(), "2.04", "deploying counter: {}", r.text());
    for i in 1..=10u32 {
        let r = c
            .request(Method::Post, "vm1/add", &i.to_le_bytes())
            .unwrap();
        assert_eq!(r.code_str(), "2.04");
        assert_eq!(u32_of(&r), i * (i + 1) / 2);
    }
    let r = c.request(Method::Get, "vm1/nothing-here", &[]).unwrap();
    assert_eq!(r.code_str(), "4.04");

    // 2. Bad updates: refused by kind, counter answers with its state.
    let good = update::seal(&server, &key, KID.as_bytes());
    let mut tampered = good.clone();
    let mid = tampered.len() / 2;
    tampered[mid] ^= 0x10;
    let foreign = update::seal(&server, &SigningKey::from_bytes(&[1; 32]), KID.as_bytes());
    for (what, bad, code) in [
        ("tampered", tampered, "4.01"),
        ("truncated", good[..good.len() * 2 / 3].to_vec(), "4.00"),
        ("foreign", foreign, "4.01"),
    ] {
        let r = c.request(Method::Put, "vm1", &bad).unwrap();
        assert_eq!(r.code_str(), code, "{what}: {}", r.text());
        eprintln!(
            "coap update: {what} envelope refused: {} {}",
            r.code_str(),
            r.text()
        );
        let r = c.request(Method::Get, "vm1/sum", &[]).unwrap();
        assert_eq!(
            (r.code_str(), u32_of(&r)),
            ("2.05".into(), 55),
            "{what}: counter still answers"
        );
    }

    // 3. The good update replaces counter by sensor-server.
    let t = Instant::now();
    let r = c.request(Method::Put, "vm1", &good).unwrap();
    let took = t.elapsed();
    assert_eq!(r.code_str(), "2.04", "updating: {}", r.text());
    let cost = r.text();
    for field in ["bytes=", "verify_us=", "swap_us=", "peak_heap="] {
        assert!(cost.contains(field), "{cost}");
    }
    assert!(cost.contains(&format!("bytes={}", good.len())), "{cost}");
    eprintln!(
        "coap update: {} B envelope in {} blocks, {took:?} end to end; device: {cost}",
        good.len(),
        good.len().div_ceil(trevm_runner::target::coap::BLOCK)
    );
    let r = c.request(Method::Get, "vm1/sensor", &[]).unwrap();
    assert_eq!(r.code_str(), "2.05", "{}", r.text());
    let reading = i32::from_le_bytes(r.payload.as_slice().try_into().unwrap());
    assert!((2150 - 20..2500 + 20).contains(&reading), "{reading}");
    let r = c.request(Method::Get, "vm1/sum", &[]).unwrap();
    assert_eq!(u32_of(&r), 0, "the new capsule starts afresh");
    let r = c.request(Method::Get, "vm1", &[]).unwrap();
    assert!(r.text().contains("updates=2"), "{}", r.text());
}
