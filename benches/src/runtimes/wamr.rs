//! WAMR 2.4.3, classic (`wamr`) and fast (`wamr-fast`) interpreter, through
//! `trevm-wamr-sys`.
//!
//! Both interpreters are in every build: `trevm-wamr-sys` compiles WAMR
//! twice and renames the symbols of each copy, so [`sys::classic()`] and
//! [`sys::fast()`] are two independent runtimes. (A build of
//! `trevm-wamr-sys` with only its feature `classic` or `fast` has one; the
//! other label then fails with [`ErrorKind::Unsupported`].) Each is initialised once per
//! program (on the first [`Wamr::variant`]) with `Alloc_With_Allocator`:
//! all of WAMR's memory, linear memories included, comes from the Rust
//! global allocator, so the tracking allocator counts it and its budget can
//! refuse it (WAMR then fails the load, instantiation or `memory.grow`; it
//! does not crash).
//!
//! - `instantiate`: copies the module (WAMR's loader needs a writable buffer
//!   that outlives the module), loads and validates it, checks every import
//!   up front (WAMR itself would instantiate with unresolved imports and
//!   trap only when one is called), and instantiates with the [`Host`] as
//!   the instance's custom data, so it is reachable from the native
//!   functions before the start function runs. The four `env` host
//!   functions are registered once per runtime as native symbols.
//! - Limits: [`Limits::stack`] is the Wasm stack of the execution
//!   environment; [`Limits::max_memory`] caps the default memory's maximum
//!   (`max_memory_pages`; WAMR ignores a cap below the initial size). No app
//!   heap inside linear memory (`host_managed_heap_size = 0`).
//! - Errors: WAMR reports them as text only (a load or instantiation error
//!   buffer, an instance's exception string; it keeps no exception id), so
//!   the adapter decides by typed signals first and reads text last:
//!   - out of memory: the tracking allocator refused an allocation during
//!     the WAMR call ([`crate::alloc::refusals`]; WAMR's heap is the Rust
//!     global allocator, and a refusal makes WAMR fail cleanly), or a
//!     `memory.grow` failed for want of budget (WAMR's grow-failure
//!     callback: the allocator refused the larger memory, or the
//!     [`Limits::max_memory`] cap, not the module's own maximum, was
//!     reached). The call fails with [`ErrorKind::OutOfMemory`] whether
//!     the guest then trapped or carried on with the -1 it got (as the
//!     other adapters do, a growth past the budget ends the cell). An
//!     initial memory larger than [`Limits::max_memory`] is rejected from
//!     the declared size before WAMR allocates it (WAMR ignores a cap
//!     below the initial size);
//!   - load: any other failure is [`ErrorKind::Malformed`];
//!   - instantiation: imports and the memory budget are checked before,
//!     so what remains is a segment out of bounds or a failed start
//!     function: the exception, classified by `exception_kind`, or
//!     [`ErrorKind::Trap`];
//!   - run: the exception, classified by `exception_kind` (the one place
//!     that reads WAMR's text), [`ErrorKind::Trap`] when unknown.
//!
//! Single-threaded: WAMR is built without its thread manager and the
//! platform layer's locks are no-ops. Use a runtime from one thread at a
//! time (the harness does).

use alloc_crate::boxed::Box;
use alloc_crate::vec::Vec;
use core::ffi::{c_char, c_void, CStr};
use core::ptr;
use core::sync::atomic::{AtomicU8, Ordering};

use trevm_wamr_sys as sys;

use crate::engine::{Host, HostFn, Instance, Limits, Runtime, RuntimeInfo, Value};
use crate::error::{Error, ErrorKind, Stage};

use super::support::{
    c_str, defined_memory, error, fmt_u64, initial_memory_over_budget, try_box, with_c_str,
};

const WASM_PAGE: usize = 65536;

/// What the results record about the classic interpreter build.
const FEATURES_CLASSIC: &[&str] = &[
    sys::WAMR_RELEASE,
    "classic",
    "interp",
    "bulk-memory",
    "reference-types",
];
/// What the results record about the fast interpreter build.
const FEATURES_FAST: &[&str] = &[
    sys::WAMR_RELEASE,
    "fast",
    "interp",
    "bulk-memory",
    "reference-types",
];

