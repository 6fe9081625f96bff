/* CoreMark port of treVM bench: the target-specific half of CoreMark.
 *
 * Written for treVM bench (not taken from EEMBC's example ports). Together
 * with core_portme.c it is the only code that differs from the pinned
 * upstream CoreMark, so results may carry the CoreMark name when CoreMark's
 * run rules are met (validation passed, timed part >= 10 s).
 *
 * One port, two builds:
 * - WebAssembly (clang --target=wasm32 or emcc): imports env.clock_ms,
 *   exports run, iterations and validated (see core_portme.c);
 * - native (the `native` row of treVM bench): the same functions, renamed
 *   per benchmark by benches/native-c/build.rs.
 *
 * SPDX-License-Identifier: MIT OR Apache-2.0
 */
#ifndef TREVM_CORE_PORTME_H
#define TREVM_CORE_PORTME_H

#include <stddef.h>
#include <stdint.h>

/* ---- What the platform offers ------------------------------------------ */

/* Floating point is there: seconds and scores are doubles. */
#define HAS_FLOAT 1
/* No <time.h>, no clock(): time comes from the host's env.clock_ms. */
#define HAS_TIME_H 0
#define USE_CLOCK 0
/* No C library output: ee_printf (core_portme.c) reads CoreMark's messages
 * to learn whether validation passed, and prints nothing. */
#define HAS_STDIO 0
#define HAS_PRINTF 0

/* ---- How CoreMark is run ----------------------------------------------- */

/* Seeds and the iteration count are volatile variables (core_portme.c):
 * the compiler cannot fold them, and no argv is needed. */
#define SEED_METHOD SEED_VOLATILE
/* The 2000-byte data block is a static array. */
#define MEM_METHOD MEM_STATIC
#define MEM_LOCATION "STATIC"
/* One context: a Wasm module has no threads. */
#define MULTITHREAD 1
/* main(int argc, char *argv[]) returning int, called from run(). */
#define MAIN_HAS_NOARGC 0
#define MAIN_HAS_NORETURN 0

/* Iterations of the timed part: 0 lets CoreMark choose a count that runs
 * for at least 10 s (CoreMark's rule for a reportable score). The build
 * passes -DITERATIONS=N for a fixed count. */
#ifndef ITERATIONS
#define ITERATIONS 0
#endif

/* ---- What the results say about the build ------------------------------ */

#define TREVM_STR_(x) #x
#define TREVM_STR(x) TREVM_STR_(x)

#ifndef COMPILER_VERSION
#if defined(__EMSCRIPTEN__)
#define COMPILER_VERSION                                                 \
    "emcc " TREVM_STR(__EMSCRIPTEN_major__) "." TREVM_STR(             \
        __EMSCRIPTEN_minor__) "." TREVM_STR(__EMSCRIPTEN_tiny__) " (clang " \
        __clang_version__ ")"
#elif defined(__clang__)
#define COMPILER_VERSION "clang " __clang_version__
#elif defined(__GNUC__)
#define COMPILER_VERSION "gcc " __VERSION__
#else
#define COMPILER_VERSION "unknown compiler"
#endif
#endif

/* The build passes the flags it used as -DCOMPILER_FLAGS="...". */
#ifndef COMPILER_FLAGS
#define COMPILER_FLAGS "(flags not recorded)"
#endif

/* ---- Data types CoreMark is written in --------------------------------- */

typedef int8_t ee_s8;
typedef uint8_t ee_u8;
typedef int16_t ee_s16;
typedef uint16_t ee_u16;
typedef int32_t ee_s32;
typedef uint32_t ee_u32;
typedef float ee_f32;
typedef uintptr_t ee_ptr_int;
typedef size_t ee_size_t;

/* Timer ticks: milliseconds of the host clock. */
typedef ee_u32 CORE_TICKS;
#define EE_TICKS_PER_SEC 1000

/* Rounds a pointer up to the next multiple of 4 bytes. */
#define align_mem(x) \
    ((void *)((((ee_ptr_int)(x)) + (ee_ptr_int)3) & ~(ee_ptr_int)3))

/* ---- Port hooks core_main.c calls -------------------------------------- */

/* Per-context state of the port (only a marker that init ran). */
typedef struct CORE_PORTABLE_S
{
    ee_u8 initialised;
} core_portable;

/* Number of contexts main runs (always 1 here). */
extern ee_u32 default_num_contexts;

/* Called first and last by main. */
void portable_init(core_portable *p, int *argc, char *argv[]);
void portable_fini(core_portable *p);

/* CoreMark's printf; see core_portme.c. */
int ee_printf(const char *fmt, ...);

#endif /* TREVM_CORE_PORTME_H */
