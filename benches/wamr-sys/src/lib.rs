//! WAMR 2.4.3 (WebAssembly Micro Runtime) for treVM bench: the classic and
//! the fast interpreter in one build, for bare metal and for the host.
//!
//! # What is in here
//!
//! - The WAMR C sources shipped in the crates.io crate `wamrx-sys 0.3.0`
//!   (never copied into this repository; `build.rs` locates them), compiled
//!   twice with the `cc` crate: once with `WASM_ENABLE_FAST_INTERP=0`
//!   (classic) and once with `=1` (fast). Every symbol the two builds define
//!   is renamed with a prefix (`wamr_classic_`, `wamr_fast_`), so both live
//!   in one binary as two independent runtimes. [`classic()`] and [`fast()`]
//!   are their entry points. Features `classic` and `fast` (both default)
//!   select which are built, e.g. to measure one interpreter's footprint.
//! - A platform layer written for this project (`platform/`), shared by the
//!   two interpreters: no OS, one thread, no-op locks, and a heap that is
//!   the **Rust global allocator** (this crate's `trevm_wamr_alloc` & co.).
//!   WAMR's runtime data, modules and linear memories are thus counted, and
//!   can be refused, by whatever `#[global_allocator]` the program installs.
//!   A refused allocation makes the WAMR call fail with an error message;
//!   it never aborts.
//! - Hand-written declarations of the few `wasm_export.h` functions and
//!   types the treVM adapter uses (no bindgen). Their layouts are checked
//!   against the C compiler's at run time by [`check_layouts`].
//!
//! # Hooks for the embedder
//!
//! - [`set_clock_us`]: the clock behind `os_time_get_boot_us` (default 0).
//! - [`set_log`]: receives WAMR's log output (default: dropped, and not even
//!   formatted).
//! - [`set_native_stack_boundary`]: lowest usable native stack address, for
//!   WAMR's native stack overflow check (default: no check).
//!
//! # Linking
//!
//! The static libraries reference libc (`memcpy`, `memset`, `memcmp`,
//! `memmove`, `strlen`, `strcmp`, `strncmp`, `snprintf`, `vsnprintf`, ...)
//! and libm (`sqrt`, `floor`, `ceil`, `trunc`, `rint`, `fmin`, `fmax` and
//! their `f` forms). On the host, the system libc and libm (`-lm`, emitted
//! here) provide them. Firmware links them itself: newlib-nano
//! (`-lc_nano -lm`, plus `-lgcc`) on Cortex-M, picolibc (`-lc`, which
//! includes libm, plus `-lgcc`) on RV32.
#![no_std]
#![allow(non_camel_case_types)]

extern crate alloc;

use alloc::alloc::{alloc, alloc_zeroed, dealloc, realloc, Layout};
use core::ffi::{c_char, c_int, c_void};
use core::ptr;
use core::sync::atomic::{AtomicPtr, Ordering::Relaxed};

/// The WAMR version the libraries were built from (read from the sources'
/// `core/version.h`).
pub const WAMR_VERSION: &str = env!("TREVM_WAMR_VERSION");
/// `"WAMR <version>"`, for result records.
pub const WAMR_RELEASE: &str = concat!("WAMR ", env!("TREVM_WAMR_VERSION"));

// ---------------------------------------------------------------------------
// Types from wasm_export.h / lib_export.h

/// A loaded (not instantiated) module. Opaque.
#[repr(C)]
pub struct WASMModuleCommon {
    _opaque: [u8; 0],
}
/// A module instance. Opaque.
#[repr(C)]
pub struct WASMModuleInstanceCommon {
    _opaque: [u8; 0],
}
/// An execution environment (Wasm stack, exception state). Opaque.
#[repr(C)]
pub struct WASMExecEnv {
    _opaque: [u8; 0],
}
/// A memory instance. Opaque.
#[repr(C)]
pub struct WASMMemoryInstance {
    _opaque: [u8; 0],
}

/// `wasm_module_t`
pub type wasm_module_t = *mut WASMModuleCommon;
/// `wasm_module_inst_t`
pub type wasm_module_inst_t = *mut WASMModuleInstanceCommon;
/// `wasm_exec_env_t`
pub type wasm_exec_env_t = *mut WASMExecEnv;
/// `wasm_function_inst_t` (`void *` in C)
pub type wasm_function_inst_t = *mut c_void;
/// `wasm_memory_inst_t`
pub type wasm_memory_inst_t = *mut WASMMemoryInstance;

/// `wasm_valkind_t`: the type of a value.
pub type wasm_valkind_t = u8;
/// `i32`
pub const WASM_I32: wasm_valkind_t = 0;
/// `i64`
pub const WASM_I64: wasm_valkind_t = 1;
/// `f32`
pub const WASM_F32: wasm_valkind_t = 2;
/// `f64`
pub const WASM_F64: wasm_valkind_t = 3;

