//! The runner's modules import each other without cycles: data flows one
//! way (catalog → suites and builds → preparation → backends → matrix →
//! results). Reads `runner/src`, collects the `crate::<module>` references
//! of each top-level module (the files and folders directly under `src/`;
//! `lib.rs` and the `bin/` CLI are not modules of the library), asserts the
//! graph is acyclic, and prints its edges (`cargo test --test module_graph
//! -- --nocapture`).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

type Graph = BTreeMap<String, BTreeSet<String>>;

/// The top-level modules and the `.rs` files of each.
fn modules(src: &Path) -> BTreeMap<String, Vec<PathBuf>> {
    let mut m = BTreeMap::new();
    for entry in std::fs::read_dir(src).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        if path.is_dir() {
            if name != "bin" {
                m.insert(name, rs_files(&path));
            }
        } else if path.extension().is_some_and(|e| e == "rs") && name != "lib" && name != "main" {
            m.insert(name, vec![path]);
        }
    }
    m
}

fn rs_files(dir: &Path) -> Vec<PathBuf> {
    let mut v = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            v.extend(rs_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            v.push(path);
        }
    }
    v
}

fn ident(s: &str) -> &str {
    let end = s
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(s.len());
    &s[..end]
}

/// The first path segment of every `crate::` reference in `code`
/// (`crate::a::b`, `crate::{a, b::c}`), comments left out.
fn references(code: &str) -> BTreeSet<String> {
    let code: String = code
        .lines()
        .map(|l| l.find("//").map_or(l, |at| &l[..at]))
        .collect::<Vec<_>>()
        .join("\n");
    let mut out = BTreeSet::new();
    for (at, _) in code.match_indices("crate::") {
        let rest = &code[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            // Split the group at top-level commas.
            let mut depth = 0;
            let mut item = String::new();
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        out.insert(ident(item.trim()).to_string());
                        item.clear();
                        continue;
                    }
                    _ => {}
                }
                item.push(c);
            }
            out.insert(ident(item.trim()).to_string());
        } else {
            out.insert(ident(rest).to_string());
        }
    }
    out.retain(|s| !s.is_empty());
    out
}

fn graph(src: &Path) -> Graph {
    let mods = modules(src);
    let mut g = Graph::new();
    for (name, files) in &mods {
        let mut deps = BTreeSet::new();
        for f in files {
            let code = std::fs::read_to_string(f).unwrap();
            deps.extend(
                references(&code)
                    .into_iter()
                    .filter(|d| d != name && mods.contains_key(d)),
            );
        }
        g.insert(name.clone(), deps);
    }
    g
}

/// A cycle of `g`, if it has one.
fn cycle(g: &Graph) -> Option<Vec<String>> {
    fn visit(
        n: &str,
        g: &Graph,
        done: &mut BTreeSet<String>,
        path: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|p| p == n) {
            let mut c = path[at..].to_vec();
            c.push(n.to_string());
            return Some(c);
        }
        if done.contains(n) {
            return None;
        }
        path.push(n.to_string());
        for d in &g[n] {
            if let Some(c) = visit(d, g, done, path) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(n.to_string());
        None
    }
    let mut done = BTreeSet::new();
    g.keys()
        .find_map(|n| visit(n, g, &mut done, &mut Vec::new()))
}

#[test]
fn references_are_read_from_paths_and_groups() {
    let code = "use crate::{meta, session::{self, decode}, workspace};\n\
                use crate::target::rtt::LineAssembler;\n\
                // use crate::commented;\n\
                let x = crate::build::cargo_in(env);";
    let want: BTreeSet<String> = ["build", "meta", "session", "target", "workspace"]
        .map(String::from)
        .into();
    assert_eq!(references(code), want);
    let mut g = Graph::new();
    g.insert("a".into(), ["b".to_string()].into());
    g.insert("b".into(), ["a".to_string()].into());
    assert_eq!(cycle(&g).unwrap(), ["a", "b", "a"]);
}

#[test]
fn runner_modules_form_no_cycle() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let g = graph(&src);
    for expected in [
        "backend", "build", "factory", "matrix", "prepare", "session", "target",
    ] {
        assert!(g.contains_key(expected), "no module `{expected}` in {g:?}");
    }
    println!("runner module graph (module -> the modules it uses):");
    for (m, deps) in &g {
        let deps: Vec<&str> = deps.iter().map(String::as_str).collect();
        println!(
            "  {m} -> {}",
            if deps.is_empty() {
                "-".to_string()
            } else {
                deps.join(", ")
            }
        );
    }
    if let Some(c) = cycle(&g) {
        panic!("import cycle between runner modules: {}", c.join(" -> "));
    }
}
