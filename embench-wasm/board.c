/* Embench board support of treVM bench: an Embench program as a
 * WebAssembly module with the paper's interface.
 *
 *   imports env.initialise_board, env.start_trigger, env.stop_trigger
 *           (all () -> (); Embench's support.h declares them and its main
 *           calls them; the build leaves them undefined so they become
 *           imports from module `env`)
 *   exports __original_main() -> i32   Embench's main: 0 when verified
 *           _initialize() -> ()         constructors (clang: wasi-libc's
 *           crt1-reactor.o; emcc: Emscripten's own)
 *
 * Written for treVM bench; SPDX-License-Identifier: MIT OR Apache-2.0
 */
#include <stddef.h>

int main(int argc, char *argv[]);

/* Embench's main, without arguments or a C runtime around it. */
__attribute__((export_name("__original_main"))) int
trevm_original_main(void)
{
    return main(0, NULL);
}

/* A failed assertion (Embench's assert_beebs) or abort ends the run with a
 * trap, which the harness records; the C library's versions would import
 * WASI's proc_exit instead. */
__attribute__((noreturn)) void
exit(int status)
{
    (void)status;
    __builtin_trap();
}

__attribute__((noreturn)) void
abort(void)
{
    __builtin_trap();
}