// C enums are `#[repr(C)]` Rust enums: their size follows the target's C
// ABI (4 bytes on x86_64 and RV32, 1 byte on the Arm EABI targets, whose
// gcc uses short enums).

/// `wasm_import_export_kind_t`: what an import or export is.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum wasm_import_export_kind_t {
    /// A function.
    WASM_IMPORT_EXPORT_KIND_FUNC = 0,
    /// A table.
    WASM_IMPORT_EXPORT_KIND_TABLE = 1,
    /// A memory.
    WASM_IMPORT_EXPORT_KIND_MEMORY = 2,
    /// A global.
    WASM_IMPORT_EXPORT_KIND_GLOBAL = 3,
}

/// `mem_alloc_type_t`: where WAMR gets its memory.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum mem_alloc_type_t {
    /// From a heap buffer given at init (WAMR's own allocator).
    Alloc_With_Pool = 0,
    /// From the malloc/realloc/free functions given at init.
    Alloc_With_Allocator = 1,
    /// From the platform's `os_malloc`.
    Alloc_With_System_Allocator = 2,
}

/// `RunningMode`
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RunningMode {
    /// Interpreter.
    Mode_Interp = 1,
    /// Fast JIT (not built).
    Mode_Fast_JIT = 2,
    /// LLVM JIT (not built).
    Mode_LLVM_JIT = 3,
    /// Multi-tier JIT (not built).
    Mode_Multi_Tier_JIT = 4,
}

/// `enlarge_memory_error_reason_t`: why a `memory.grow` failed.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum enlarge_memory_error_reason_t {
    /// Allocating the larger memory failed.
    INTERNAL_ERROR = 0,
    /// The memory's maximum would be exceeded.
    MAX_SIZE_REACHED = 1,
}

/// `wasm_import_t`: one import of a loaded module.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct wasm_import_t {
    /// Import module name (NUL-terminated).
    pub module_name: *const c_char,
    /// Import field name (NUL-terminated).
    pub name: *const c_char,
    /// What is imported.
    pub kind: wasm_import_export_kind_t,
    /// `true` when the runtime resolved it (for functions: a registered
    /// native symbol with a matching signature).
    pub linked: bool,
    /// The type (function, table, global or memory type pointer).
    pub type_: *mut c_void,
}

impl wasm_import_t {
    /// An all-zero value to pass to `get_import_type`.
    pub const fn zeroed() -> Self {
        wasm_import_t {
            module_name: ptr::null(),
            name: ptr::null(),
            kind: wasm_import_export_kind_t::WASM_IMPORT_EXPORT_KIND_FUNC,
            linked: false,
            type_: ptr::null_mut(),
        }
    }
}

/// `NativeSymbol`: one host function registered with `register_natives`.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct NativeSymbol {
    /// Field name (NUL-terminated).
    pub symbol: *const c_char,
    /// `extern "C" fn(wasm_exec_env_t, args...) -> ret`.
    pub func_ptr: *mut c_void,
    /// WAMR signature string, e.g. `"()I"` (NUL-terminated).
    pub signature: *const c_char,
    /// Retrieved with `wasm_runtime_get_function_attachment` (unused here).
    pub attachment: *mut c_void,
}

/// `MemAllocOption.allocator` (without `WASM_MEM_ALLOC_WITH_USER_DATA`,
/// `user_data` is ignored).
#[repr(C)]
#[derive(Clone, Copy)]
pub struct AllocatorOption {
    /// `void *(*)(unsigned int size)`
    pub malloc_func: *mut c_void,
    /// `void *(*)(void *ptr, unsigned int size)`
    pub realloc_func: *mut c_void,
    /// `void (*)(void *ptr)`
    pub free_func: *mut c_void,
    /// Unused in this configuration.
    pub user_data: *mut c_void,
}

/// `MemAllocOption.pool`
#[repr(C)]
#[derive(Clone, Copy)]
pub struct PoolOption {
    /// Heap buffer.
    pub heap_buf: *mut c_void,
    /// Its size.
    pub heap_size: u32,
}

/// `MemAllocOption`
#[repr(C)]
#[derive(Clone, Copy)]
pub union MemAllocOption {
    /// `Alloc_With_Pool`
    pub pool: PoolOption,
    /// `Alloc_With_Allocator`
    pub allocator: AllocatorOption,
}