/// A WAMR interpreter with the budgets it instantiates modules with.
pub struct Wamr {
    api: &'static sys::Api,
    fast: bool,
    limits: Limits,
}

impl Wamr {
    /// The variant `label`: `wamr` (classic interpreter) or `wamr-fast`
    /// (fast interpreter). Initialises that interpreter on first use.
    pub fn variant(label: &str, limits: Limits) -> Result<Wamr, Error> {
        let fast = match label {
            "wamr" => false,
            "wamr-fast" => true,
            _ => {
                return Err(error(
                    ErrorKind::Unsupported,
                    Stage::Load,
                    &["unknown WAMR variant `", label, "`"],
                ));
            }
        };
        let api = api_of(fast).ok_or_else(|| {
            error(
                ErrorKind::Unsupported,
                Stage::Load,
                &[
                    "trevm-wamr-sys was built without the `",
                    label,
                    "` interpreter",
                ],
            )
        })?;
        init(api, fast)?;
        Ok(Wamr { api, fast, limits })
    }

    fn cap_pages(&self) -> u32 {
        (self.limits.max_memory / WASM_PAGE).clamp(1, 65536) as u32
    }

    fn stack(&self) -> u32 {
        self.limits.stack.min(u32::MAX as usize) as u32
    }
}

impl Runtime for Wamr {
    fn info(&self) -> RuntimeInfo {
        RuntimeInfo {
            label: if self.fast { "wamr-fast" } else { "wamr" },
            crate_name: "wamrx-sys",
            version: env!("TREVM_VERSION_WAMR"),
            features: if self.fast {
                FEATURES_FAST
            } else {
                FEATURES_CLASSIC
            },
        }
    }

    fn instantiate<'a>(
        &'a mut self,
        module: &'a [u8],
        host: Host,
    ) -> Result<Box<dyn Instance + 'a>, Error> {
        let api = self.api;
        let size = u32::try_from(module.len()).map_err(|_| {
            error(
                ErrorKind::Malformed,
                Stage::Load,
                &["module larger than 4 GiB"],
            )
        })?;
        // WAMR's loader may rewrite the buffer and keeps pointers into it.
        let mut bytes = Vec::new();
        if bytes.try_reserve_exact(module.len()).is_err() {
            return Err(error(
                ErrorKind::OutOfMemory,
                Stage::Load,
                &["no heap for a copy of the module"],
            ));
        }
        bytes.extend_from_slice(module);

        let mut inst = try_box(WamrInstance {
            api,
            shared: Shared {
                host,
                grow_failure: None,
                cap_pages: self.cap_pages(),
            },
            bytes,
            module: ptr::null_mut(),
            inst: ptr::null_mut(),
            exec_env: ptr::null_mut(),
        })
        .map_err(|_| {
            error(
                ErrorKind::OutOfMemory,
                Stage::Load,
                &["no heap for the instance"],
            )
        })?;

        // Load and validate.
        let refused = Refusals::start();
        let mut err = [0 as c_char; 128];
        // SAFETY: the buffer is ours, writable, and lives as long as the module.
        inst.module = unsafe {
            (api.runtime_load)(
                inst.bytes.as_mut_ptr(),
                size,
                err.as_mut_ptr(),
                err.len() as u32,
            )
        };
        if inst.module.is_null() {
            let kind = if refused.any() {
                ErrorKind::OutOfMemory
            } else {
                ErrorKind::Malformed
            };
            return Err(error(kind, Stage::Load, &[c_message(&err)]));
        }

        // Every import must be one of the four host functions, with its type.
        check_imports(api, inst.module)?;
        // The initial memory must fit the budget.
        if let Some(e) = initial_memory_over_budget(defined_memory(module), self.limits.max_memory)
        {
            return Err(e);
        }

        // Instantiate, with the host reachable from the start function on.
        let refused = Refusals::start();
        let mut args: *mut sys::InstantiationArgs2 = ptr::null_mut();
        // SAFETY: plain calls on live handles; `args` is destroyed below.
        unsafe {
            if !(api.instantiation_args_create)(&mut args) || args.is_null() {
                return Err(error(
                    ErrorKind::OutOfMemory,
                    Stage::Instantiate,
                    &["no heap for instantiation arguments"],
                ));
            }
            (api.instantiation_args_set_default_stack_size)(args, self.stack());
            (api.instantiation_args_set_host_managed_heap_size)(args, 0);
            (api.instantiation_args_set_max_memory_pages)(args, self.cap_pages());
            (api.instantiation_args_set_custom_data)(args, ptr::addr_of_mut!(inst.shared).cast());
            inst.inst = (api.runtime_instantiate_ex2)(
                inst.module,
                args,
                err.as_mut_ptr(),
                err.len() as u32,
            );
            (api.instantiation_args_destroy)(args);
        }
        if inst.inst.is_null() {
            let msg = c_message(&err);
            let kind = if refused.any() {
                ErrorKind::OutOfMemory
            } else {
                // Imports and the memory budget were checked above: a
                // segment out of bounds or the start function failed.
                exception_kind(msg).unwrap_or(ErrorKind::Trap)
            };
            return Err(error(kind, Stage::Instantiate, &[msg]));
        }

        // SAFETY: live instance.
        inst.exec_env = unsafe { (api.runtime_create_exec_env)(inst.inst, self.stack()) };
        if inst.exec_env.is_null() {
            return Err(error(
                ErrorKind::OutOfMemory,
                Stage::Instantiate,
                &["cannot create the execution environment"],
            ));
        }
        Ok(inst)
    }
}

