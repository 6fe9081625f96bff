//! Capsule updates in process, on the `trevm` host: a running persistent
//! capsule (`counter`) is replaced by another (`sensor-server`) delivered in
//! a signed envelope; a tampered, a truncated and a foreign envelope are
//! refused with their reason while the old capsule keeps answering; the
//! update's cost (bytes, time, peak heap with both capsules loaded) is
//! measured.
//!
//! Needs the Pulley-without-SIMD build (`trevm`) and the capsules (`make
//! capsules`); `make test` runs it with the conformance suite of that build.
#![cfg(all(feature = "trevm", feature = "prepare"))]

use std::time::Instant;

use ed25519_dalek::SigningKey;
use trevm_bench::alloc;
use trevm_bench::capsule::{Capsule, Env, Method, CHANGED, CONTENT, NOT_FOUND};
use trevm_bench::device::{
    self, Device, BAD_REQUEST, NOT_IMPLEMENTED, UNAUTHORIZED, UNPROCESSABLE,
};
use trevm_bench::update::{self, Rejected, Trusted};
use trevm_bench::{runtimes, Limits};

use crate::common::{clock, serial};

fn capsule(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../build/suites/capsules")
        .join(format!("{name}.wasm"));
    std::fs::read(&path)
        .unwrap_or_else(|e| panic!("{}: {e}: run `make capsules` first", path.display()))
}

fn sum(c: &mut Box<dyn Capsule + '_>) -> u32 {
    let r = c.handle(Method::Get, "sum", &[]).unwrap();
    assert_eq!(r.code, CONTENT);
    u32::from_le_bytes(r.payload.try_into().unwrap())
}

fn add(c: &mut Box<dyn Capsule + '_>, x: u32) {
    let r = c.handle(Method::Post, "add", &x.to_le_bytes()).unwrap();
    assert_eq!(r.code, CHANGED);
}

#[test]
fn an_update_replaces_a_persistent_capsule_and_a_bad_one_leaves_it_running() {
    let _serial = serial();
    let rt = runtimes::create("trevm", Limits::HOST).unwrap();
    let width = usize::BITS;
    let v1 = rt.prepare(&capsule("counter"), width).unwrap();
    let v2 = rt.prepare(&capsule("sensor-server"), width).unwrap();
    let host = rt.components().expect("trevm hosts components");
    // What a capsule runs from must outlive it.
    let opened: Vec<u8>;
    let fib: Vec<u8>;

    let mut running = host.load(&v1, Env::new(clock())).unwrap();
    running.init().unwrap();
    add(&mut running, 5);

    let deployer = SigningKey::from_bytes(&[42; 32]);
    let trusted = [Trusted {
        kid: b"deployer",
        key: deployer.verifying_key(),
    }];
    let envelope = update::seal(&v2, &deployer, b"deployer");

    // Refused: altered, cut short, signed by a stranger. The old capsule
    // still answers, with its state.
    let mut tampered = envelope.clone();
    let mid = tampered.len() / 2;
    tampered[mid] ^= 0x40;
    let stranger = update::seal(&v2, &SigningKey::from_bytes(&[1; 32]), b"stranger");
    for (what, bad, why) in [
        ("tampered", &tampered[..], Rejected::Signature),
        (
            "truncated",
            &envelope[..envelope.len() / 3],
            Rejected::NotSign1,
        ),
        ("foreign", &stranger[..], Rejected::UnknownKey),
    ] {
        assert_eq!(update::open(bad, &trusted), Err(why), "{what}");
        add(&mut running, 1);
    }
    assert_eq!(sum(&mut running), 8, "the old capsule kept running");

    // Accepted: the new capsule answers what the old could not.
    assert_eq!(
        running.handle(Method::Get, "sensor", &[]).unwrap().code,
        4 * 32 + 4,
        "counter has no sensor"
    );
    alloc::reset_peak();
    let before = alloc::current();
    let t = Instant::now();
    opened = update::open(&envelope, &trusted).expect("a good envelope opens");
    let verified = t.elapsed();
    update::replace(host, &mut running, &opened, Env::new(clock())).unwrap();
    let took = t.elapsed();
    let peak = alloc::peak() - before;
    let r = running.handle(Method::Get, "sensor", &[]).unwrap();
    assert_eq!(r.code, CONTENT);
    assert_eq!(sum(&mut running), 0, "the new capsule starts afresh");
    eprintln!(
        "update: {} B envelope ({} B capsule), verified in {verified:?}, swapped in {took:?}, \
         peak heap during the update {peak} B",
        envelope.len(),
        v2.len()
    );
    // Both capsules were loaded at once: more than the new one's bytes.
    assert!(peak > opened.len(), "{peak}");

    // An ephemeral capsule is no update for a persistent one.
    fib = rt.prepare(&capsule("fib"), width).unwrap();
    let e = match update::replace(host, &mut running, &fib, Env::new(clock())) {
        Err(e) => e,
        Ok(_) => panic!("an ephemeral capsule replaced a persistent one"),
    };
    assert!(e.message.contains("persistent"), "{e}");
    assert_eq!(
        running.handle(Method::Get, "sensor", &[]).unwrap().code,
        CONTENT
    );
}