/// `RuntimeInitArgs`: arguments of `wasm_runtime_full_init`.
#[repr(C)]
pub struct RuntimeInitArgs {
    /// Where WAMR gets its memory.
    pub mem_alloc_type: mem_alloc_type_t,
    /// Allocator functions or pool.
    pub mem_alloc_option: MemAllocOption,
    /// Module name of `native_symbols` (NUL-terminated), or null.
    pub native_module_name: *const c_char,
    /// Host functions registered at init, or null.
    pub native_symbols: *mut NativeSymbol,
    /// Number of `native_symbols`.
    pub n_native_symbols: u32,
    /// Thread manager only.
    pub max_thread_num: u32,
    /// Debugger only.
    pub ip_addr: [c_char; 128],
    /// Unused.
    pub unused: c_int,
    /// Debugger only.
    pub instance_port: c_int,
    /// Fast JIT only.
    pub fast_jit_code_cache_size: u32,
    /// GC only.
    pub gc_heap_size: u32,
    /// Default running mode.
    pub running_mode: RunningMode,
    /// LLVM JIT only.
    pub llvm_jit_opt_level: u32,
    /// LLVM JIT only.
    pub llvm_jit_size_level: u32,
    /// LLVM JIT only.
    pub segue_flags: u32,
    /// Linux perf only.
    pub enable_linux_perf: bool,
}

impl RuntimeInitArgs {
    /// Arguments that make WAMR allocate everything through this crate's
    /// allocator functions (the Rust global allocator), with no native
    /// symbols registered at init.
    pub fn with_global_allocator() -> Self {
        RuntimeInitArgs {
            mem_alloc_type: mem_alloc_type_t::Alloc_With_Allocator,
            mem_alloc_option: MemAllocOption {
                allocator: AllocatorOption {
                    malloc_func: wamr_malloc as *mut c_void,
                    realloc_func: wamr_realloc as *mut c_void,
                    free_func: wamr_free as *mut c_void,
                    user_data: ptr::null_mut(),
                },
            },
            native_module_name: ptr::null(),
            native_symbols: ptr::null_mut(),
            n_native_symbols: 0,
            max_thread_num: 0,
            ip_addr: [0; 128],
            unused: 0,
            instance_port: 0,
            fast_jit_code_cache_size: 0,
            gc_heap_size: 0,
            running_mode: RunningMode::Mode_Interp,
            llvm_jit_opt_level: 0,
            llvm_jit_size_level: 0,
            segue_flags: 0,
            enable_linux_perf: false,
        }
    }
}

/// `struct InstantiationArgs2`: instantiation arguments, allocated and
/// filled through the `instantiation_args_*` functions. Opaque.
#[repr(C)]
pub struct InstantiationArgs2 {
    _opaque: [u8; 0],
}

/// `enlarge_memory_error_callback_t`: called when `memory.grow` fails.
pub type enlarge_memory_error_callback_t = unsafe extern "C" fn(
    inc_page_count: u32,
    current_memory_size: u64,
    memory_index: u32,
    failure_reason: enlarge_memory_error_reason_t,
    instance: wasm_module_inst_t,
    exec_env: wasm_exec_env_t,
    user_data: *mut c_void,
);

// ---------------------------------------------------------------------------
// The functions, once per interpreter