/// State the native functions reach through the instance's custom data.
struct Shared {
    host: Host,
    /// The first failed `memory.grow` since the last call started.
    grow_failure: Option<GrowFailure>,
    /// The cap on linear memory, in pages, from [`Limits::max_memory`].
    cap_pages: u32,
}

#[derive(Clone, Copy)]
struct GrowFailure {
    /// `true`: the memory's maximum was reached; `false`: the allocation
    /// of the larger memory failed.
    max_reached: bool,
    /// Memory size before the failed grow, in bytes.
    current: u64,
    /// Pages asked for.
    pages: u32,
}

/// One WAMR module instance, its execution environment and its host.
struct WamrInstance {
    api: &'static sys::Api,
    /// Boxed with the instance: its address is the custom data.
    shared: Shared,
    /// The module bytes WAMR loaded from (it points into them).
    bytes: Vec<u8>,
    module: sys::wasm_module_t,
    inst: sys::wasm_module_inst_t,
    exec_env: sys::wasm_exec_env_t,
}

impl WamrInstance {
    fn lookup(&self, name: &str) -> sys::wasm_function_inst_t {
        // SAFETY: live instance; the name is NUL-terminated for the call.
        with_c_str(name, |c| unsafe {
            (self.api.runtime_lookup_function)(self.inst, c)
        })
        .unwrap_or(ptr::null_mut())
    }

    /// [`ErrorKind::OutOfMemory`] when a `memory.grow` of the last call
    /// failed for want of budget: the allocator refused, or the cap from
    /// [`Limits::max_memory`] (not the module's own maximum) was reached.
    fn over_budget(&mut self, runtime_said: &str) -> Option<Error> {
        let g = self.shared.grow_failure.take()?;
        if g.max_reached && self.memory_max_pages() != Some(self.shared.cap_pages as u64) {
            return None; // the module's own maximum: the guest's business
        }
        let why = if g.max_reached {
            " bytes failed: linear memory reached its cap (Limits::max_memory)"
        } else {
            " bytes failed: the allocator refused a larger linear memory"
        };
        let (mut cur, mut pages) = ([0u8; 20], [0u8; 20]);
        let said: &[&str] = if runtime_said.is_empty() {
            &[]
        } else {
            &["; runtime said: ", runtime_said]
        };
        let mut parts = [""; 8];
        let head = [
            "memory.grow by ",
            fmt_u64(g.pages as u64, &mut pages),
            " pages from ",
            fmt_u64(g.current, &mut cur),
            why,
        ];
        parts[..5].copy_from_slice(&head);
        parts[5..5 + said.len()].copy_from_slice(said);
        Some(error(
            ErrorKind::OutOfMemory,
            Stage::Run,
            &parts[..5 + said.len()],
        ))
    }

