//! `make suites` (`scripts/suites.py`) without the upstream sources: its
//! arguments, the one message that says how to get the sources, refusing a
//! download whose files are not the pinned ones, and modules built from
//! small stand-in source trees written here (our CoreMark port and Embench
//! board support with fake benchmarks) that must follow the ABIs and
//! behave on the host board.
//!
//! Its ignored test (`-- --ignored`) also builds the real suites (sources from
//! `COREMARK_SRC`/`EMBENCH_SRC` or the cache, see the README) and runs every
//! module on every Wasm runtime variant of the host board.
//!
//! Needs python3, clang-14/wasm-ld-14, emcc, wasi-libc (`make setup`) and,
//! for running modules, the host programs (`make host-programs`).

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use trevm_catalog::record::Record;
use trevm_catalog::suite::TEST;
use trevm_catalog::Kind;
use trevm_protocol::slot::SlotAbi;
use trevm_runner::backend::host::HostBackend;
use trevm_runner::backend::Backend;
use trevm_runner::suite::Workload;
use trevm_runner::workspace;

fn script() -> Command {
    let mut c = Command::new("python3");
    c.arg(workspace::root().join("scripts/suites.py"));
    c.env_remove("TREVM_SUITES_MIRROR");
    c
}

fn run(c: &mut Command) -> (i32, String) {
    let Output { status, stderr, .. } = c.output().expect("python3 must run");
    (
        status.code().unwrap_or(-1),
        String::from_utf8_lossy(&stderr).into_owned(),
    )
}

fn write(root: &Path, files: &[(&str, &str)]) {
    for (path, text) in files {
        let p = root.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
}

fn wasm_files(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".wasm"))
        .collect();
    v.sort();
    v
}

#[test]
fn missing_sources_are_one_clear_message() {
    let tmp = tempfile::tempdir().unwrap();
    let (code, err) = run(script()
        .args(["build", "--offline", "--cache"])
        .arg(tmp.path().join("cache"))
        .arg("--out")
        .arg(tmp.path().join("out")));
    assert_eq!(code, 3, "{err}");
    assert_eq!(
        err.matches("error:").count(),
        1,
        "one message, not several:\n{err}"
    );
    for needle in [
        "coremark, embench, embench-current",
        "git clone https://github.com/eembc/coremark",
        "git clone https://github.com/embench/embench-iot",
        "make suites COREMARK_SRC=",
        "EMBENCH_SRC=",
        "SUITE=own",
    ] {
        assert!(err.contains(needle), "`{needle}` missing from:\n{err}");
    }
    assert!(wasm_files(&tmp.path().join("out/coremark")).is_empty());
}

#[test]
fn bad_arguments_are_refused() {
    for (args, code, needle) in [
        (&["--iterations", "-5"][..], 2, "whole number >= 0"),
        (&["--iterations", "ten"], 2, "whole number >= 0"),
        (&["--suite", "coremark,nope"], 2, "unknown suite"),
        (&["--opt=-O9"], 2, "optimisation must be"),
        (&["--coremark-cc", "gcc"], 2, "invalid choice"),
        (
            &["--coremark-src", "/no/such/folder", "--suite", "coremark"],
            1,
            "is not a folder",
        ),
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let (got, err) = run(script()
            .args(["build", "--offline", "--cache"])
            .arg(tmp.path())
            .arg("--out")
            .arg(tmp.path())
            .args(args));
        assert_eq!(got, code, "{args:?}: {err}");
        assert!(
            err.contains(needle),
            "{args:?}: `{needle}` missing from:\n{err}"
        );
    }
    let (code, err) = run(script().arg("frobnicate"));
    assert_eq!(code, 2, "{err}");
}

/// A server that answers every request with `body`, once per connection.
fn serve(body: Vec<u8>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for mut s in listener.incoming().flatten() {
            let mut buf = [0u8; 4096];
            let _ = s.read(&mut buf);
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = s.write_all(head.as_bytes());
            let _ = s.write_all(&body);
        }
    });
    format!("http://{addr}")
}