/// The `wasm_export.h` functions of one interpreter build. Both builds have
/// the same functions under different (prefixed) link names; an adapter
/// holds a `&'static Api` and calls through it.
///
/// Every function is `unsafe` with WAMR's contracts: handles must come from
/// the same `Api` and be alive, strings NUL-terminated, buffers as large as
/// the sizes passed. The runtime is single-threaded: never call into one
/// `Api` from two threads at once.
#[allow(missing_docs)]
pub struct Api {
    /// `"classic"` or `"fast"`.
    pub name: &'static str,
    pub runtime_full_init: unsafe extern "C" fn(args: *mut RuntimeInitArgs) -> bool,
    pub runtime_destroy: unsafe extern "C" fn(),
    pub runtime_register_natives: unsafe extern "C" fn(
        module_name: *const c_char,
        symbols: *mut NativeSymbol,
        n: u32,
    ) -> bool,
    pub runtime_load: unsafe extern "C" fn(
        buf: *mut u8,
        size: u32,
        error_buf: *mut c_char,
        error_buf_size: u32,
    ) -> wasm_module_t,
    pub runtime_unload: unsafe extern "C" fn(module: wasm_module_t),
    pub runtime_get_import_count: unsafe extern "C" fn(module: wasm_module_t) -> i32,
    pub runtime_get_import_type:
        unsafe extern "C" fn(module: wasm_module_t, index: i32, out: *mut wasm_import_t),
    pub instantiation_args_create: unsafe extern "C" fn(p: *mut *mut InstantiationArgs2) -> bool,
    pub instantiation_args_destroy: unsafe extern "C" fn(p: *mut InstantiationArgs2),
    pub instantiation_args_set_default_stack_size:
        unsafe extern "C" fn(p: *mut InstantiationArgs2, v: u32),
    pub instantiation_args_set_host_managed_heap_size:
        unsafe extern "C" fn(p: *mut InstantiationArgs2, v: u32),
    pub instantiation_args_set_max_memory_pages:
        unsafe extern "C" fn(p: *mut InstantiationArgs2, v: u32),
    pub instantiation_args_set_custom_data:
        unsafe extern "C" fn(p: *mut InstantiationArgs2, data: *mut c_void),
    pub runtime_instantiate_ex2: unsafe extern "C" fn(
        module: wasm_module_t,
        args: *const InstantiationArgs2,
        error_buf: *mut c_char,
        error_buf_size: u32,
    ) -> wasm_module_inst_t,
    pub runtime_set_enlarge_mem_error_callback:
        unsafe extern "C" fn(callback: enlarge_memory_error_callback_t, user_data: *mut c_void),
    pub runtime_deinstantiate: unsafe extern "C" fn(inst: wasm_module_inst_t),
    pub runtime_set_custom_data: unsafe extern "C" fn(inst: wasm_module_inst_t, data: *mut c_void),
    pub runtime_get_custom_data: unsafe extern "C" fn(inst: wasm_module_inst_t) -> *mut c_void,
    pub runtime_get_module_inst:
        unsafe extern "C" fn(exec_env: wasm_exec_env_t) -> wasm_module_inst_t,
    pub runtime_create_exec_env:
        unsafe extern "C" fn(inst: wasm_module_inst_t, stack_size: u32) -> wasm_exec_env_t,
    pub runtime_destroy_exec_env: unsafe extern "C" fn(exec_env: wasm_exec_env_t),
    pub runtime_lookup_function:
        unsafe extern "C" fn(inst: wasm_module_inst_t, name: *const c_char) -> wasm_function_inst_t,
    pub func_get_param_count:
        unsafe extern "C" fn(func: wasm_function_inst_t, inst: wasm_module_inst_t) -> u32,
    pub func_get_result_count:
        unsafe extern "C" fn(func: wasm_function_inst_t, inst: wasm_module_inst_t) -> u32,
    pub func_get_result_types: unsafe extern "C" fn(
        func: wasm_function_inst_t,
        inst: wasm_module_inst_t,
        out: *mut wasm_valkind_t,
    ),
    pub runtime_call_wasm: unsafe extern "C" fn(
        exec_env: wasm_exec_env_t,
        func: wasm_function_inst_t,
        argc: u32,
        argv: *mut u32,
    ) -> bool,
    pub runtime_get_exception: unsafe extern "C" fn(inst: wasm_module_inst_t) -> *const c_char,
    pub runtime_clear_exception: unsafe extern "C" fn(inst: wasm_module_inst_t),
    pub runtime_get_default_memory:
        unsafe extern "C" fn(inst: wasm_module_inst_t) -> wasm_memory_inst_t,
    pub memory_get_cur_page_count: unsafe extern "C" fn(mem: wasm_memory_inst_t) -> u64,
    pub memory_get_bytes_per_page: unsafe extern "C" fn(mem: wasm_memory_inst_t) -> u64,
    pub memory_get_max_page_count: unsafe extern "C" fn(mem: wasm_memory_inst_t) -> u64,
}