    /// The error for a failed call: the guest's exception, blamed on the
    /// memory budget when a `memory.grow` failed for want of memory or the
    /// allocator refused WAMR during the call (`refused`).
    fn trap(&mut self, refused: bool) -> Error {
        let api = self.api;
        // SAFETY: live instance; the exception string lives in the instance
        // until it is cleared, so it is copied out first.
        let mut text = [0u8; 128];
        let len = unsafe {
            let p = (api.runtime_get_exception)(self.inst);
            let bytes = if p.is_null() {
                &b"unknown exception"[..]
            } else {
                CStr::from_ptr(p).to_bytes()
            };
            let n = bytes.len().min(text.len());
            text[..n].copy_from_slice(&bytes[..n]);
            (api.runtime_clear_exception)(self.inst);
            n
        };
        let msg = core::str::from_utf8(&text[..len]).unwrap_or("exception (not UTF-8)");
        if let Some(e) = self.over_budget(msg) {
            return e;
        }
        let kind = if refused {
            ErrorKind::OutOfMemory
        } else {
            exception_kind(msg).unwrap_or(ErrorKind::Trap)
        };
        error(kind, Stage::Run, &[msg])
    }

    fn memory_max_pages(&self) -> Option<u64> {
        // SAFETY: live instance and memory.
        unsafe {
            let mem = (self.api.runtime_get_default_memory)(self.inst);
            (!mem.is_null()).then(|| (self.api.memory_get_max_page_count)(mem))
        }
    }
}

impl Instance for WamrInstance {
    fn has_export(&mut self, name: &str) -> bool {
        !self.lookup(name).is_null()
    }

    fn call(&mut self, name: &str) -> Result<Option<Value>, Error> {
        let api = self.api;
        let func = self.lookup(name);
        if func.is_null() {
            return Err(error(
                ErrorKind::Link,
                Stage::Run,
                &["the module exports no function `", name, "`"],
            ));
        }
        // SAFETY: live function of this instance.
        let (params, results) = unsafe {
            (
                (api.func_get_param_count)(func, self.inst),
                (api.func_get_result_count)(func, self.inst),
            )
        };
        if params != 0 || results > 1 {
            return Err(error(
                ErrorKind::Link,
                Stage::Run,
                &["export `", name, "` is not of type () -> () or () -> T"],
            ));
        }
        let mut kind: sys::wasm_valkind_t = 0;
        if results == 1 {
            // SAFETY: room for the one result type.
            unsafe { (api.func_get_result_types)(func, self.inst, &mut kind) };
        }

        self.shared.grow_failure = None;
        let refused = Refusals::start();
        // Two cells: an i64/f64 result takes both.
        let mut argv = [0u32; 2];
        // SAFETY: live exec env of this instance; argv has room for the result.
        let ok = unsafe { (api.runtime_call_wasm)(self.exec_env, func, 0, argv.as_mut_ptr()) };
        if !ok {
            return Err(self.trap(refused.any()));
        }
        if let Some(e) = self.over_budget("") {
            return Err(e);
        }
        if results == 0 {
            return Ok(None);
        }
        // SAFETY: 8 readable bytes; WAMR stores 64-bit results in native order.
        let wide = unsafe { ptr::read_unaligned(argv.as_ptr().cast::<u64>()) };
        match kind {
            sys::WASM_I32 => Ok(Some(Value::I32(argv[0] as i32))),
            sys::WASM_I64 => Ok(Some(Value::I64(wide as i64))),
            sys::WASM_F32 => Ok(Some(Value::F32(f32::from_bits(argv[0])))),
            sys::WASM_F64 => Ok(Some(Value::F64(f64::from_bits(wide)))),
            _ => Err(error(
                ErrorKind::Unsupported,
                Stage::Run,
                &["export `", name, "` returns a reference or v128"],
            )),
        }
    }