/// The device's routing (what `ariel/src/coap.rs` serves over CoAP):
/// deploy, answer under `/vm1`, refuse bad updates by kind with the old
/// capsule still answering, replace.
#[test]
fn the_device_deploys_routes_and_refuses_by_kind() {
    let _serial = serial();
    let rt: &'static dyn trevm_bench::Runtime =
        Box::leak(runtimes::create("trevm", Limits::HOST).unwrap());
    let width = usize::BITS;
    let v1 = rt.prepare(&capsule("counter"), width).unwrap();
    let v2 = rt.prepare(&capsule("sensor-server"), width).unwrap();
    let fib = rt.prepare(&capsule("fib"), width).unwrap();
    let key = SigningKey::from_bytes(&[42; 32]);
    let trusted = vec![Trusted {
        kid: b"deployer",
        key: key.verifying_key(),
    }];
    let mut dev = Device::new(rt.components(), trusted, clock());
    let vm1 = [device::PREFIX];
    let at = |p: &'static str| [device::PREFIX, p];

    assert_eq!(dev.request(Method::Get, &vm1, &[]).code, NOT_FOUND);
    assert_eq!(dev.request(Method::Get, &at("sum"), &[]).code, NOT_FOUND);
    // The first capsule must be persistent too; nothing runs after it.
    let ephemeral = update::seal(&fib, &key, b"deployer");
    assert_eq!(
        dev.request(Method::Put, &vm1, &ephemeral).code,
        UNPROCESSABLE
    );
    assert_eq!(dev.request(Method::Get, &vm1, &[]).code, NOT_FOUND);
    let r = dev.request(Method::Put, &vm1, &update::seal(&v1, &key, b"deployer"));
    assert_eq!(r.code, CHANGED, "{}", String::from_utf8_lossy(&r.payload));
    assert!(String::from_utf8_lossy(&r.payload).starts_with("bytes="));
    assert_eq!(
        dev.request(Method::Post, &at("add"), &7u32.to_le_bytes())
            .code,
        CHANGED
    );

    let good = update::seal(&v2, &key, b"deployer");
    let mut tampered = good.clone();
    let mid = tampered.len() / 2;
    tampered[mid] ^= 1;
    let stranger = update::seal(&v2, &SigningKey::from_bytes(&[1; 32]), b"deployer");
    for (what, bad, code) in [
        ("tampered", tampered, UNAUTHORIZED),
        ("truncated", good[..good.len() - 5].to_vec(), BAD_REQUEST),
        ("impostor", stranger, UNAUTHORIZED),
        (
            "ephemeral",
            update::seal(&fib, &key, b"deployer"),
            UNPROCESSABLE,
        ),
    ] {
        let r = dev.request(Method::Put, &vm1, &bad);
        assert_eq!(
            r.code,
            code,
            "{what}: {}",
            String::from_utf8_lossy(&r.payload)
        );
        let r = dev.request(Method::Get, &at("sum"), &[]);
        assert_eq!(
            r.payload,
            7u32.to_le_bytes(),
            "{what}: the old capsule answers"
        );
    }

    assert_eq!(dev.request(Method::Put, &vm1, &good).code, CHANGED);
    assert_eq!(dev.updates, 2);
    assert_eq!(dev.request(Method::Get, &at("sensor"), &[]).code, CONTENT);
    assert_eq!(
        dev.request(Method::Get, &at("sum"), &[]).payload,
        0u32.to_le_bytes()
    );

    let mut bare = Device::new(None, Vec::new(), clock());
    assert_eq!(bare.request(Method::Put, &vm1, &good).code, NOT_IMPLEMENTED);
}
