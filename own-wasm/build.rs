//! Build script: compresses the `inflate` workload's deterministic input with
//! miniz_oxide (zlib format) into `$OUT_DIR/inflate_input.zlib`.

use std::io::Write;

include!("src/workloads/inflate_text.rs");

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=src/workloads/inflate_text.rs");

    let mut gen = TextGen::new();
    let text: Vec<u8> = (0..TEXT_LEN).map(|_| gen.next_byte()).collect();
    let compressed = miniz_oxide::deflate::compress_to_vec_zlib(&text, 9);
    let out = std::path::PathBuf::from(std::env::var_os("OUT_DIR").expect("OUT_DIR"));
    std::fs::File::create(out.join("inflate_input.zlib"))
        .and_then(|mut f| f.write_all(&compressed))
        .expect("write inflate_input.zlib");
}