macro_rules! interpreter {
    ($module:ident, $static:ident, $name:literal, $prefix:literal, $doc:literal) => {
        mod $module {
            use super::*;
            extern "C" {
                #[link_name = concat!($prefix, "wasm_runtime_full_init")]
                pub fn wasm_runtime_full_init(args: *mut RuntimeInitArgs) -> bool;
                #[link_name = concat!($prefix, "wasm_runtime_destroy")]
                pub fn wasm_runtime_destroy();
                #[link_name = concat!($prefix, "wasm_runtime_register_natives")]
                pub fn wasm_runtime_register_natives(m: *const c_char, s: *mut NativeSymbol, n: u32) -> bool;
                #[link_name = concat!($prefix, "wasm_runtime_load")]
                pub fn wasm_runtime_load(buf: *mut u8, size: u32, err: *mut c_char, err_size: u32) -> wasm_module_t;
                #[link_name = concat!($prefix, "wasm_runtime_unload")]
                pub fn wasm_runtime_unload(module: wasm_module_t);
                #[link_name = concat!($prefix, "wasm_runtime_get_import_count")]
                pub fn wasm_runtime_get_import_count(module: wasm_module_t) -> i32;
                #[link_name = concat!($prefix, "wasm_runtime_get_import_type")]
                pub fn wasm_runtime_get_import_type(module: wasm_module_t, index: i32, out: *mut wasm_import_t);
                #[link_name = concat!($prefix, "wasm_runtime_instantiation_args_create")]
                pub fn wasm_runtime_instantiation_args_create(p: *mut *mut InstantiationArgs2) -> bool;
                #[link_name = concat!($prefix, "wasm_runtime_instantiation_args_destroy")]
                pub fn wasm_runtime_instantiation_args_destroy(p: *mut InstantiationArgs2);
                #[link_name = concat!($prefix, "wasm_runtime_instantiation_args_set_default_stack_size")]
                pub fn wasm_runtime_instantiation_args_set_default_stack_size(p: *mut InstantiationArgs2, v: u32);
                #[link_name = concat!($prefix, "wasm_runtime_instantiation_args_set_host_managed_heap_size")]
                pub fn wasm_runtime_instantiation_args_set_host_managed_heap_size(p: *mut InstantiationArgs2, v: u32);
                #[link_name = concat!($prefix, "wasm_runtime_instantiation_args_set_max_memory_pages")]
                pub fn wasm_runtime_instantiation_args_set_max_memory_pages(p: *mut InstantiationArgs2, v: u32);
                #[link_name = concat!($prefix, "wasm_runtime_instantiation_args_set_custom_data")]
                pub fn wasm_runtime_instantiation_args_set_custom_data(p: *mut InstantiationArgs2, data: *mut c_void);
                #[link_name = concat!($prefix, "wasm_runtime_instantiate_ex2")]
                pub fn wasm_runtime_instantiate_ex2(
                    module: wasm_module_t,
                    args: *const InstantiationArgs2,
                    err: *mut c_char,
                    err_size: u32,
                ) -> wasm_module_inst_t;
                #[link_name = concat!($prefix, "wasm_runtime_set_enlarge_mem_error_callback")]
                pub fn wasm_runtime_set_enlarge_mem_error_callback(
                    callback: enlarge_memory_error_callback_t,
                    user_data: *mut c_void,
                );
                #[link_name = concat!($prefix, "wasm_runtime_deinstantiate")]
                pub fn wasm_runtime_deinstantiate(inst: wasm_module_inst_t);
                #[link_name = concat!($prefix, "wasm_runtime_set_custom_data")]
                pub fn wasm_runtime_set_custom_data(inst: wasm_module_inst_t, data: *mut c_void);
                #[link_name = concat!($prefix, "wasm_runtime_get_custom_data")]
                pub fn wasm_runtime_get_custom_data(inst: wasm_module_inst_t) -> *mut c_void;
                #[link_name = concat!($prefix, "wasm_runtime_get_module_inst")]
                pub fn wasm_runtime_get_module_inst(exec_env: wasm_exec_env_t) -> wasm_module_inst_t;
                #[link_name = concat!($prefix, "wasm_runtime_create_exec_env")]
                pub fn wasm_runtime_create_exec_env(inst: wasm_module_inst_t, stack_size: u32) -> wasm_exec_env_t;
                #[link_name = concat!($prefix, "wasm_runtime_destroy_exec_env")]
                pub fn wasm_runtime_destroy_exec_env(exec_env: wasm_exec_env_t);
                #[link_name = concat!($prefix, "wasm_runtime_lookup_function")]
                pub fn wasm_runtime_lookup_function(inst: wasm_module_inst_t, name: *const c_char) -> wasm_function_inst_t;
                #[link_name = concat!($prefix, "wasm_func_get_param_count")]
                pub fn wasm_func_get_param_count(func: wasm_function_inst_t, inst: wasm_module_inst_t) -> u32;
                #[link_name = concat!($prefix, "wasm_func_get_result_count")]
                pub fn wasm_func_get_result_count(func: wasm_function_inst_t, inst: wasm_module_inst_t) -> u32;
                #[link_name = concat!($prefix, "wasm_func_get_result_types")]
                pub fn wasm_func_get_result_types(func: wasm_function_inst_t, inst: wasm_module_inst_t, out: *mut wasm_valkind_t);
                #[link_name = concat!($prefix, "wasm_runtime_call_wasm")]
                pub fn wasm_runtime_call_wasm(env: wasm_exec_env_t, func: wasm_function_inst_t, argc: u32, argv: *mut u32) -> bool;
                #[link_name = concat!($prefix, "wasm_runtime_get_exception")]
                pub fn wasm_runtime_get_exception(inst: wasm_module_inst_t) -> *const c_char;
                #[link_name = concat!($prefix, "wasm_runtime_clear_exception")]
                pub fn wasm_runtime_clear_exception(inst: wasm_module_inst_t);
                #[link_name = concat!($prefix, "wasm_runtime_get_default_memory")]
                pub fn wasm_runtime_get_default_memory(inst: wasm_module_inst_t) -> wasm_memory_inst_t;
                #[link_name = concat!($prefix, "wasm_memory_get_cur_page_count")]
                pub fn wasm_memory_get_cur_page_count(mem: wasm_memory_inst_t) -> u64;
                #[link_name = concat!($prefix, "wasm_memory_get_bytes_per_page")]
                pub fn wasm_memory_get_bytes_per_page(mem: wasm_memory_inst_t) -> u64;
                #[link_name = concat!($prefix, "wasm_memory_get_max_page_count")]
                pub fn wasm_memory_get_max_page_count(mem: wasm_memory_inst_t) -> u64;
            }
        }

        #[doc = $doc]
        pub static $static: Api = Api {
            name: $name,
            runtime_full_init: $module::wasm_runtime_full_init,
            runtime_destroy: $module::wasm_runtime_destroy,
            runtime_register_natives: $module::wasm_runtime_register_natives,
            runtime_load: $module::wasm_runtime_load,
            runtime_unload: $module::wasm_runtime_unload,
            runtime_get_import_count: $module::wasm_runtime_get_import_count,
            runtime_get_import_type: $module::wasm_runtime_get_import_type,
            instantiation_args_create: $module::wasm_runtime_instantiation_args_create,
            instantiation_args_destroy: $module::wasm_runtime_instantiation_args_destroy,
            instantiation_args_set_default_stack_size: $module::wasm_runtime_instantiation_args_set_default_stack_size,
            instantiation_args_set_host_managed_heap_size:
                $module::wasm_runtime_instantiation_args_set_host_managed_heap_size,
            instantiation_args_set_max_memory_pages: $module::wasm_runtime_instantiation_args_set_max_memory_pages,
            instantiation_args_set_custom_data: $module::wasm_runtime_instantiation_args_set_custom_data,
            runtime_instantiate_ex2: $module::wasm_runtime_instantiate_ex2,
            runtime_set_enlarge_mem_error_callback: $module::wasm_runtime_set_enlarge_mem_error_callback,
            runtime_deinstantiate: $module::wasm_runtime_deinstantiate,
            runtime_set_custom_data: $module::wasm_runtime_set_custom_data,
            runtime_get_custom_data: $module::wasm_runtime_get_custom_data,
            runtime_get_module_inst: $module::wasm_runtime_get_module_inst,
            runtime_create_exec_env: $module::wasm_runtime_create_exec_env,
            runtime_destroy_exec_env: $module::wasm_runtime_destroy_exec_env,
            runtime_lookup_function: $module::wasm_runtime_lookup_function,
            func_get_param_count: $module::wasm_func_get_param_count,
            func_get_result_count: $module::wasm_func_get_result_count,
            func_get_result_types: $module::wasm_func_get_result_types,
            runtime_call_wasm: $module::wasm_runtime_call_wasm,
            runtime_get_exception: $module::wasm_runtime_get_exception,
            runtime_clear_exception: $module::wasm_runtime_clear_exception,
            runtime_get_default_memory: $module::wasm_runtime_get_default_memory,
            memory_get_cur_page_count: $module::wasm_memory_get_cur_page_count,
            memory_get_bytes_per_page: $module::wasm_memory_get_bytes_per_page,
            memory_get_max_page_count: $module::wasm_memory_get_max_page_count,
        };
    };
}

