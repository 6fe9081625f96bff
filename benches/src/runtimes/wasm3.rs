//! wasm3 (`wasm3` crate 0.3.1, wasm3 C sources of 2021/22), driven through
//! the crate's raw bindings (`wasm3::wasm3_sys`).
//!
//! The raw API is used rather than the crate's typed wrappers because the
//! harness needs what those hide: the module's import list (to reject
//! unknown imports up front; wasm3 would only fail when compiling a caller),
//! the runtime's memory maximum (to apply [`Limits::max_memory`]), host
//! functions with a user-data cookie, and the module bytes used in place
//! (the wrappers copy them; wasm3 parses in place, so the instance borrows
//! the caller's bytes for its lifetime instead).
//!
//! - One wasm3 environment and runtime per instance; [`Limits::stack`] is
//!   the runtime's stack (`m3_NewRuntime`).
//! - Linear memory is capped at [`Limits::max_memory`] bytes with wasm3's
//!   own `memoryLimit`: wasm3 then allocates at most that much, and a larger
//!   memory (initial or grown) is only backed up to the cap, so touching
//!   beyond it traps. The adapter reports any memory that outgrew its
//!   backing as [`ErrorKind::OutOfMemory`], whether the guest trapped or not
//!   (as the other adapters do, a growth past the budget ends the cell).
//! - wasm3 compiles functions lazily, on first call: invalid function bodies
//!   are found then (as [`ErrorKind::Malformed`] at [`Stage::Run`]), and
//!   compilation cost lands in the first call of each function.
//! - Memory: wasm3 allocates with `malloc`/`calloc`/`realloc`/`free`. On bare
//!   metal (`target_os = "none"` without `std`) this file provides them on the
//!   Rust global allocator, so the tracking allocator counts wasm3 and its
//!   budget can refuse it; on the host the C library provides them and
//!   wasm3's heap is *not* counted.
//! - Errors: wasm3 reports them as pointers to its static error strings
//!   (`m3Err_*` of `wasm3.h`); `classify` compares those pointers, never
//!   the text. Running out of wasm3's stack (its value stack at run time,
//!   `m3Err_trapStackOverflow`, or a function's frame at compile time,
//!   `m3Err_functionStackOverflow`) is [`ErrorKind::OutOfMemory`]. The only
//!   errors without a constant are the ad-hoc ones `m3_LoadModule` throws
//!   when initialising data and element segments (out of bounds, which the
//!   spec makes a trap): at instantiation, an error wasm3 has no constant
//!   for is therefore [`ErrorKind::Trap`]; and those its compiler throws
//!   (`local index out of bounds` in an invalid body, but also `no
//!   operation found for opcode` for some valid code it cannot compile):
//!   during a call, where a callee is compiled on its first call, an error
//!   without a constant is therefore [`ErrorKind::Malformed`], with wasm3's
//!   message (the reliability campaign found both).
//! - Limits of wasm3 0.3 the adapter reports rather than meets: function
//!   types with more than one result (multi-value) are
//!   [`ErrorKind::Unsupported`] at load (wasm3 would misparse them); function
//!   bodies are not validated (a type error is not found); a start function
//!   that calls a host function fails to link (`m3_LoadModule` runs it
//!   before host functions can be linked).

use alloc_crate::boxed::Box;
use alloc_crate::string::String;
use core::ffi::{c_void, CStr};
use core::marker::PhantomData;
use core::ptr;

use wasm3::wasm3_sys as ffi;

use crate::engine::{Host, HostFn, Instance, Limits, Runtime, RuntimeInfo, Value};
use crate::error::{Error, ErrorKind, Stage};

use super::support::{
    c_str, error, fmt_u64, initial_memory_over_budget, section, try_box, with_c_str, MemoryLimits,
};

const WASM_PAGE: usize = 65536;

/// wasm3 with the budgets it instantiates modules with.
pub struct Wasm3 {
    limits: Limits,
}

impl Wasm3 {
    /// wasm3 with these budgets.
    pub fn new(limits: Limits) -> Wasm3 {
        Wasm3 { limits }
    }
}

impl Runtime for Wasm3 {
    fn info(&self) -> RuntimeInfo {
        RuntimeInfo {
            label: "wasm3",
            crate_name: "wasm3",
            version: env!("TREVM_VERSION_WASM3"),
            features: &["use-32bit-slots"],
        }
    }

