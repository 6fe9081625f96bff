//! The paper's own Table I and Figures 1, 5 and 6 regenerated from its raw
//! files alone (no results of ours), through the CLI.

mod common;

use std::path::Path;

fn build(out: &Path) {
    let dir = common::paper_dir();
    let o = common::cli(&[
        "report",
        "--out",
        out.to_str().unwrap(),
        "--paper",
        dir.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", common::text(&o));
}

#[test]
fn table1_and_figures_1_5_6_from_the_paper_files() {
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("report");
    build(&out);
    let paper = out.join("paper");

    // Table I: 7 runtimes x 4 boards, in the paper's numbers.
    let md = std::fs::read_to_string(paper.join("table1-coremark.md")).unwrap();
    assert!(
        md.contains("| runtime | pico2w | nrf52840dk | esp32-c6 | esp32 |"),
        "{md}"
    );
    assert!(
        md.contains("| wasmi | 15.38 | 4.814 | 14.53 | 17.26 |"),
        "{md}"
    );
    assert!(md.contains("[iterations/s]"));
    let csv = std::fs::read_to_string(paper.join("table1-coremark.csv")).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 8, "{csv}");
    assert!(
        lines.contains(&"wamr-fast,10.848928,3.831907,7.983163,10.958904"),
        "{csv}"
    );

    // Figure 1: Embench time per benchmark on the Pico 2 W (log scale).
    common::assert_svg(
        &paper.join("embench-time-pico2w.svg"),
        &[
            "time per run [ms], log scale",
            "benchmark",
            "wasm-interpreter",
            "nettle-sha256",
            "runtime",
        ],
    );
    common::assert_png_picture(&paper.join("embench-time-pico2w.png"));
    let tm = std::fs::read_to_string(paper.join("embench-time-pico2w.csv")).unwrap();
    assert_eq!(tm.lines().count(), 19); // header + 18 benchmarks
                                        // wasefire has peak RAM but no Embench time in the paper: no column
    assert_eq!(
        tm.lines().next().unwrap(),
        "benchmark,wasmtime,wasmtime-no-simd,wasmi,wamr,wamr-fast,wasm-interpreter"
    );

    // Figure 5: flash footprint (whole firmware; the paper has no `none` build).
    common::assert_svg(
        &paper.join("footprint-pico2w.svg"),
        &[
            "flash [KiB]",
            "runtime",
            ".text",
            ".rodata",
            "whole firmware",
            "no no-runtime",
        ],
    );
    common::assert_png_picture(&paper.join("footprint-pico2w.png"));
    let fp = std::fs::read_to_string(paper.join("footprint-pico2w.csv")).unwrap();
    assert!(fp.contains("wasmi,510492,87820,168,,598480,,"), "{fp}");

    // Figure 6: peak RAM with the linear-memory size marked.
    common::assert_svg(
        &paper.join("peak-ram-embench-pico2w.svg"),
        &[
            "peak RAM: heap + .data + .bss [KiB]",
            "linear memory size",
            "wasefire",
            "benchmark",
        ],
    );
    common::assert_png_picture(&paper.join("peak-ram-embench-pico2w.png"));
    let ram = std::fs::read_to_string(paper.join("peak-ram-embench-pico2w.csv")).unwrap();
    assert!(
        ram.contains("nsichneu,148082,147562,280024,166677,224583,167020,163671,131072"),
        "{ram}"
    );

    // Every board's Figure 1-4 and 5 exist; only the Pico 2 W has RAM.
    for b in ["pico2w", "nrf52840dk", "esp32-c6", "esp32"] {
        for stem in [format!("embench-time-{b}"), format!("footprint-{b}")] {
            for ext in ["svg", "png", "md", "csv"] {
                assert!(
                    paper.join(format!("{stem}.{ext}")).is_file(),
                    "{stem}.{ext}"
                );
            }
        }
    }
    assert!(!paper.join("peak-ram-embench-esp32.png").exists());

    // The index links them.
    let index = std::fs::read_to_string(out.join("index.html")).unwrap();
    for f in [
        "paper/table1-coremark.md",
        "paper/embench-time-pico2w.png",
        "paper/footprint-pico2w.svg",
        "paper/peak-ram-embench-pico2w.png",
        "paper/table2-capsules.md",
    ] {
        assert!(index.contains(f), "index lacks {f}");
    }
    let md = std::fs::read_to_string(out.join("index.md")).unwrap();
    assert!(md.contains("Table I") && md.contains("Figure 5") && md.contains("Figure 6"));
}

#[test]
fn board_selection_keeps_only_the_chosen_paper_board() {
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("r");
    let dir = common::paper_dir();
    let o = common::cli(&[
        "report",
        "--out",
        out.to_str().unwrap(),
        "--paper",
        dir.to_str().unwrap(),
        "--boards",
        "esp32-c6",
    ]);
    assert!(o.status.success(), "{}", common::text(&o));
    assert!(out.join("paper/embench-time-esp32-c6.png").is_file());
    assert!(!out.join("paper/embench-time-pico2w.png").exists());
    let o = common::cli(&[
        "report",
        "--out",
        out.to_str().unwrap(),
        "--paper",
        dir.to_str().unwrap(),
        "--boards",
        "nosuchboard",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(common::text(&o).contains("nosuchboard"));
}