#[cfg(feature = "classic")]
interpreter!(
    classic,
    CLASSIC,
    "classic",
    "wamr_classic_",
    "WAMR's classic interpreter (`WASM_ENABLE_FAST_INTERP=0`): interprets the Wasm bytecode in place."
);
#[cfg(feature = "fast")]
interpreter!(
    fast,
    FAST,
    "fast",
    "wamr_fast_",
    "WAMR's fast interpreter (`WASM_ENABLE_FAST_INTERP=1`): translates each function into an internal \
     register-like code at load time (more memory, faster)."
);

/// The classic interpreter, when built (feature `classic`).
pub fn classic() -> Option<&'static Api> {
    #[cfg(feature = "classic")]
    return Some(&CLASSIC);
    #[cfg(not(feature = "classic"))]
    None
}

/// The fast interpreter, when built (feature `fast`).
pub fn fast() -> Option<&'static Api> {
    #[cfg(feature = "fast")]
    return Some(&FAST);
    #[cfg(not(feature = "fast"))]
    None
}

// ---------------------------------------------------------------------------
// Layout check

extern "C" {
    /// Sizes and offsets as the C compiler sees them (platform/trevm_layout.c).
    static trevm_wamr_layout: [u16; 15];
}

/// Compares the Rust declarations above with the C compiler's layout of the
/// same types for this target. Call before initialising a runtime.
pub fn check_layouts() -> Result<(), &'static str> {
    use core::mem::{offset_of, size_of};
    let rust: [usize; 15] = [
        size_of::<RuntimeInitArgs>(),
        offset_of!(RuntimeInitArgs, mem_alloc_option),
        offset_of!(RuntimeInitArgs, native_module_name),
        offset_of!(RuntimeInitArgs, running_mode),
        offset_of!(RuntimeInitArgs, enable_linux_perf),
        size_of::<MemAllocOption>(),
        size_of::<NativeSymbol>(),
        size_of::<wasm_import_t>(),
        offset_of!(wasm_import_t, kind),
        offset_of!(wasm_import_t, linked),
        offset_of!(wasm_import_t, type_),
        size_of::<wasm_import_export_kind_t>(),
        size_of::<mem_alloc_type_t>(),
        size_of::<RunningMode>(),
        size_of::<enlarge_memory_error_reason_t>(),
    ];
    // SAFETY: a constant array defined in C.
    let c = unsafe { ptr::addr_of!(trevm_wamr_layout).read() };
    if rust.iter().zip(c.iter()).all(|(r, c)| *r == *c as usize) {
        Ok(())
    } else {
        Err("trevm-wamr-sys: the Rust declarations of wasm_export.h types do not match the C layout")
    }
}