    fn heap_counted(&self) -> bool {
        // On bare metal this file routes malloc & co. to the global
        // allocator; on a hosted target wasm3 uses the libc's malloc.
        cfg!(target_os = "none")
    }

    fn instantiate<'a>(
        &'a mut self,
        module: &'a [u8],
        host: Host,
    ) -> Result<Box<dyn Instance + 'a>, Error> {
        let size = u32::try_from(module.len()).map_err(|_| {
            error(
                ErrorKind::Malformed,
                Stage::Load,
                &["module larger than 4 GiB"],
            )
        })?;
        let stack = self.limits.stack.min(u32::MAX as usize) as u32;
        // wasm3: 0 = no limit. Larger than u32: nothing to limit (4 GiB).
        let memory_limit = u32::try_from(self.limits.max_memory).map_or(0, |m| m.max(1));

        let mut inst = try_box(Wasm3Instance {
            env: ptr::null_mut(),
            rt: ptr::null_mut(),
            module: ptr::null_mut(),
            loaded: false,
            shared: Shared { host },
            _bytes: PhantomData,
        })
        .map_err(|_| {
            error(
                ErrorKind::OutOfMemory,
                Stage::Load,
                &["no heap for the instance"],
            )
        })?;

        // SAFETY: each handle is checked before use and freed by Drop; the
        // module bytes outlive the instance ('a).
        unsafe {
            inst.env = ffi::m3_NewEnvironment();
            if inst.env.is_null() {
                return Err(error(
                    ErrorKind::OutOfMemory,
                    Stage::Load,
                    &["m3_NewEnvironment failed"],
                ));
            }
            inst.rt = ffi::m3_NewRuntime(inst.env, stack, ptr::null_mut());
            if inst.rt.is_null() {
                return Err(error(
                    ErrorKind::OutOfMemory,
                    Stage::Load,
                    &["m3_NewRuntime failed"],
                ));
            }
            (*inst.rt).memoryLimit = memory_limit;

            // wasm3 trusts section lengths (it reads past the buffer when one
            // is too long): check the framing first.
            check_sections(module)
                .map_err(|why| error(ErrorKind::Malformed, Stage::Load, &[why]))?;
            // wasm3 0.3 reads one result per function type and misparses
            // the rest of a multi-value type.
            if has_multi_value(module) {
                return Err(error(
                    ErrorKind::Unsupported,
                    Stage::Load,
                    &["wasm3 0.3 supports one result per function (the module uses multi-value)"],
                ));
            }

            let mut m: ffi::IM3Module = ptr::null_mut();
            let r = ffi::m3_ParseModule(inst.env, &mut m, module.as_ptr(), size);
            if !r.is_null() {
                if !m.is_null() {
                    ffi::m3_FreeModule(m);
                }
                let kind = classify(r).unwrap_or(ErrorKind::Malformed);
                return Err(error(kind, Stage::Load, &[c_str(r)]));
            }
            inst.module = m;

            check_imports(m)?;

            // The initial memory against the budget, before wasm3 allocates
            // (it would back only `memoryLimit` bytes of it).
            if !(*m).memoryImported {
                let declared = MemoryLimits {
                    min: u64::from((*m).memoryInfo.initPages),
                    max: None,
                };
                if let Some(e) = initial_memory_over_budget(Some(declared), self.limits.max_memory)
                {
                    return Err(e);
                }
            }

            let r = ffi::m3_LoadModule(inst.rt, m);
            // On success the runtime owns the module from here on; on
            // failure too once wasm3 linked it into the runtime's list (it
            // does so before running the start function), and the runtime
            // then frees it.
            inst.loaded = r.is_null() || (*inst.rt).modules == m;
            if let Some(e) = inst.over_budget(Stage::Instantiate) {
                return Err(e);
            }
            if !r.is_null() {
                // No constant: a segment out of bounds (see `classify`).
                let kind = classify(r).unwrap_or(ErrorKind::Trap);
                return Err(error(kind, Stage::Instantiate, &[c_str(r)]));
            }

            // Serve the host functions the module imports.
            let cookie = ptr::addr_of_mut!(inst.shared).cast::<c_void>();
            for (i, f) in HostFn::ALL.into_iter().enumerate() {
                let (name, signature) = C_NAMES[i];
                debug_assert_eq!(name.to_str(), Ok(f.name()));
                let r = ffi::m3_LinkRawFunctionEx(
                    m,
                    c"env".as_ptr(),
                    name.as_ptr(),
                    signature.as_ptr(),
                    Some(HOST_FNS[i]),
                    cookie,
                );
                if r.is_null() || r == ffi::m3Err_functionLookupFailed {
                    continue; // linked, or not imported
                }
                let kind = match classify(r) {
                    Some(ErrorKind::OutOfMemory) => ErrorKind::OutOfMemory,
                    _ => ErrorKind::Link,
                };
                return Err(error(
                    kind,
                    Stage::Instantiate,
                    &["linking env.", f.name(), ": ", c_str(r)],
                ));
            }
        }
        Ok(inst)
    }
}

