//! Exposes each adapter's runtime crate version as `TREVM_VERSION_<ADAPTER>`
//! (`wasmi-1` → `TREVM_VERSION_WASMI_1`), so every result can say exactly
//! which runtime it measured. The versions are the catalog's; a catalog test
//! (`catalog/tests/drift.rs`) checks that `Cargo.lock` resolved the same.

fn main() {
    println!("cargo:rerun-if-changed=../catalog/src/runtime.rs");
    println!("cargo:rustc-check-cfg=cfg(pulley_disable_interp_simd)");
    let mut seen: Vec<(&str, &str)> = Vec::new();
    for r in trevm_catalog::RUNTIMES {
        if let Some((_, v)) = seen.iter().find(|(a, _)| *a == r.adapter) {
            assert_eq!(
                *v, r.version,
                "catalog: the variants of adapter `{}` name two crate versions",
                r.adapter
            );
            continue;
        }
        seen.push((r.adapter, r.version));
        let var = r.adapter.to_uppercase().replace('-', "_");
        println!("cargo:rustc-env=TREVM_VERSION_{var}={}", r.version);
    }
}