// ---------------------------------------------------------------------------
// Platform layer, Rust side: heap, clock, log, stack boundary

/// Alignment of every block handed to WAMR (and of its header): enough for
/// any C type on the target (`max_align_t`), and WAMR's 8-byte requirement
/// for linear memories.
const ALIGN: usize = if core::mem::size_of::<usize>() >= 8 {
    16
} else {
    8
};
/// The header in front of each block stores the block's size.
const HEADER: usize = ALIGN;

fn layout_for(size: usize) -> Option<Layout> {
    Layout::from_size_align(size.checked_add(HEADER)?, ALIGN).ok()
}

/// Allocates `size` bytes (zeroed if asked) from the Rust global allocator.
/// Returns null when the allocator refuses. Used by the platform layer for
/// `os_malloc` and `os_mmap`.
#[no_mangle]
pub extern "C" fn trevm_wamr_alloc(size: usize, zeroed: bool) -> *mut c_void {
    let Some(layout) = layout_for(size) else {
        return ptr::null_mut();
    };
    // SAFETY: the layout has a non-zero size (HEADER > 0).
    let base = unsafe {
        if zeroed {
            alloc_zeroed(layout)
        } else {
            alloc(layout)
        }
    };
    if base.is_null() {
        return ptr::null_mut();
    }
    // SAFETY: the block is at least HEADER bytes, aligned for usize.
    unsafe {
        base.cast::<usize>().write(size);
        base.add(HEADER).cast()
    }
}

/// Resizes a block from [`trevm_wamr_alloc`] (C `realloc` semantics: null
/// `ptr` allocates; on failure the old block is left alone and null is
/// returned).
///
/// # Safety
/// `ptr` is null or a live block from `trevm_wamr_alloc`/`trevm_wamr_realloc`.
#[no_mangle]
pub unsafe extern "C" fn trevm_wamr_realloc(ptr: *mut c_void, size: usize) -> *mut c_void {
    if ptr.is_null() {
        return trevm_wamr_alloc(size, false);
    }
    let Some(new_layout) = layout_for(size) else {
        return ptr::null_mut();
    };
    // SAFETY: per the contract, the header precedes `ptr` and holds its size.
    unsafe {
        let base = ptr.cast::<u8>().sub(HEADER);
        let old = base.cast::<usize>().read();
        let old_layout = Layout::from_size_align_unchecked(old + HEADER, ALIGN);
        let new_base = realloc(base, old_layout, new_layout.size());
        if new_base.is_null() {
            return ptr::null_mut();
        }
        new_base.cast::<usize>().write(size);
        new_base.add(HEADER).cast()
    }
}

/// Frees a block from [`trevm_wamr_alloc`]; null is ignored.
///
/// # Safety
/// `ptr` is null or a live block from `trevm_wamr_alloc`/`trevm_wamr_realloc`.
#[no_mangle]
pub unsafe extern "C" fn trevm_wamr_free(ptr: *mut c_void) {
    if ptr.is_null() {
        return;
    }
    // SAFETY: per the contract, the header precedes `ptr` and holds its size.
    unsafe {
        let base = ptr.cast::<u8>().sub(HEADER);
        let size = base.cast::<usize>().read();
        dealloc(
            base,
            Layout::from_size_align_unchecked(size + HEADER, ALIGN),
        );
    }
}