/// The C names and wasm3 signatures of [`HostFn::ALL`], in that order.
const C_NAMES: [(&CStr, &CStr); 4] = [
    (c"clock_ms", c"I()"),
    (c"initialise_board", c"v()"),
    (c"start_trigger", c"v()"),
    (c"stop_trigger", c"v()"),
];

type RawCallEx =
    unsafe extern "C" fn(ffi::IM3Runtime, *mut u64, *mut c_void, *mut c_void) -> *const c_void;
/// The native function of each of [`HostFn::ALL`].
const HOST_FNS: [RawCallEx; 4] = [host_fn::<0>, host_fn::<1>, host_fn::<2>, host_fn::<3>];

/// `HostFn::ALL[F]`, called by wasm3 with the instance's [`Shared`] as
/// cookie. Results go to the first stack slot.
unsafe extern "C" fn host_fn<const F: usize>(
    _rt: ffi::IM3Runtime,
    sp: *mut u64,
    _mem: *mut c_void,
    cookie: *mut c_void,
) -> *const c_void {
    let f = HostFn::ALL[F];
    // SAFETY: the cookie is the `Shared` of the running instance, which
    // outlives every call into it.
    if let Some(shared) = unsafe { cookie.cast::<Shared>().as_mut() } {
        let v = shared.host.call(f);
        if f.returns_i64() {
            // SAFETY: wasm3 reserves the return slot(s) at `sp`; with 32-bit
            // slots it is only 4-byte aligned.
            unsafe { sp.cast::<i64>().write_unaligned(v) };
        }
    }
    ptr::null() // m3Err_none
}

/// State the host functions reach through their cookie.
struct Shared {
    host: Host,
}

/// One wasm3 environment + runtime with the module loaded into it.
struct Wasm3Instance<'a> {
    env: ffi::IM3Environment,
    rt: ffi::IM3Runtime,
    /// Owned by us until `loaded`, then by the runtime.
    module: ffi::IM3Module,
    loaded: bool,
    /// Boxed with the instance: its address is the host functions' cookie.
    shared: Shared,
    /// wasm3 points into the module bytes.
    _bytes: PhantomData<&'a [u8]>,
}

