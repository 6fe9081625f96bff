//! The importer over the paper's real raw results.

mod common;

use std::collections::BTreeSet;
use trevm_analysis::paper;

fn set(v: &[&str]) -> BTreeSet<String> {
    v.iter().map(|s| s.to_string()).collect()
}

#[test]
fn boards_runtimes_and_benchmarks_as_published() {
    let p = paper::import(&common::paper_dir()).expect("paper data imports");
    assert_eq!(
        p.boards.keys().cloned().collect::<BTreeSet<_>>(),
        set(&["esp32", "esp32-c6", "nrf52840dk", "pico2w"])
    );
    assert_eq!(
        p.board_names(),
        ["pico2w", "nrf52840dk", "esp32-c6", "esp32"]
    );
    let all7 = set(&paper::paper_runtimes().collect::<Vec<_>>());
    let five = set(&["wasmtime", "wasmtime-no-simd", "wasmi", "wamr", "wamr-fast"]);
    for (name, b) in &p.boards {
        // CoreMark and static sizes: all 7 runtimes on every board.
        assert_eq!(
            b.coremark.keys().cloned().collect::<BTreeSet<_>>(),
            all7,
            "{name} coremark"
        );
        assert_eq!(
            b.static_size.keys().cloned().collect::<BTreeSet<_>>(),
            all7,
            "{name} sizes"
        );
        // Embench: wasm-interpreter only on the Pico 2 W; wasefire nowhere.
        let mut want = five.clone();
        if name == "pico2w" {
            want.insert("wasm-interpreter".into());
        }
        assert_eq!(
            b.embench.keys().cloned().collect::<BTreeSet<_>>(),
            want,
            "{name} embench"
        );
        for (rt, rows) in &b.embench {
            // 18 of Embench's 19 (no nbody); wasmi and wamr-fast lack nsichneu
            // except on the Pico 2 W.
            let expect = if name != "pico2w" && (rt == "wasmi" || rt == "wamr-fast") {
                17
            } else {
                18
            };
            assert_eq!(rows.len(), expect, "{name}/{rt}");
            assert!(!rows.contains_key("nbody"));
            assert!(rows.contains_key("nettle-aes") && rows.contains_key("nettle-sha256"));
        }
        // Peak RAM only on the Pico 2 W, 7 runtimes x 18 benchmarks.
        if name == "pico2w" {
            assert_eq!(b.peak_ram.keys().cloned().collect::<BTreeSet<_>>(), all7);
            assert!(b.peak_ram.values().all(|r| r.len() == 18));
        } else {
            assert!(b.peak_ram.is_empty(), "{name} peak RAM");
        }
    }
}

#[test]
fn values_spot_checked_against_the_files() {
    let p = paper::import(&common::paper_dir()).unwrap();
    let pico = &p.boards["pico2w"];
    assert_eq!(pico.coremark["wasmi"].score, 15.375154);
    assert_eq!(pico.coremark["wasefire"].score, 0.18569067);
    assert_eq!(pico.embench["wasmi"]["minver"].time_ms, 115.84944749141042);
    assert_eq!(pico.embench["wasmi"]["minver"].score, 34.51030701114397);
    // neetle-aes in the file, nettle-aes here
    assert_eq!(
        pico.embench["wasmtime"]["nettle-aes"].time_ms,
        1343.0000000000016
    );
    // file with a commented header
    let r = &pico.peak_ram["wasm-interpreter"]["cubic"];
    assert_eq!((r.peak_heap, r.data, r.bss), (182597.0, 168.0, 4920.0));
    assert_eq!(r.source.line, 4);
    let s = &pico.static_size["wamr-fast"];
    assert_eq!(
        (s.text, s.data, s.rodata, s.file),
        (94680.0, 1220.0, 29156.0, 7771.0)
    );
    // lines ending in a comma
    let nrf = &p.boards["nrf52840dk"];
    assert_eq!(nrf.coremark["wasefire"].score, 0.06343648);
    let c6 = &p.boards["esp32-c6"];
    assert_eq!(c6.static_size["wasmi"].text, 662476.0);
    assert_eq!(c6.static_size["wasmi"].file, 7771.0);
    // esp32-c6 names WAMR classic `wamr-slow` and the fast one `wamr`
    assert_eq!(c6.coremark["wamr"].score, 5.313496);
    assert_eq!(c6.coremark["wamr-fast"].score, 7.983163);
    // header with a trailing comma
    assert_eq!(p.boards["esp32"].static_size["wasmtime"].rodata, 72908.0);
    assert_eq!(p.boards["esp32"].title.as_deref(), Some("esp-wroom-32"));
}

#[test]
fn records_carry_the_paper_values() {
    let p = paper::import(&common::paper_dir()).unwrap();
    let ds = p.dataset();
    let ram = ds.sum(
        "pico2w",
        "wasmi",
        "embench",
        "nsichneu",
        &["peak_heap", "data", "bss"],
    );
    assert_eq!(ram.number(), Some(274928.0 + 168.0 + 4928.0));
    let flash = ds.sum(
        "esp32",
        "wamr",
        "footprint",
        "firmware",
        &["text", "rodata", "data"],
    );
    assert_eq!(flash.number(), Some(95329.0 + 33532.0 + 6856.0));
    let t = ds.value("esp32-c6", "wasmtime", "embench", "st", "interval");
    assert_eq!(t.unit(), Some("ms"));
    assert_eq!(t.number(), Some(69.00000000000011));
    // every record points back at its file and line
    let c = ds
        .get("nrf52840dk", "wasmtime", "coremark", "coremark")
        .unwrap();
    assert!(c.source.path.ends_with("nrf52840dk/coremark.txt"));
    assert_eq!(c.source.line, 6);
}

#[test]
fn cli_paper_command_lists_the_boards() {
    let dir = common::paper_dir();
    let o = common::cli(&["paper", "--paper", dir.to_str().unwrap()]);
    assert!(o.status.success(), "{}", common::text(&o));
    let t = common::text(&o);
    assert!(
        t.contains(
            "pico2w: CoreMark 7 runtimes; Embench 6 runtimes, 18 benchmarks; peak RAM 7 runtimes"
        ),
        "{t}"
    );
}
