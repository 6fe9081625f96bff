//! `make capsules` (`build::capsules`): builds the capsules and checks that
//! each output is a component exporting what its world says, importing the
//! OS bindings only when its world has them, with treVM's linear memory
//! (32 KiB of 1-byte pages).
//!
//! Needs the `wasm32v1-none` target (`make setup`).

use trevm_runner::build::capsules::{self, CAPSULES};

/// The component header: `\0asm`, version 0x0d, layer 1.
const COMPONENT_HEADER: [u8; 8] = [0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00];

const HANDLER: &str = "trevm:capsule/handler@0.1.0";
const SENSOR: &str = "trevm:capsule/sensor@0.1.0";

/// The world's imports and exports, by name (`run`, or an interface's
/// `package/name@version`).
fn world(component: &[u8]) -> (Vec<String>, Vec<String>) {
    let wit_component::DecodedWasm::Component(resolve, world) =
        wit_component::decode(component).expect("decodes as a component")
    else {
        panic!("a WIT package, not a component");
    };
    let w = &resolve.worlds[world];
    let names = |items: Vec<_>| -> Vec<String> {
        items
            .into_iter()
            .map(|k| resolve.name_world_key(k))
            .collect()
    };
    (
        names(w.imports.keys().collect()),
        names(w.exports.keys().collect()),
    )
}

/// The memories of the component's core modules: (initial, maximum, page
/// size).
fn memories(component: &[u8]) -> Vec<(u64, Option<u64>, u64)> {
    let mut found = Vec::new();
    for payload in wasmparser::Parser::new(0).parse_all(component) {
        if let wasmparser::Payload::MemorySection(s) = payload.expect("parses") {
            for m in s {
                let m = m.expect("a memory type");
                found.push((m.initial, m.maximum, 1u64 << m.page_size_log2.unwrap_or(16)));
            }
        }
    }
    found
}

#[test]
fn capsules_are_components_of_their_worlds() {
    let paths = capsules::capsules().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(paths.len(), CAPSULES.len());
    for (path, (name, world_name)) in paths.iter().zip(CAPSULES) {
        assert_eq!(path, &capsules::out_dir().join(format!("{name}.wasm")));
        let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(bytes[..8], COMPONENT_HEADER, "{name}");
        assert!(wasmparser::Parser::is_component(&bytes), "{name}");

        let (imports, exports) = world(&bytes);
        let expected_export = if world_name.starts_with("persistent") {
            HANDLER
        } else {
            "run"
        };
        assert_eq!(exports, [expected_export], "{name}");
        if world_name.ends_with("-bindings") {
            assert!(imports.iter().any(|i| i == SENSOR), "{name}: {imports:?}");
            assert!(
                imports.iter().all(|i| i.starts_with("trevm:capsule/")),
                "{name}: {imports:?}"
            );
        } else {
            assert!(imports.is_empty(), "{name}: {imports:?}");
        }

        assert_eq!(memories(&bytes), [(32768, Some(32768), 1)], "{name}");
    }
    // Nothing half-written is left behind.
    let leftovers: Vec<_> = std::fs::read_dir(capsules::out_dir())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().extension().is_some_and(|x| x == "tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn a_module_without_a_world_is_an_error_naming_the_capsule() {
    let core = wat::parse_str(r#"(module (import "nowhere" "f" (func)))"#).unwrap();
    let e = capsules::component("nameless", &core).unwrap_err();
    assert!(
        matches!(&e, trevm_runner::Error::Capsule { capsule, .. } if capsule == "nameless"),
        "{e}"
    );
    assert!(e.to_string().contains("`nameless`"), "{e}");
}