impl Wasm3Instance<'_> {
    /// [`ErrorKind::OutOfMemory`] when linear memory has more pages than
    /// `memoryLimit` let wasm3 back.
    fn over_budget(&self, stage: Stage) -> Option<Error> {
        // SAFETY: live runtime; `mallocated` is checked before it is read.
        let (wanted, backed) = unsafe {
            let memory = &(*self.rt).memory;
            if memory.mallocated.is_null() {
                return None;
            }
            #[allow(clippy::useless_conversion)] // size_t is u32 on the boards
            let backed = u64::from((*memory.mallocated).length);
            (u64::from(memory.numPages) * WASM_PAGE as u64, backed)
        };
        if wanted <= backed {
            return None;
        }
        let (mut w, mut b) = ([0u8; 20], [0u8; 20]);
        Some(error(
            ErrorKind::OutOfMemory,
            stage,
            &[
                "linear memory of ",
                fmt_u64(wanted, &mut w),
                " B exceeds the budget of ",
                fmt_u64(backed, &mut b),
                " B (Limits::max_memory)",
            ],
        ))
    }

    /// The exported (not imported) function `name`, compiled.
    fn find(&mut self, name: &str) -> Result<ffi::IM3Function, Error> {
        // SAFETY: live runtime. Forget errors of earlier lookups.
        unsafe { ffi::m3_ResetErrorInfo(self.rt) };
        let mut f: ffi::IM3Function = ptr::null_mut();
        // SAFETY: live runtime; NUL-terminated name.
        let r = with_c_str(name, |c| unsafe {
            ffi::m3_FindFunction(&mut f, self.rt, c)
        })
        .unwrap_or(unsafe { ffi::m3Err_functionLookupFailed });
        // SAFETY: a function of the loaded module.
        let imported = !f.is_null() && unsafe { !(*f).import.moduleUtf8.is_null() };
        if !r.is_null() {
            // SAFETY: static error strings.
            let lookup = unsafe { r == ffi::m3Err_functionLookupFailed };
            if lookup || imported {
                return Err(error(
                    ErrorKind::Link,
                    Stage::Run,
                    &["the module exports no function `", name, "`"],
                ));
            }
            let detail = self.error_detail();
            // Compiling the function failed: invalid code, or a frame
            // larger than wasm3 compiles (out of memory).
            let kind = match classify(r) {
                Some(kind @ (ErrorKind::OutOfMemory | ErrorKind::Link)) => kind,
                _ => ErrorKind::Malformed,
            };
            return Err(error(
                kind,
                Stage::Run,
                &[
                    "compiling `",
                    name,
                    "`: ",
                    unsafe { c_str(r) },
                    detail.as_str(),
                ],
            ));
        }
        if f.is_null() || imported {
            return Err(error(
                ErrorKind::Link,
                Stage::Run,
                &["the module exports no function `", name, "`"],
            ));
        }
        Ok(f)
    }

    /// `" (<message>)"` from the runtime's error info, or nothing.
    fn error_detail(&mut self) -> String {
        let mut info = core::mem::MaybeUninit::<ffi::M3ErrorInfo>::zeroed();
        // SAFETY: live runtime; the message is a static or runtime-owned string.
        let msg = unsafe {
            ffi::m3_GetErrorInfo(self.rt, info.as_mut_ptr());
            let info = info.assume_init();
            c_str(info.message)
        };
        let mut s = String::new();
        if !msg.is_empty() && s.try_reserve_exact(msg.len() + 3).is_ok() {
            s.push_str(" (");
            s.push_str(msg);
            s.push(')');
        }
        s
    }

    /// The error for a failed call.
    fn trap(&mut self, r: ffi::M3Result) -> Error {
        // SAFETY: static error strings; live runtime.
        let msg = unsafe { c_str(r) };
        let detail = self.error_detail();
        // Every trap has a constant: an error without one comes from
        // compiling a callee on its first call (see the module's
        // documentation), as in `find`.
        let kind = classify(r).unwrap_or(ErrorKind::Malformed);
        error(kind, Stage::Run, &[msg, detail.as_str()])
    }
}

impl Instance for Wasm3Instance<'_> {
    fn has_export(&mut self, name: &str) -> bool {
        self.find(name).is_ok()
    }

    fn call(&mut self, name: &str) -> Result<Option<Value>, Error> {
        let f = self.find(name)?;
        // SAFETY: a compiled function of the loaded module; its type is
        // interned in the environment.
        let (args, ret) = unsafe { ((*(*f).funcType).numArgs, (*(*f).funcType).returnType as u32) };
        if args != 0 {
            return Err(error(
                ErrorKind::Link,
                Stage::Run,
                &["export `", name, "` takes parameters"],
            ));
        }
        use ffi::_bindgen_ty_1 as ty;
        if ![
            ty::c_m3Type_none,
            ty::c_m3Type_i32,
            ty::c_m3Type_i64,
            ty::c_m3Type_f32,
            ty::c_m3Type_f64,
        ]
        .contains(&ret)
        {
            return Err(error(
                ErrorKind::Unsupported,
                Stage::Run,
                &["export `", name, "` has an unsupported result type"],
            ));
        }
        // SAFETY: as above; results are left at the bottom of the stack.
        unsafe {
            ffi::m3_ResetErrorInfo(self.rt);
            let r = ffi::m3_Call(f);
            if let Some(e) = self.over_budget(Stage::Run) {
                return Err(e);
            }
            if !r.is_null() {
                return Err(self.trap(r));
            }
            let stack = (*self.rt).stack.cast::<u8>();
            Ok(match ret {
                ty::c_m3Type_i32 => Some(Value::I32(stack.cast::<i32>().read_unaligned())),
                ty::c_m3Type_i64 => Some(Value::I64(stack.cast::<i64>().read_unaligned())),
                ty::c_m3Type_f32 => Some(Value::F32(stack.cast::<f32>().read_unaligned())),
                ty::c_m3Type_f64 => Some(Value::F64(stack.cast::<f64>().read_unaligned())),
                _ => None,
            })
        }
    }

    fn host(&self) -> &Host {
        &self.shared.host
    }

    fn memory_size(&mut self) -> Option<usize> {
        // SAFETY: live runtime; `mallocated` is checked before m3_GetMemory
        // reads through it.
        unsafe {
            if (*self.rt).memory.mallocated.is_null() {
                return None;
            }
            let mut bytes = 0u32;
            ffi::m3_GetMemory(self.rt, &mut bytes, 0);
            Some(bytes as usize)
        }
    }
}

