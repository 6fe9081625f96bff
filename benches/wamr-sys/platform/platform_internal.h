/*
 * treVM bench: WAMR platform definitions for a single-threaded embedder
 * without an operating system (Cortex-M, RV32) and, unchanged, for the
 * x86_64 host, so that both run the same platform code.
 *
 * Written for this project (not taken from WAMR). WAMR's platform API
 * (core/shared/platform/include/platform_api_vmcore.h) is implemented in
 * trevm_platform.c, with the heap and the clock provided by the Rust crate
 * `trevm-wamr-sys` (src/lib.rs).
 */
#ifndef _PLATFORM_INTERNAL_H
#define _PLATFORM_INTERNAL_H

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef BH_PLATFORM_TREVM
#define BH_PLATFORM_TREVM
#endif

/* No threads: these sizes are only used by code paths that are disabled
   (thread manager, app framework). */
#define BH_APPLET_PRESERVED_STACK_SIZE (2 * 1024)
#define BH_THREAD_DEFAULT_PRIORITY 0

/* One thread of execution: every lock is a no-op, so the lock types are
   placeholders. */
typedef uint32_t korp_tid;
typedef struct {
    uint8_t unused;
} korp_mutex;
typedef struct {
    uint8_t unused;
} korp_cond;
typedef struct {
    uint8_t unused;
} korp_thread;
typedef struct {
    uint8_t unused;
} korp_rwlock;
typedef struct {
    uint8_t unused;
} korp_sem;

#define OS_THREAD_MUTEX_INITIALIZER { 0 }

/* No file system, sockets or WASI: the types below only satisfy the
   declarations in platform_api_extension.h. */
typedef int os_file_handle;
typedef void *os_dir_stream;
typedef int os_raw_file_handle;
typedef int os_poll_file_handle;
typedef unsigned int os_nfds_t;
typedef int os_timespec;

static inline os_file_handle
os_get_invalid_handle(void)
{
    return -1;
}

/* Linear memory is allocated in whole Wasm pages (64 KiB); the platform
   page size only rounds those sizes, so any power of two <= 64 KiB works. */
static inline int
os_getpagesize(void)
{
    return 4096;
}

#endif /* _PLATFORM_INTERNAL_H */
