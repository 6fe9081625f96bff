//! The user's own modules (`trevm bench --module`, `--suite-dir`): each is
//! checked against its benchmark ABI before any cell runs, so that a module
//! that cannot work is refused with the import or export that is wrong
//! instead of failing in every cell of the matrix.
//!
//! The ABI is the one [`trevm_bench::abi::run`] implements: a module may
//! import the host functions of [`HostFn`] (module `env`) with their types
//! and nothing else, and must export the entry points of
//! [`trevm_bench::abi::exports`] with theirs.

use std::fmt;
use std::path::{Path, PathBuf};

use trevm_bench::abi::{self, Returns};
use trevm_bench::HostFn;
use trevm_catalog::suite::{self, Abi};
use wasmparser::{CompositeInnerType, Encoding, ExternalKind, FuncType, Payload, TypeRef, ValType};

use crate::error::{Error, Result};
use crate::suite::{slot_abi, Workload};

/// Suite name of the modules given with `--module`.
pub const USER_SUITE: &str = "user";

/// Why a module does not fit its ABI.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mismatch {
    /// Not a Wasm module (or a damaged one).
    NotWasm(String),
    /// A component where a core module is needed.
    Component,
    /// An import the harness does not provide, or provides with another
    /// type.
    Import {
        /// `module.name`.
        import: String,
        /// What is wrong.
        why: String,
    },
    /// A required export is missing.
    MissingExport {
        /// Its name.
        name: &'static str,
        /// Its type.
        ty: String,
    },
    /// An export the harness calls has another type.
    ExportType {
        /// Its name.
        name: &'static str,
        /// The type the ABI needs.
        want: String,
        /// The module's.
        got: String,
    },
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Mismatch::NotWasm(e) => write!(f, "not a Wasm module: {e}"),
            Mismatch::Component => f.write_str(
                "a component, not a core module (components are capsules: the capsule ABI)",
            ),
            Mismatch::Import { import, why } => write!(f, "import `{import}` {why}"),
            Mismatch::MissingExport { name, ty } => {
                write!(f, "export `{name}: {ty}` is missing")
            }
            Mismatch::ExportType { name, want, got } => {
                write!(
                    f,
                    "export `{name}` is `{got}`, the ABI calls it as `{want}`"
                )
            }
        }
    }
}

fn val(t: &ValType) -> String {
    t.to_string()
}

fn sig(params: &[String], results: &[String]) -> String {
    let r = match results {
        [] => String::new(),
        [one] => format!(" -> {one}"),
        many => format!(" -> ({})", many.join(", ")),
    };
    format!("({}){r}", params.join(", "))
}

fn func_sig(t: &FuncType) -> String {
    let p: Vec<String> = t.params().iter().map(val).collect();
    let r: Vec<String> = t.results().iter().map(val).collect();
    sig(&p, &r)
}

