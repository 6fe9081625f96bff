//! What the update tests share: one scenario, whatever carries the
//! requests (CoAP on `ariel-native`, the RTT down channel in QEMU).

use trevm_bench::update::{self, SigningKey};
use trevm_catalog::board::Board;
use trevm_runner::deploy::{self, Link};
use trevm_runner::suite;
use trevm_runner::target::coap::{Method, Reply};

/// The signer the test devices trust.
pub const KID: &str = "deployer";

/// The test deployer's key.
pub fn key() -> SigningKey {
    SigningKey::from_bytes(&[0x5e; 32])
}

/// The capsule `name`, prepared for the device's capsule host on `board`,
/// as `trevm deploy` prepares it.
pub fn prepared(name: &str, board: &Board) -> Vec<u8> {
    let s = trevm_catalog::suite::find("capsules").unwrap();
    let w = suite::discover(s)
        .expect("the capsules are built (`make capsules`)")
        .into_iter()
        .find(|w| w.name == name)
        .unwrap();
    deploy::prepare(&w.wasm, board)
        .unwrap_or_else(|e| panic!("{name}: {e} (run `make host-programs`)"))
}

fn u32_of(r: &Reply) -> u32 {
    u32::from_le_bytes(r.payload.as_slice().try_into().expect("a u32"))
}

/// On a device with nothing deployed yet, reached over `link`:
///
/// 1. `counter` is deployed (PUT /vm1, a signed envelope) and counts under
///    /vm1;
/// 2. a tampered, a truncated and a foreign-signed `sensor-server` are
///    refused (4.01, 4.00, 4.01), and `counter` still answers with its sum;
/// 3. the good `sensor-server` replaces it: /vm1/sensor answers within the
///    fake sensor's range, the sum starts afresh, the update's cost comes
///    back in the 2.04 (and is printed, prefixed with `what`).
pub fn replace_a_persistent_capsule(link: &mut dyn Link, board: &Board, what: &str) {
    let key = key();
    let counter = prepared("counter", board);
    let server = prepared("sensor-server", board);

    // 1. Deploy counter and use it.
    let r = link
        .request(
            Method::Put,
            "vm1",
            &update::seal(&counter, &key, KID.as_bytes()),
        )
        .unwrap();
    assert_eq!(r.code_str(), "2.04", "deploying counter: {}", r.text());
    for i in 1..=10u32 {
        let r = link
            .request(Method::Post, "vm1/add", &i.to_le_bytes())
            .unwrap();
        assert_eq!(r.code_str(), "2.04");
        assert_eq!(u32_of(&r), i * (i + 1) / 2);
    }
    let r = link.request(Method::Get, "vm1/nothing-here", &[]).unwrap();
    assert_eq!(r.code_str(), "4.04");

    // 2. Bad updates: refused by kind, counter answers with its state.
    let good = update::seal(&server, &key, KID.as_bytes());
    let mut tampered = good.clone();
    let mid = tampered.len() / 2;
    tampered[mid] ^= 0x10;
    let foreign = update::seal(&server, &SigningKey::from_bytes(&[1; 32]), KID.as_bytes());
    for (bad_kind, bad, code) in [
        ("tampered", tampered, "4.01"),
        ("truncated", good[..good.len() * 2 / 3].to_vec(), "4.00"),
        ("foreign", foreign, "4.01"),
    ] {
        let r = link.request(Method::Put, "vm1", &bad).unwrap();
        assert_eq!(r.code_str(), code, "{bad_kind}: {}", r.text());
        eprintln!(
            "{what}: {bad_kind} envelope refused: {} {}",
            r.code_str(),
            r.text()
        );
        let r = link.request(Method::Get, "vm1/sum", &[]).unwrap();
        assert_eq!(
            (r.code_str(), u32_of(&r)),
            ("2.05".into(), 55),
            "{bad_kind}: counter still answers"
        );
    }

    // 3. The good update replaces counter by sensor-server.
    let t = std::time::Instant::now();
    let r = link.request(Method::Put, "vm1", &good).unwrap();
    let took = t.elapsed();
    assert_eq!(r.code_str(), "2.04", "updating: {}", r.text());
    let cost = r.text();
    for field in ["bytes=", "verify_us=", "swap_us=", "peak_heap="] {
        assert!(cost.contains(field), "{cost}");
    }
    assert!(cost.contains(&format!("bytes={}", good.len())), "{cost}");
    eprintln!(
        "{what}: {} B envelope, {took:?} end to end; device: {cost}",
        good.len()
    );
    let r = link.request(Method::Get, "vm1/sensor", &[]).unwrap();
    assert_eq!(r.code_str(), "2.05", "{}", r.text());
    let reading = i32::from_le_bytes(r.payload.as_slice().try_into().unwrap());
    assert!((2150 - 20..2500 + 20).contains(&reading), "{reading}");
    let r = link.request(Method::Get, "vm1/sum", &[]).unwrap();
    assert_eq!(u32_of(&r), 0, "the new capsule starts afresh");
    let r = link.request(Method::Get, "vm1", &[]).unwrap();
    assert!(r.text().contains("updates=2"), "{}", r.text());
}