impl Drop for Wasm3Instance<'_> {
    fn drop(&mut self) {
        // SAFETY: each handle freed once; a loaded module is freed by its runtime.
        unsafe {
            if !self.module.is_null() && !self.loaded {
                ffi::m3_FreeModule(self.module);
            }
            if !self.rt.is_null() {
                ffi::m3_FreeRuntime(self.rt);
            }
            if !self.env.is_null() {
                ffi::m3_FreeEnvironment(self.env);
            }
        }
    }
}

/// Fails with [`ErrorKind::Link`] unless every import is one of the four
/// `env` host functions with its type. (wasm3 skips table imports while
/// parsing, so they cannot be seen here.)
///
/// # Safety
/// `m` is a parsed module.
unsafe fn check_imports(m: ffi::IM3Module) -> Result<(), Error> {
    let m = unsafe { &*m };
    let functions: &[ffi::M3Function] = if m.functions.is_null() {
        &[]
    } else {
        unsafe { core::slice::from_raw_parts(m.functions, m.numFunctions as usize) }
    };
    for f in functions.iter().filter(|f| !f.import.moduleUtf8.is_null()) {
        let (module, name) = unsafe { (c_str(f.import.moduleUtf8), c_str(f.import.fieldUtf8)) };
        let Some(host_fn) = HostFn::lookup(module, name) else {
            return Err(error(
                ErrorKind::Link,
                Stage::Instantiate,
                &["unknown import: function `", module, ".", name, "`"],
            ));
        };
        let ty = unsafe { &*f.funcType };
        let want = if host_fn.returns_i64() {
            ffi::_bindgen_ty_1::c_m3Type_i64
        } else {
            ffi::_bindgen_ty_1::c_m3Type_none
        };
        if ty.numArgs != 0 || ty.returnType as u32 != want {
            let want = if host_fn.returns_i64() {
                "() -> i64"
            } else {
                "() -> ()"
            };
            return Err(error(
                ErrorKind::Link,
                Stage::Instantiate,
                &[
                    "import `",
                    module,
                    ".",
                    name,
                    "` has the wrong type (expected ",
                    want,
                    ")",
                ],
            ));
        }
    }
    if m.memoryImported {
        return Err(error(
            ErrorKind::Link,
            Stage::Instantiate,
            &["unknown import: a memory"],
        ));
    }
    let globals: &[ffi::M3Global] = if m.globals.is_null() {
        &[]
    } else {
        unsafe { core::slice::from_raw_parts(m.globals, m.numGlobals as usize) }
    };
    if let Some(g) = globals.iter().find(|g| g.imported) {
        let (module, name) = unsafe { (c_str(g.import.moduleUtf8), c_str(g.import.fieldUtf8)) };
        return Err(error(
            ErrorKind::Link,
            Stage::Instantiate,
            &["unknown import: global `", module, ".", name, "`"],
        ));
    }
    Ok(())
}