#[test]
fn a_download_that_is_not_the_pinned_tree_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    // An archive laid out like GitHub's, with the pinned name but other files.
    let top = "coremark-d5fad6bd094899101a4e5fd53af7298160ced6ab";
    write(
        tmp.path(),
        &[(
            &format!("{top}/core_main.c"),
            "int main(void) { return 0; }\n",
        )],
    );
    let st = Command::new("tar")
        .current_dir(tmp.path())
        .args(["czf", "a.tar.gz", top])
        .status()
        .unwrap();
    assert!(st.success());
    let url = serve(std::fs::read(tmp.path().join("a.tar.gz")).unwrap());
    let cache = tmp.path().join("cache");
    let (code, err) = run(script()
        .env("TREVM_SUITES_MIRROR", &url)
        .args(["build", "--suite", "coremark", "--cache"])
        .arg(&cache)
        .arg("--out")
        .arg(tmp.path().join("out")));
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("refusing"), "{err}");
    let cached: Vec<_> = std::fs::read_dir(cache.join("src"))
        .unwrap()
        .flatten()
        .collect();
    assert!(cached.is_empty(), "nothing may enter the cache: {cached:?}");
}

// ---------------------------------------------------------------------------
// Stand-in source trees

/// A stand-in for CoreMark with the interface our port uses: main calls the
/// port's hooks, times a loop and reports through ee_printf like CoreMark
/// (a recognised parameter set, the 10 s rule, and optionally a CRC error).
fn fake_coremark(root: &Path, crc_error: bool) {
    let report = if crc_error {
        r#"ee_printf("[%u]ERROR! list crc 0x%04x - should be 0x%04x\n", 0, 1, 2);"#
    } else {
        ""
    };
    let main = format!(
        r#"#include "coremark.h"
int main(int argc, char *argv[])
{{
    core_results r;
    volatile ee_u32 sink = 0;
    ee_u32 i;
    portable_init(&r.port, &argc, argv);
    r.iterations = seed4_volatile > 0 ? (ee_u32)seed4_volatile : 100;
    start_time();
    for (i = 0; i < r.iterations * 10000u; i++)
        sink += i;
    stop_time();
    ee_printf("stand-in run parameters for coremark.\n");
    ee_printf("ERROR! Must execute for at least 10 secs for a valid result!\n");
    {report}
    portable_fini(&r.port);
    return 0;
}}
"#
    );
    let header = r#"#include "core_portme.h"
typedef double secs_ret;
typedef struct { ee_u32 iterations; core_portable port; } core_results;
void start_time(void);
void stop_time(void);
CORE_TICKS get_time(void);
secs_ret time_in_secs(CORE_TICKS ticks);
extern volatile ee_s32 seed4_volatile;
"#;
    let mut files = vec![("coremark.h", header), ("core_main.c", main.as_str())];
    for f in [
        "core_list_join.c",
        "core_matrix.c",
        "core_state.c",
        "core_util.c",
    ] {
        files.push((f, "typedef int stand_in_unit;\n"));
    }
    write(root, &files);
}

/// A stand-in for Embench: its support layout and three programs, one that
/// verifies (using libc, libm and a compiler-rt builtin), one that does not,
/// one that fails an assertion (exit).
fn fake_embench(root: &Path) {
    write(
        root,
        &[
            (
                "support/support.h",
                "#include <stddef.h>\nvoid initialise_board(void);\nvoid start_trigger(void);\n\
                 void stop_trigger(void);\nvoid initialise_benchmark(void);\nvoid warm_caches(int heat);\n\
                 int benchmark(void);\nint verify_benchmark(int result);\n",
            ),
            (
                "support/main.c",
                "#include \"support.h\"\nint main(int argc, char *argv[])\n{\n  volatile int r;\n  (void)argc; (void)argv;\n\
                 initialise_board();\n  initialise_benchmark();\n  warm_caches(WARMUP_HEAT);\n  start_trigger();\n\
                 r = benchmark();\n  stop_trigger();\n  return !verify_benchmark(r);\n}\n",
            ),
            ("support/beebsc.c", "int stand_in_seed;\n"),
            (
                "src/good/good.c",
                "#include <string.h>\n#include <math.h>\n#include \"support.h\"\n\
                 static char text[64];\nstatic volatile double angle = 0.0;\nstatic volatile unsigned long long a = 1ull << 40;\n\
                 void initialise_benchmark(void) { strcpy(text, \"forty-two\"); }\nvoid warm_caches(int heat) { (void)heat; }\n\
                 int benchmark(void)\n{\n  unsigned __int128 p = (unsigned __int128)a * a;\n\
                   return (int)strlen(text) + (int)cos(angle) + (int)(p >> 80) + 31;\n}\n\
                 int verify_benchmark(int r) { return r == 42; }\n",
            ),
            (
                "src/wrong/wrong.c",
                "#include \"support.h\"\nvoid initialise_benchmark(void) {}\nvoid warm_caches(int heat) { (void)heat; }\n\
                 int benchmark(void) { return 1; }\nint verify_benchmark(int r) { return r == 2; }\n",
            ),
            (
                "src/assert/assert.c",
                "#include <stdlib.h>\n#include \"support.h\"\nvoid initialise_benchmark(void) {}\n\
                 void warm_caches(int heat) { (void)heat; }\nint benchmark(void) { exit(1); }\n\
                 int verify_benchmark(int r) { return r == 0; }\n",
            ),
        ],
    );
}

