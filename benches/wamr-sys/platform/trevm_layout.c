/*
 * treVM bench: sizes and offsets of the wasm_export.h types that
 * `trevm-wamr-sys` declares by hand in Rust, as the C compiler lays them out
 * for the target. src/lib.rs compares them with its own declarations
 * (`check_layouts`) before the runtime is initialised.
 */
#include <stddef.h>
#include <stdint.h>
#include "wasm_export.h"

const uint16_t trevm_wamr_layout[] = {
    sizeof(RuntimeInitArgs),
    offsetof(RuntimeInitArgs, mem_alloc_option),
    offsetof(RuntimeInitArgs, native_module_name),
    offsetof(RuntimeInitArgs, running_mode),
    offsetof(RuntimeInitArgs, enable_linux_perf),
    sizeof(MemAllocOption),
    sizeof(NativeSymbol),
    sizeof(wasm_import_t),
    offsetof(wasm_import_t, kind),
    offsetof(wasm_import_t, linked),
    offsetof(wasm_import_t, u),
    sizeof(wasm_import_export_kind_t),
    sizeof(mem_alloc_type_t),
    sizeof(RunningMode),
    sizeof(enlarge_memory_error_reason_t),
};