/// `true` when a function type of the module has more than one result.
fn has_multi_value(wasm: &[u8]) -> bool {
    let Some(mut r) = section(wasm, 1) else {
        return false;
    };
    let count = r.leb().unwrap_or(0);
    for _ in 0..count {
        // 0x60, then the parameter and result types, one byte each.
        let (Some(0x60), Some(_params), Some(results)) = (r.byte(), r.name(), r.name()) else {
            return false;
        };
        if results.len() > 1 {
            return true;
        }
    }
    false
}

/// Checks the binary's header and that every section lies within it.
fn check_sections(bytes: &[u8]) -> Result<(), &'static str> {
    let Some(mut rest) = bytes.strip_prefix(b"\0asm") else {
        return Err("not a Wasm binary (bad magic)");
    };
    if rest.len() < 4 {
        return Err("truncated header");
    }
    rest = &rest[4..]; // the version is wasm3's to check
    while let Some((_id, tail)) = rest.split_first() {
        let mut len: u64 = 0;
        let mut used = 0;
        loop {
            let Some(&b) = tail.get(used) else {
                return Err("truncated section length");
            };
            len |= u64::from(b & 0x7f) << (7 * used);
            used += 1;
            if b & 0x80 == 0 {
                break;
            }
            if used == 5 {
                return Err("section length is not a u32 LEB128");
            }
        }
        let body = &tail[used..];
        if len > body.len() as u64 {
            return Err("a section runs past the end of the module");
        }
        rest = &body[len as usize..];
    }
    Ok(())
}

/// What wasm3's result `r` means, by the identity of its static error
/// string (`m3Err_*` of `wasm3.h`); `None` for a result wasm3 has no
/// constant for (an ad-hoc string).
fn classify(r: ffi::M3Result) -> Option<ErrorKind> {
    use ErrorKind::{Link, Malformed, OutOfMemory, Trap};
    if r.is_null() {
        return None;
    }
    // SAFETY: reading the addresses of wasm3's static error strings.
    let table = unsafe {
        [
            (ffi::m3Err_mallocFailed, OutOfMemory),
            (ffi::m3Err_mallocFailedCodePage, OutOfMemory),
            (ffi::m3Err_wasmMemoryOverflow, OutOfMemory),
            // wasm3's stacks: the value stack at run time, a function's
            // frame (`d_m3MaxFunctionStackHeight` slots) at compile time.
            (ffi::m3Err_trapStackOverflow, OutOfMemory),
            (ffi::m3Err_functionStackOverflow, OutOfMemory),
            (ffi::m3Err_trapOutOfBoundsMemoryAccess, Trap),
            (ffi::m3Err_trapDivisionByZero, Trap),
            (ffi::m3Err_trapIntegerOverflow, Trap),
            (ffi::m3Err_trapIntegerConversion, Trap),
            (ffi::m3Err_trapIndirectCallTypeMismatch, Trap),
            (ffi::m3Err_trapTableIndexOutOfRange, Trap),
            (ffi::m3Err_trapTableElementIsNull, Trap),
            (ffi::m3Err_trapExit, Trap),
            (ffi::m3Err_trapAbort, Trap),
            (ffi::m3Err_trapUnreachable, Trap),
            (ffi::m3Err_functionLookupFailed, Link),
            (ffi::m3Err_functionImportMissing, Link),
            (ffi::m3Err_typeListOverflow, Malformed),
            (ffi::m3Err_incompatibleWasmVersion, Malformed),
            (ffi::m3Err_wasmMalformed, Malformed),
            (ffi::m3Err_misorderedWasmSection, Malformed),
            (ffi::m3Err_wasmUnderrun, Malformed),
            (ffi::m3Err_wasmOverrun, Malformed),
            (ffi::m3Err_wasmMissingInitExpr, Malformed),
            (ffi::m3Err_lebOverflow, Malformed),
            (ffi::m3Err_missingUTF8, Malformed),
            (ffi::m3Err_wasmSectionUnderrun, Malformed),
            (ffi::m3Err_wasmSectionOverrun, Malformed),
            (ffi::m3Err_invalidTypeId, Malformed),
            (ffi::m3Err_tooManyMemorySections, Malformed),
            (ffi::m3Err_malformedFunctionSignature, Malformed),
            (ffi::m3Err_funcSignatureMissingReturnType, Malformed),
            (ffi::m3Err_noCompiler, Malformed),
            (ffi::m3Err_unknownOpcode, Malformed),
            (ffi::m3Err_functionStackUnderrun, Malformed),
            (ffi::m3Err_argumentCountMismatch, Malformed),
            (ffi::m3Err_globaIndexOutOfBounds, Malformed),
            (ffi::m3Err_globalMemoryNotAllocated, Malformed),
            (ffi::m3Err_settingImmutableGlobal, Malformed),
            (ffi::m3Err_missingCompiledCode, ErrorKind::Internal),
            (ffi::m3Err_moduleAlreadyLinked, ErrorKind::Internal),
        ]
    };
    table
        .into_iter()
        .find(|&(constant, _)| core::ptr::eq(constant, r))
        .map(|(_, kind)| kind)
}