/// WAMR's `malloc_func` in `Alloc_With_Allocator` mode.
extern "C" fn wamr_malloc(size: u32) -> *mut c_void {
    trevm_wamr_alloc(size as usize, false)
}

/// WAMR's `realloc_func` in `Alloc_With_Allocator` mode.
unsafe extern "C" fn wamr_realloc(ptr: *mut c_void, size: u32) -> *mut c_void {
    // SAFETY: WAMR only passes blocks it got from wamr_malloc/wamr_realloc.
    unsafe { trevm_wamr_realloc(ptr, size as usize) }
}

/// WAMR's `free_func` in `Alloc_With_Allocator` mode.
unsafe extern "C" fn wamr_free(ptr: *mut c_void) {
    // SAFETY: WAMR only passes blocks it got from wamr_malloc/wamr_realloc.
    unsafe { trevm_wamr_free(ptr) }
}

static CLOCK_US: AtomicPtr<()> = AtomicPtr::new(ptr::null_mut());
static LOG: AtomicPtr<()> = AtomicPtr::new(ptr::null_mut());
static STACK_BOUNDARY: AtomicPtr<u8> = AtomicPtr::new(ptr::null_mut());

/// Sets the clock behind WAMR's `os_time_get_boot_us` (microseconds since
/// boot). WAMR only reads it for profiling and logging; without a clock it
/// reads 0.
pub fn set_clock_us(clock: fn() -> u64) {
    CLOCK_US.store(clock as *mut (), Relaxed);
}

/// Sends WAMR's log output (`os_printf`, in pieces of at most 127 bytes) to
/// `log`, or drops it (`None`, the default: the text is not even formatted).
pub fn set_log(log: Option<fn(&[u8])>) {
    LOG.store(log.map_or(ptr::null_mut(), |f| f as *mut ()), Relaxed);
}

/// Tells WAMR the lowest address the native stack may grow down to; WAMR
/// then raises "native stack overflow" instead of running past it (it keeps
/// a guard of a few KiB above it). Null (the default) disables the check.
pub fn set_native_stack_boundary(boundary: *mut u8) {
    STACK_BOUNDARY.store(boundary, Relaxed);
}

#[no_mangle]
extern "C" fn trevm_wamr_boot_us() -> u64 {
    let f = CLOCK_US.load(Relaxed);
    if f.is_null() {
        return 0;
    }
    // SAFETY: only `fn() -> u64` values are stored in CLOCK_US.
    let f: fn() -> u64 = unsafe { core::mem::transmute(f) };
    f()
}

#[no_mangle]
extern "C" fn trevm_wamr_log_enabled() -> bool {
    !LOG.load(Relaxed).is_null()
}

/// # Safety
/// `text` points to `len` readable bytes.
#[no_mangle]
unsafe extern "C" fn trevm_wamr_log(text: *const c_char, len: usize) {
    let f = LOG.load(Relaxed);
    if f.is_null() || text.is_null() {
        return;
    }
    // SAFETY: only `fn(&[u8])` values are stored in LOG; the caller passes a
    // valid buffer.
    unsafe {
        let f: fn(&[u8]) = core::mem::transmute(f);
        f(core::slice::from_raw_parts(text.cast::<u8>(), len));
    }
}

#[no_mangle]
extern "C" fn trevm_wamr_native_stack_boundary() -> *mut u8 {
    STACK_BOUNDARY.load(Relaxed)
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;

    #[test]
    fn rust_declarations_match_the_c_layout() {
        assert_eq!(check_layouts(), Ok(()));
    }

    #[test]
    fn heap_blocks_keep_their_size_and_alignment() {
        let p = trevm_wamr_alloc(100, true).cast::<u8>();
        assert!(!p.is_null());
        assert_eq!(p as usize % ALIGN, 0);
        // SAFETY: blocks from trevm_wamr_alloc, used within their sizes.
        unsafe {
            assert!(core::slice::from_raw_parts(p, 100).iter().all(|&b| b == 0));
            p.write_bytes(7, 100);
            let q = trevm_wamr_realloc(p.cast(), 100_000).cast::<u8>();
            assert!(!q.is_null());
            assert!(core::slice::from_raw_parts(q, 100).iter().all(|&b| b == 7));
            let r = trevm_wamr_realloc(q.cast(), 10).cast::<u8>();
            assert_eq!(*r, 7);
            trevm_wamr_free(r.cast());
            trevm_wamr_free(ptr::null_mut());
            assert!(trevm_wamr_alloc(usize::MAX, false).is_null());
        }
    }

    #[test]
    fn both_interpreters_are_linked() {
        assert_eq!(classic().map(|a| a.name), Some("classic"));
        assert_eq!(fast().map(|a| a.name), Some("fast"));
        assert_eq!(WAMR_VERSION, "2.4.3");
    }
}