fn build(args: &[&str], out: &Path, cache: &Path) {
    let (code, err) = run(script()
        .args(["build", "--offline", "--cache"])
        .arg(cache)
        .arg("--out")
        .arg(out)
        .args(args));
    assert_eq!(code, 0, "suites.py build {args:?} failed:\n{err}");
    assert!(
        err.contains("recorded as unpinned"),
        "a stand-in tree is not the pin:\n{err}"
    );
}

fn check(abi: &str, module: &Path) -> (i32, String) {
    run(script().args(["check", abi]).arg(module))
}

fn board() -> HostBackend {
    let b = HostBackend::existing();
    assert!(
        b.program("wasmi").is_some(),
        "no host program runs `wasmi`: build them first with `make host-programs` (built: {:?})",
        b.labels()
    );
    b
}

fn run_module(b: &HostBackend, label: &str, abi: SlotAbi, wasm: &Path) -> Record {
    let w = Workload {
        suite: TEST.into(),
        name: wasm.file_stem().unwrap().to_string_lossy().into_owned(),
        abi,
        wasm: wasm.to_path_buf(),
    };
    b.run_cell(label, &w, Duration::from_secs(60))
}

fn metric(r: &Record, name: &str) -> Option<f64> {
    r.metrics.get(name).map(|m| m.value)
}

#[test]
fn stand_in_coremark_follows_the_abi_and_validates() {
    let b = board();
    let tmp = tempfile::tempdir().unwrap();
    for cc in ["clang", "emcc"] {
        for crc_error in [false, true] {
            let src = tmp.path().join(format!("coremark-{cc}-{crc_error}"));
            fake_coremark(&src, crc_error);
            let out = tmp.path().join(format!("out-{cc}-{crc_error}"));
            build(
                &[
                    "--suite",
                    "coremark",
                    "--coremark-cc",
                    cc,
                    "--iterations",
                    "7",
                    "--coremark-src",
                    src.to_str().unwrap(),
                ],
                &out,
                &tmp.path().join("cache"),
            );
            let module = out.join("coremark/coremark.wasm");
            let (code, err) = check("coremark", &module);
            assert_eq!(code, 0, "{cc}: {err}");
            assert_ne!(
                check("embench", &module).0,
                0,
                "the checker must tell the ABIs apart"
            );

            let info: serde_json::Value = serde_json::from_str(
                &std::fs::read_to_string(out.join("coremark/build.json")).unwrap(),
            )
            .unwrap();
            assert_eq!(info["cc"], cc);
            assert_eq!(info["iterations"], 7);
            assert_eq!(info["upstream"]["pinned"], false);

            let r = run_module(&b, "wasmi", SlotAbi::CoreMark, &module);
            assert_eq!(metric(&r, "iterations"), Some(7.0), "{cc}: {r:?}");
            if crc_error {
                assert_eq!(
                    r.error.as_ref().map(|e| e.kind),
                    Some(Kind::Verify),
                    "{cc}: {r:?}"
                );
            } else {
                assert!(r.is_ok(), "{cc}: {r:?}");
                assert!(metric(&r, "reported_score").is_some(), "{cc}: {r:?}");
            }
        }
    }
}

