//! The build script's choice of benchmarks (`build_suites.rs`), on
//! stand-in source trees: `TREVM_NATIVE_C` alone decides, and asking for
//! what is not prepared fails with a message that says to run `make suites`.

#[allow(dead_code)] // the table half is the build script's
#[path = "../build_suites.rs"]
mod build_suites;

use std::path::{Path, PathBuf};

use build_suites::{read_manifest, select, Selection};

/// A scratch folder, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir =
            std::env::temp_dir().join(format!("trevm-native-c-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    fn write(&self, files: &[(&str, &str)]) {
        for (path, text) in files {
            let p = self.0.join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// An Embench-shaped tree (support files, programs `alpha`, `beta`, and a
/// folder without C files), a CoreMark-shaped tree, and a manifest listing
/// the suites in `listed`, as `make suites` writes it.
fn prepared(s: &Scratch, listed: &[&str]) -> PathBuf {
    s.write(&[
        ("embench/support/main.c", "int main(void) { return 0; }\n"),
        ("embench/support/beebsc.c", "\n"),
        ("embench/src/alpha/alpha.c", "int alpha;\n"),
        ("embench/src/beta/beta.c", "int beta;\n"),
        ("embench/src/beta/beta_data.c", "int beta_data;\n"),
        ("embench/src/docs/README", "no C here\n"),
    ]);
    for f in [
        "core_list_join.c",
        "core_main.c",
        "core_matrix.c",
        "core_state.c",
        "core_util.c",
    ] {
        s.write(&[(&format!("coremark/{f}") as &str, "\n")]);
    }
    s.write(&[(
        "out/coremark/build.json",
        "{\"iterations\": 321, \"x\": 1}\n",
    )]);
    let mut manifest = String::from("# written by the test\n");
    for suite in listed {
        let tree = if suite.starts_with("embench") {
            "embench"
        } else {
            "coremark"
        };
        manifest += &format!("{suite}={}\n", s.0.join(tree).display());
    }
    s.write(&[("out/sources.txt", &manifest as &str)]);
    s.0.join("out/sources.txt")
}

fn root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

fn names(sel: &build_suites::Selected) -> Vec<String> {
    sel.units
        .iter()
        .map(|u| format!("{}/{}", u.suite, u.name))
        .collect()
}

#[test]
fn unset_empty_and_none_select_nothing_and_read_nothing() {
    for v in [None, Some(""), Some("  "), Some("none")] {
        let s = Selection::parse(v).unwrap();
        assert_eq!(s, Selection::Nothing, "{v:?}");
        // Not even a missing manifest matters.
        let got = select(&s, Path::new("/nonexistent/sources.txt"), root(), "-O2").unwrap();
        assert!(got.units.is_empty() && got.watch.is_empty(), "{v:?}");
    }
}

#[test]
fn bad_values_are_refused() {
    for (v, says) in [
        ("coremrk", "unknown suite `coremrk`"),
        ("all,coremark", "stands alone"),
        ("embench,none", "stands alone"),
        ("embench/", "names no benchmark"),
    ] {
        let e = Selection::parse(Some(v)).unwrap_err();
        assert!(e.contains(says), "{v}: {e}");
    }
    assert_eq!(
        Selection::parse(Some(" embench/beta , coremark ")).unwrap(),
        Selection::Only(vec![("embench", Some("beta".into())), ("coremark", None)])
    );
}

#[test]
fn asking_without_prepared_suites_says_to_run_make_suites() {
    let s = Scratch::new("missing");
    let missing = s.0.join("sources.txt");
    for v in ["all", "embench", "coremark/coremark"] {
        let e = select(&Selection::parse(Some(v)).unwrap(), &missing, root(), "-O2").unwrap_err();
        assert!(e.contains("make suites"), "{v}: {e}");
    }
    // A manifest that lists nothing.
    s.write(&[("empty.txt", "# nothing\n")]);
    let e = select(&Selection::All, &s.0.join("empty.txt"), root(), "-O2").unwrap_err();
    assert!(e.contains("lists none") && e.contains("make suites"), "{e}");
}

#[test]
fn all_takes_every_listed_suite_and_nothing_else() {
    let s = Scratch::new("all");
    let manifest = prepared(&s, &["embench", "embench-current"]);
    let got = select(&Selection::All, &manifest, root(), "-O2").unwrap();
    assert_eq!(
        names(&got),
        [
            "embench/alpha",
            "embench/beta",
            "embench-current/alpha",
            "embench-current/beta"
        ]
    );
    assert_eq!(got.suites(), ["embench", "embench-current"]);
    let beta = &got.units[1];
    assert_eq!(beta.files.len(), 4, "{beta:?}"); // beta.c, beta_data.c, main.c, beebsc.c
    assert_eq!(beta.ident(), "embench_beta");
    assert_eq!(got.units[2].ident(), "embench_current_alpha");
    assert!(got.units[2]
        .defines
        .contains(&("GLOBAL_SCALE_FACTOR".into(), Some("1".into()))));
    assert!(!got.units[0]
        .defines
        .iter()
        .any(|(k, _)| k == "GLOBAL_SCALE_FACTOR"));
    assert!(got.watch.contains(&manifest));
    assert!(got.watch.iter().any(|f| f.ends_with("beta/beta_data.c")));
}

#[test]
fn a_list_takes_only_its_entries_and_they_must_be_prepared() {
    let s = Scratch::new("list");
    let manifest = prepared(&s, &["coremark", "embench"]);
    let sel = |v: &str| {
        select(
            &Selection::parse(Some(v)).unwrap(),
            &manifest,
            root(),
            "-Os",
        )
    };
    assert_eq!(names(&sel("embench/beta").unwrap()), ["embench/beta"]);
    let both = sel("coremark,embench/alpha").unwrap();
    assert_eq!(names(&both), ["coremark/coremark", "embench/alpha"]);
    // CoreMark runs the iterations of its Wasm build (build.json beside the
    // manifest), with the port of this repository.
    let cm = &both.units[0];
    assert!(
        cm.defines
            .contains(&("ITERATIONS".into(), Some("321".into()))),
        "{cm:?}"
    );
    assert!(cm.defines.contains(&(
        "COMPILER_FLAGS".into(),
        Some("\"-Os (native, trevm-native-c)\"".into())
    )));
    assert!(cm
        .files
        .iter()
        .any(|f| f.ends_with("coremark-wasm/core_portme.c")));

    let e = sel("embench-current").unwrap_err();
    assert!(
        e.contains("make suites BUILD_SUITES=embench-current"),
        "{e}"
    );
    let e = sel("embench/gamma").unwrap_err();
    assert!(
        e.contains("embench/gamma") && e.contains("alpha, beta"),
        "{e}"
    );
}

#[test]
fn sources_gone_since_make_suites_fail_loudly() {
    let s = Scratch::new("gone");
    let manifest = prepared(&s, &["embench"]);
    std::fs::remove_dir_all(s.0.join("embench")).unwrap();
    let e = select(&Selection::All, &manifest, root(), "-O2").unwrap_err();
    assert!(e.contains("are gone") && e.contains("make suites"), "{e}");
}

#[test]
fn malformed_manifests_name_the_line() {
    let s = Scratch::new("malformed");
    s.write(&[
        ("a.txt", "embench=/x\nnonsense\n"),
        ("b.txt", "dhrystone=/x\n"),
    ]);
    let e = read_manifest(&s.0.join("a.txt")).unwrap_err();
    assert!(
        e.ends_with("a.txt:2: expected `suite=/path`, got `nonsense`"),
        "{e}"
    );
    let e = read_manifest(&s.0.join("b.txt")).unwrap_err();
    assert!(e.contains("b.txt:1: unknown suite `dhrystone`"), "{e}");
}