    fn host(&self) -> &Host {
        &self.shared.host
    }

    fn memory_size(&mut self) -> Option<usize> {
        // SAFETY: live instance and memory.
        unsafe {
            let mem = (self.api.runtime_get_default_memory)(self.inst);
            if mem.is_null() {
                return None;
            }
            let bytes = (self.api.memory_get_cur_page_count)(mem)
                * (self.api.memory_get_bytes_per_page)(mem);
            usize::try_from(bytes).ok()
        }
    }
}

impl Drop for WamrInstance {
    fn drop(&mut self) {
        let api = self.api;
        // SAFETY: each handle is destroyed once, children before parents;
        // `bytes` is dropped after the module is unloaded.
        unsafe {
            if !self.exec_env.is_null() {
                (api.runtime_destroy_exec_env)(self.exec_env);
            }
            if !self.inst.is_null() {
                (api.runtime_deinstantiate)(self.inst);
            }
            if !self.module.is_null() {
                (api.runtime_unload)(self.module);
            }
        }
    }
}

/// Fails with [`ErrorKind::Link`] unless every import is one of the four
/// `env` host functions, resolved with the right type.
fn check_imports(api: &sys::Api, module: sys::wasm_module_t) -> Result<(), Error> {
    // SAFETY: live module; WAMR fills `import` with pointers into the module.
    let count = unsafe { (api.runtime_get_import_count)(module) };
    for i in 0..count.max(0) {
        let mut import = sys::wasm_import_t::zeroed();
        unsafe { (api.runtime_get_import_type)(module, i, &mut import) };
        let module_name = unsafe { c_str(import.module_name) };
        let name = unsafe { c_str(import.name) };
        use sys::wasm_import_export_kind_t as kind;
        let what = match import.kind {
            kind::WASM_IMPORT_EXPORT_KIND_FUNC => "function",
            kind::WASM_IMPORT_EXPORT_KIND_TABLE => "table",
            kind::WASM_IMPORT_EXPORT_KIND_MEMORY => "memory",
            kind::WASM_IMPORT_EXPORT_KIND_GLOBAL => "global",
        };
        let host_fn = HostFn::lookup(module_name, name);
        if import.kind == kind::WASM_IMPORT_EXPORT_KIND_FUNC && host_fn.is_some() {
            if !import.linked {
                let want = if host_fn.is_some_and(HostFn::returns_i64) {
                    "() -> i64"
                } else {
                    "() -> ()"
                };
                return Err(error(
                    ErrorKind::Link,
                    Stage::Instantiate,
                    &[
                        "import `",
                        module_name,
                        ".",
                        name,
                        "` has the wrong type (expected ",
                        want,
                        ")",
                    ],
                ));
            }
            continue;
        }
        return Err(error(
            ErrorKind::Link,
            Stage::Instantiate,
            &["unknown import: ", what, " `", module_name, ".", name, "`"],
        ));
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Runtime initialisation and native functions

const UNINIT: u8 = 0;
const BUSY: u8 = 1;
const READY: u8 = 2;
/// Per interpreter (classic, fast).
static STATE: [AtomicU8; 2] = [AtomicU8::new(UNINIT), AtomicU8::new(UNINIT)];

/// Initialises interpreter `api` once: WAMR with the Rust global allocator,
/// the four `env` natives, the `memory.grow` failure callback.
fn init(api: &'static sys::Api, fast: bool) -> Result<(), Error> {
    let state = &STATE[fast as usize];
    loop {
        match state.compare_exchange(UNINIT, BUSY, Ordering::Acquire, Ordering::Acquire) {
            Ok(_) => break,
            Err(READY) => return Ok(()),
            Err(_) => core::hint::spin_loop(),
        }
    }
    let result = init_now(api, fast);
    state.store(
        if result.is_ok() { READY } else { UNINIT },
        Ordering::Release,
    );
    result
}

fn init_now(api: &'static sys::Api, fast: bool) -> Result<(), Error> {
    sys::check_layouts().map_err(|m| error(ErrorKind::Internal, Stage::Load, &[m]))?;
    let mut args = sys::RuntimeInitArgs::with_global_allocator();
    // SAFETY: once per interpreter, guarded by STATE.
    if !unsafe { (api.runtime_full_init)(&mut args) } {
        return Err(error(
            ErrorKind::Internal,
            Stage::Load,
            &["wasm_runtime_full_init failed (", api.name, ")"],
        ));
    }
    // WAMR keeps (and sorts) the array: it must live for the program.
    let natives = if fast {
        natives::<true>()
    } else {
        natives::<false>()
    };
    let mut table = Vec::new();
    if table.try_reserve_exact(natives.len()).is_err() {
        // SAFETY: undo the init above.
        unsafe { (api.runtime_destroy)() };
        return Err(error(
            ErrorKind::OutOfMemory,
            Stage::Load,
            &["no heap for the native symbol table"],
        ));
    }
    table.extend_from_slice(&natives);
    let table: &'static mut [sys::NativeSymbol] = table.leak();
    // SAFETY: static strings and functions; the table lives forever.
    unsafe {
        if !(api.runtime_register_natives)(c"env".as_ptr(), table.as_mut_ptr(), table.len() as u32)
        {
            (api.runtime_destroy)();
            return Err(error(
                ErrorKind::Internal,
                Stage::Load,
                &["wasm_runtime_register_natives failed"],
            ));
        }
        let cb: sys::enlarge_memory_error_callback_t = if fast {
            grow_failed::<true>
        } else {
            grow_failed::<false>
        };
        (api.runtime_set_enlarge_mem_error_callback)(cb, ptr::null_mut());
    }
    Ok(())
}

/// The native symbols of interpreter `FAST` for the four host functions.
fn natives<const FAST: bool>() -> [sys::NativeSymbol; 4] {
    let entry =
        |symbol: &'static CStr, f: *mut c_void, signature: &'static CStr| sys::NativeSymbol {
            symbol: symbol.as_ptr(),
            func_ptr: f,
            signature: signature.as_ptr(),
            attachment: ptr::null_mut(),
        };
    debug_assert_eq!(
        HostFn::ALL.map(HostFn::name),
        [
            "clock_ms",
            "initialise_board",
            "start_trigger",
            "stop_trigger"
        ]
    );
    [
        entry(c"clock_ms", native_i64::<FAST, 0> as *mut c_void, c"()I"),
        entry(
            c"initialise_board",
            native_void::<FAST, 1> as *mut c_void,
            c"()",
        ),
        entry(
            c"start_trigger",
            native_void::<FAST, 2> as *mut c_void,
            c"()",
        ),
        entry(
            c"stop_trigger",
            native_void::<FAST, 3> as *mut c_void,
            c"()",
        ),
    ]
}

/// The [`Shared`] state of the instance `exec_env` runs.
///
/// # Safety
/// `exec_env` is a live exec env of interpreter `FAST`.
unsafe fn shared<const FAST: bool>(exec_env: sys::wasm_exec_env_t) -> *mut Shared {
    let Some(api) = api_of(FAST) else {
        return ptr::null_mut();
    };
    unsafe { (api.runtime_get_custom_data)((api.runtime_get_module_inst)(exec_env)).cast() }
}

/// The interpreter, if this build has it.
fn api_of(fast: bool) -> Option<&'static sys::Api> {
    if fast {
        sys::fast()
    } else {
        sys::classic()
    }
}

/// `HostFn::ALL[F]`, returning `i64` (`clock_ms`).
unsafe extern "C" fn native_i64<const FAST: bool, const F: usize>(
    exec_env: sys::wasm_exec_env_t,
) -> i64 {
    // SAFETY: WAMR passes the caller's exec env; the custom data is the
    // instance's `Shared`, alive while the instance runs.
    match unsafe { shared::<FAST>(exec_env).as_mut() } {
        Some(s) => s.host.call(HostFn::ALL[F]),
        None => 0,
    }
}

/// `HostFn::ALL[F]`, returning nothing.
unsafe extern "C" fn native_void<const FAST: bool, const F: usize>(exec_env: sys::wasm_exec_env_t) {
    // SAFETY: as in `native_i64`.
    if let Some(s) = unsafe { shared::<FAST>(exec_env).as_mut() } {
        s.host.call(HostFn::ALL[F]);
    }
}

/// WAMR's callback for a failed `memory.grow` (the guest then sees -1).
unsafe extern "C" fn grow_failed<const FAST: bool>(
    inc_page_count: u32,
    current_memory_size: u64,
    _memory_index: u32,
    failure_reason: sys::enlarge_memory_error_reason_t,
    instance: sys::wasm_module_inst_t,
    _exec_env: sys::wasm_exec_env_t,
    _user_data: *mut c_void,
) {
    let Some(api) = api_of(FAST) else { return };
    if instance.is_null() {
        return;
    }
    // SAFETY: the instance is live (it is running); its custom data is ours.
    if let Some(s) = unsafe {
        (api.runtime_get_custom_data)(instance)
            .cast::<Shared>()
            .as_mut()
    } {
        s.grow_failure.get_or_insert(GrowFailure {
            max_reached: failure_reason == sys::enlarge_memory_error_reason_t::MAX_SIZE_REACHED,
            current: current_memory_size,
            pages: inc_page_count,
        });
    }
}

// ---------------------------------------------------------------------------
// Helpers (the allocation-tolerant ones live in `support.rs`).

/// Counts the tracking allocator's refusals over one WAMR call: a typed
/// signal that the heap (its budget, or a board's RAM) ended the call,
/// whatever WAMR's message says.
struct Refusals(usize);

impl Refusals {
    fn start() -> Refusals {
        Refusals(crate::alloc::refusals().0)
    }

    /// `true` when an allocation was refused since [`Refusals::start`].
    fn any(&self) -> bool {
        crate::alloc::refusals().0 != self.0
    }
}

/// What WAMR's exception `msg` means.
///
/// WAMR keeps an instance's exception as text only ("Exception: " and one
/// of the messages of `exception_msgs` in `wasm_runtime_common.c`, indexed
/// by its `EXCE_*` ids, which it does not store; an instantiation error
/// puts "WASM module instantiate failed: " before that, or before its own
/// message for a segment out of bounds), and the API has no other way to
/// learn the reason. This is the one place the adapter reads WAMR's text:
/// whole messages, compared exactly, for the exceptions the WAMR build here
/// (interpreter, bulk memory, reference types) can raise. `None` for any
/// other text.
fn exception_kind(msg: &str) -> Option<ErrorKind> {
    let msg = msg
        .strip_prefix("WASM module instantiate failed: ")
        .unwrap_or(msg);
    let reason = msg.strip_prefix("Exception: ").unwrap_or(msg);
    Some(match reason {
        // EXCE_UNREACHABLE, EXCE_OUT_OF_BOUNDS_MEMORY_ACCESS, ...
        "unreachable"
        | "out of bounds memory access"
        | "integer overflow"
        | "integer divide by zero"
        | "invalid conversion to integer"
        | "indirect call type mismatch"
        | "invalid function index"
        | "undefined element"
        | "uninitialized element"
        | "out of bounds table access"
        | "null function reference"
        | "null reference"
        // The guest's own stack in linear memory (`__stack_pointer`).
        | "wasm auxiliary stack overflow"
        | "wasm auxiliary stack underflow" => ErrorKind::Trap,
        // EXCE_OUT_OF_MEMORY
        "allocate memory failed" => ErrorKind::OutOfMemory,
        // WAMR's Wasm stack (`Limits::stack`) or the native stack ran out.
        "wasm operand stack overflow" | "native stack overflow" => ErrorKind::OutOfMemory,
        // EXCE_CALL_UNLINKED_IMPORT_FUNC
        "failed to call unlinked import function" => ErrorKind::Link,
        _ => return None,
    })
}

/// The NUL-terminated message in `buf`.
fn c_message(buf: &[c_char]) -> &str {
    // SAFETY: c_char and u8 have the same layout.
    let bytes = unsafe { core::slice::from_raw_parts(buf.as_ptr().cast::<u8>(), buf.len()) };
    let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    core::str::from_utf8(&bytes[..end]).unwrap_or("(message not UTF-8)")
}