fn provided() -> String {
    HostFn::ALL
        .iter()
        .map(|f| format!("{}.{}", HostFn::MODULE, f.name()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn host_sig(f: HostFn) -> String {
    sig(
        &[],
        &if f.returns_i64() {
            vec!["i64".into()]
        } else {
            vec![]
        },
    )
}

fn returns_ok(r: Returns, t: &FuncType) -> bool {
    t.params().is_empty()
        && match r {
            Returns::Nothing => t.results().is_empty(),
            Returns::I32 => t.results() == [ValType::I32],
            Returns::Float => matches!(t.results(), [ValType::F32] | [ValType::F64]),
        }
}

fn returns_sig(r: Returns) -> String {
    match r {
        Returns::Nothing => "()".into(),
        Returns::I32 => "() -> i32".into(),
        Returns::Float => "() -> f32".into(),
    }
}

/// Checks `wasm` against `abi` (a core-module ABI): the imports, then the
/// exports. The first problem found is returned.
pub fn check(abi: Abi, wasm: &[u8]) -> std::result::Result<(), Mismatch> {
    let bad = |e: wasmparser::BinaryReaderError| Mismatch::NotWasm(e.to_string());
    let mut types: Vec<Option<FuncType>> = Vec::new();
    // The type of each function of the function index space: imports first.
    let mut funcs: Vec<u32> = Vec::new();
    let mut exports: Vec<(String, u32)> = Vec::new();
    for payload in wasmparser::Parser::new(0).parse_all(wasm) {
        match payload.map_err(bad)? {
            Payload::Version {
                encoding: Encoding::Component,
                ..
            } => return Err(Mismatch::Component),
            Payload::TypeSection(r) => {
                for group in r {
                    for sub in group.map_err(bad)?.into_types() {
                        types.push(match sub.composite_type.inner {
                            CompositeInnerType::Func(f) => Some(f),
                            _ => None,
                        });
                    }
                }
            }
            Payload::ImportSection(r) => {
                for import in r.into_imports() {
                    let i = import.map_err(bad)?;
                    let name = format!("{}.{}", i.module, i.name);
                    let Some(host) = HostFn::lookup(i.module, i.name) else {
                        return Err(Mismatch::Import {
                            import: name,
                            why: format!(
                                "is not provided by the harness (it provides {})",
                                provided()
                            ),
                        });
                    };
                    let TypeRef::Func(t) = i.ty else {
                        return Err(Mismatch::Import {
                            import: name,
                            why: "is not a function".into(),
                        });
                    };
                    let got = types.get(t as usize).cloned().flatten();
                    let want = host_sig(host);
                    if got.as_ref().map(func_sig).as_deref() != Some(want.as_str()) {
                        return Err(Mismatch::Import {
                            import: name,
                            why: format!(
                                "has type `{}`, the harness provides `{want}`",
                                got.as_ref().map(func_sig).unwrap_or_else(|| "?".into())
                            ),
                        });
                    }
                    funcs.push(t);
                }
            }
            Payload::FunctionSection(r) => {
                for t in r {
                    funcs.push(t.map_err(bad)?);
                }
            }
            Payload::ExportSection(r) => {
                for e in r {
                    let e = e.map_err(bad)?;
                    if e.kind == ExternalKind::Func {
                        exports.push((e.name.to_string(), e.index));
                    }
                }
            }
            _ => {}
        }
    }
    for want in abi::exports(abi) {
        let found = exports.iter().find(|(n, _)| n == want.name);
        let Some((_, index)) = found else {
            if want.required {
                return Err(Mismatch::MissingExport {
                    name: want.name,
                    ty: returns_sig(want.returns),
                });
            }
            continue;
        };
        let t = funcs
            .get(*index as usize)
            .and_then(|t| types.get(*t as usize).cloned().flatten());
        match t {
            Some(t) if returns_ok(want.returns, &t) => {}
            t => {
                return Err(Mismatch::ExportType {
                    name: want.name,
                    want: returns_sig(want.returns),
                    got: t.as_ref().map(func_sig).unwrap_or_else(|| "?".into()),
                })
            }
        }
    }
    Ok(())
}

/// The workloads of the user's modules: `modules` (suite [`USER_SUITE`])
/// and every `.wasm` of `dir` (a suite named after the folder), each
/// checked against `abi` first. The first module that does not fit is an
/// error naming the module and what is wrong.
pub fn user_workloads(modules: &[PathBuf], dir: Option<&Path>, abi: Abi) -> Result<Vec<Workload>> {
    if abi == Abi::Capsule {
        return Err(Error::UserModule {
            path: modules
                .first()
                .cloned()
                .or(dir.map(Path::to_path_buf))
                .unwrap_or_default(),
            why: "the capsule ABI takes components: put them into build/suites/capsules/ \
                  (`make capsules` builds capsules/) and run SUITE=capsules"
                .into(),
        });
    }
    let mut all: Vec<(String, PathBuf)> = modules
        .iter()
        .map(|p| (USER_SUITE.to_string(), p.clone()))
        .collect();
    if let Some(dir) = dir {
        let name = dir
            .canonicalize()
            .ok()
            .and_then(|d| d.file_name().map(|n| n.to_string_lossy().into_owned()))
            .unwrap_or_else(|| USER_SUITE.into());
        if suite::find(&name).is_some() || [suite::FOOTPRINT, suite::TEST].contains(&name.as_str())
        {
            return Err(Error::UserModule {
                path: dir.to_path_buf(),
                why: format!("`{name}` is a suite of the catalog: give the folder another name"),
            });
        }
        let entries = std::fs::read_dir(dir).map_err(|e| Error::UserModule {
            path: dir.to_path_buf(),
            why: format!("cannot read the folder: {e}"),
        })?;
        let mut found: Vec<PathBuf> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "wasm"))
            .collect();
        found.sort();
        if found.is_empty() {
            return Err(Error::UserModule {
                path: dir.to_path_buf(),
                why: "holds no .wasm file".into(),
            });
        }
        all.extend(found.into_iter().map(|p| (name.clone(), p)));
    }
    let mut out: Vec<Workload> = Vec::new();
    for (suite, path) in all {
        let bytes = std::fs::read(&path).map_err(|e| Error::UserModule {
            path: path.clone(),
            why: format!("cannot read: {e}"),
        })?;
        check(abi, &bytes).map_err(|m| Error::UserModule {
            path: path.clone(),
            why: format!("does not fit the {} ABI: {m}", abi.as_str()),
        })?;
        let name = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        if out.iter().any(|w| w.suite == suite && w.name == name) {
            return Err(Error::UserModule {
                path,
                why: format!("a second module called `{name}` in suite `{suite}`"),
            });
        }
        out.push(Workload {
            suite,
            name,
            abi: slot_abi(abi),
            wasm: path,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wasm(wat: &str) -> Vec<u8> {
        wat::parse_str(wat).unwrap()
    }

    const EMBENCH: &str = r#"(module
        (import "env" "start_trigger" (func $s))
        (import "env" "stop_trigger" (func $e))
        (func (export "__original_main") (result i32) call $s call $e i32.const 0))"#;

    #[test]
    fn a_module_that_fits_passes() {
        assert_eq!(check(Abi::Embench, &wasm(EMBENCH)), Ok(()));
        let coremark = r#"(module (import "env" "clock_ms" (func (result i64)))
            (func (export "run") (result f32) f32.const 1))"#;
        assert_eq!(check(Abi::CoreMark, &wasm(coremark)), Ok(()));
    }

    #[test]
    fn a_wrong_import_is_named() {
        let m = wasm(
            r#"(module (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))
               (func (export "__original_main") (result i32) i32.const 0))"#,
        );
        let e = check(Abi::Embench, &m).unwrap_err();
        assert!(
            matches!(&e, Mismatch::Import { import, .. } if import == "wasi_snapshot_preview1.fd_write"),
            "{e:?}"
        );
        assert!(e.to_string().contains("env.start_trigger"), "{e}");
        let typed = wasm(
            r#"(module (import "env" "clock_ms" (func (result i32)))
               (func (export "run") (result f32) f32.const 1))"#,
        );
        let e = check(Abi::CoreMark, &typed).unwrap_err().to_string();
        assert!(e.contains("env.clock_ms") && e.contains("() -> i64"), "{e}");
    }

    #[test]
    fn missing_and_mistyped_exports_are_named() {
        let e = check(Abi::CoreMark, &wasm(EMBENCH)).unwrap_err();
        assert_eq!(
            e,
            Mismatch::MissingExport {
                name: abi::RUN,
                ty: "() -> f32".into()
            }
        );
        let m = wasm(r#"(module (func (export "__original_main") (result i64) i64.const 0))"#);
        let e = check(Abi::Embench, &m).unwrap_err();
        assert!(
            matches!(
                e,
                Mismatch::ExportType {
                    name: abi::MAIN,
                    ..
                }
            ),
            "{e:?}"
        );
        assert!(matches!(
            check(Abi::Embench, b"not wasm"),
            Err(Mismatch::NotWasm(_))
        ));
    }
}