#[test]
fn stand_in_embench_follows_the_abi_and_runs() {
    let b = board();
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("embench");
    fake_embench(&src);
    for cc in ["emcc", "clang"] {
        let out = tmp.path().join(format!("out-{cc}"));
        build(
            &[
                "--suite",
                "embench",
                "--embench-cc",
                cc,
                "--embench-src",
                src.to_str().unwrap(),
            ],
            &out,
            &tmp.path().join("cache"),
        );
        let dir = out.join("embench");
        assert_eq!(wasm_files(&dir), ["assert.wasm", "good.wasm", "wrong.wasm"]);
        for m in ["assert", "good", "wrong"] {
            let (code, err) = check("embench", &dir.join(format!("{m}.wasm")));
            assert_eq!(code, 0, "{cc}/{m}: {err}");
        }
        let sources = std::fs::read_to_string(out.join("sources.txt")).unwrap();
        assert!(
            sources.contains(&format!("embench={}", src.display())),
            "{sources}"
        );

        let good = run_module(&b, "wasmi", SlotAbi::Embench, &dir.join("good.wasm"));
        assert!(
            good.is_ok() && metric(&good, "interval").is_some(),
            "{cc}: {good:?}"
        );
        let kind = |r: &Record| r.error.as_ref().map(|e| e.kind);
        let wrong = run_module(&b, "wasmi", SlotAbi::Embench, &dir.join("wrong.wasm"));
        assert_eq!(kind(&wrong), Some(Kind::Verify), "{cc}: {wrong:?}");
        let assert_fail = run_module(&b, "wasmi", SlotAbi::Embench, &dir.join("assert.wasm"));
        assert_eq!(
            kind(&assert_fail),
            Some(Kind::Trap),
            "{cc}: {assert_fail:?}"
        );
    }
}

// ---------------------------------------------------------------------------
// Opt-in (ignored): the real suites

/// Builds the real suites (a short fixed CoreMark count) into a scratch
/// folder and runs every module on every Wasm runtime variant of the host
/// board. `native` is covered by trevm-bench's and trevm-native-c's tests.
#[test]
#[ignore = "needs the upstream CoreMark and Embench sources (make suites) and a long run: cargo test -p trevm-runner --test suites -- --ignored"]
fn real_suites_run_on_every_runtime() {
    let b = board();
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("suites");
    let cache = std::env::var_os("SUITES_CACHE")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            let base = std::env::var_os("XDG_CACHE_HOME")
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").unwrap()).join(".cache"));
            base.join("trevm-bench")
        });
    let mut c = script();
    c.args(["build", "--offline", "--iterations", "20", "--cache"])
        .arg(&cache)
        .arg("--out")
        .arg(&out);
    for (var, flag) in [
        ("COREMARK_SRC", "--coremark-src"),
        ("EMBENCH_SRC", "--embench-src"),
    ] {
        if let Some(v) = std::env::var_os(var) {
            c.arg(flag).arg(v);
        }
    }
    let (code, err) = run(&mut c);
    assert_eq!(code, 0, "building the real suites failed:\n{err}");

    let mut failed = Vec::new();
    let mut cells = 0;
    for (suite, abi) in [
        ("coremark", SlotAbi::CoreMark),
        ("embench", SlotAbi::Embench),
        ("embench-current", SlotAbi::Embench),
    ] {
        let modules = wasm_files(&out.join(suite));
        let expected = if suite == "coremark" { 1 } else { 19 };
        assert_eq!(modules.len(), expected, "{suite}: {modules:?}");
        for label in b.labels().into_iter().filter(|l| *l != "native") {
            for m in &modules {
                let r = run_module(&b, label, abi, &out.join(suite).join(m));
                cells += 1;
                if !r.is_ok() {
                    failed.push(format!("{label} {suite}/{m}: {:?}", r.error));
                }
            }
        }
    }
    eprintln!("real suites: {cells} cells, {} failed", failed.len());
    assert!(failed.is_empty(), "{failed:#?}");
}