// ---------------------------------------------------------------------------
// Helpers (the allocation-tolerant ones live in `support.rs`).

// ---------------------------------------------------------------------------
// The C allocation functions wasm3 calls, on bare metal only (on the host
// the C library has them). They go to the Rust global allocator, so the
// tracking allocator counts wasm3's heap.

#[cfg(all(target_os = "none", not(feature = "std")))]
mod libc_shims {
    use alloc_crate::alloc::{alloc, alloc_zeroed, dealloc, realloc as rust_realloc, Layout};
    use core::ffi::c_void;
    use core::ptr;

    /// `malloc`'s alignment (`max_align_t`), also the size of the header
    /// that stores each block's size.
    const ALIGN: usize = if core::mem::size_of::<usize>() >= 8 {
        16
    } else {
        8
    };

    fn layout(size: usize) -> Option<Layout> {
        Layout::from_size_align(size.checked_add(ALIGN)?, ALIGN).ok()
    }

    unsafe fn allocate(size: usize, zeroed: bool) -> *mut c_void {
        let Some(layout) = layout(size) else {
            return ptr::null_mut();
        };
        // SAFETY: non-zero size; the header is written before handing out.
        unsafe {
            let base = if zeroed {
                alloc_zeroed(layout)
            } else {
                alloc(layout)
            };
            if base.is_null() {
                return ptr::null_mut();
            }
            base.cast::<usize>().write(size);
            base.add(ALIGN).cast()
        }
    }

    /// C `malloc` on the Rust global allocator.
    #[no_mangle]
    pub unsafe extern "C" fn malloc(size: usize) -> *mut c_void {
        unsafe { allocate(size, false) }
    }

    /// C `calloc` on the Rust global allocator.
    #[no_mangle]
    pub unsafe extern "C" fn calloc(count: usize, size: usize) -> *mut c_void {
        match count.checked_mul(size) {
            Some(total) => unsafe { allocate(total, true) },
            None => ptr::null_mut(),
        }
    }

    /// C `realloc` on the Rust global allocator.
    #[no_mangle]
    pub unsafe extern "C" fn realloc(p: *mut c_void, size: usize) -> *mut c_void {
        if p.is_null() {
            return unsafe { allocate(size, false) };
        }
        let Some(new) = layout(size) else {
            return ptr::null_mut();
        };
        // SAFETY: `p` came from `allocate`; its header holds the size.
        unsafe {
            let base = p.cast::<u8>().sub(ALIGN);
            let old = Layout::from_size_align_unchecked(base.cast::<usize>().read() + ALIGN, ALIGN);
            let moved = rust_realloc(base, old, new.size());
            if moved.is_null() {
                return ptr::null_mut();
            }
            moved.cast::<usize>().write(size);
            moved.add(ALIGN).cast()
        }
    }

    /// C `free` on the Rust global allocator.
    #[no_mangle]
    pub unsafe extern "C" fn free(p: *mut c_void) {
        if p.is_null() {
            return;
        }
        // SAFETY: `p` came from `allocate`; its header holds the size.
        unsafe {
            let base = p.cast::<u8>().sub(ALIGN);
            let size = base.cast::<usize>().read();
            dealloc(base, Layout::from_size_align_unchecked(size + ALIGN, ALIGN));
        }
    }

    /// C `abort` (wasm3's failed internal assertions): a panic, so the
    /// firmware's panic handler reports it.
    #[no_mangle]
    pub extern "C" fn abort() -> ! {
        panic!("wasm3 called abort()")
    }
}
