/*
 * treVM bench: WAMR platform layer for a single-threaded embedder without an
 * operating system. The same file is compiled for the boards (Cortex-M,
 * RV32) and for the x86_64 host, so both run the same platform code.
 *
 * Written for this project (not taken from WAMR). It implements the
 * functions WAMR's VM core needs (platform_api_vmcore.h):
 *
 * - heap (os_malloc, os_realloc, os_free) and "virtual memory" (os_mmap,
 *   os_munmap, os_mremap, os_mprotect) go to the Rust global allocator via
 *   trevm_wamr_alloc/realloc/free (src/lib.rs), so that the project's
 *   tracking allocator counts WAMR's heap and linear memories and its
 *   budget can refuse them (WAMR then reports an error, it does not crash);
 * - output (os_printf, os_vprintf) is formatted only when the embedder
 *   installed a log hook, and handed to it;
 * - time (os_time_get_boot_us) comes from the embedder's clock hook;
 * - locks are no-ops (one thread), cache flushes are no-ops (no JIT/AOT).
 *
 * This file is compiled once and shared by both interpreters (classic and
 * fast), whose own symbols are renamed apart by the build script.
 */
#include "platform_api_vmcore.h"
#include "platform_api_extension.h"

/* Provided by the Rust crate `trevm-wamr-sys` (src/lib.rs). */
extern void *
trevm_wamr_alloc(size_t size, bool zeroed);
extern void *
trevm_wamr_realloc(void *ptr, size_t size);
extern void
trevm_wamr_free(void *ptr);
extern uint64_t
trevm_wamr_boot_us(void);
extern bool
trevm_wamr_log_enabled(void);
extern void
trevm_wamr_log(const char *text, size_t len);
extern uint8_t *
trevm_wamr_native_stack_boundary(void);

/* Both interpreters call bh_platform_init/destroy from their own runtime
   init/destroy: count the users so that the calls nest. */
static unsigned platform_users;

int
bh_platform_init(void)
{
    platform_users++;
    return 0;
}

void
bh_platform_destroy(void)
{
    if (platform_users > 0)
        platform_users--;
}

/* ---- heap ---- */

void *
os_malloc(unsigned size)
{
    return trevm_wamr_alloc(size, false);
}

void *
os_realloc(void *ptr, unsigned size)
{
    return trevm_wamr_realloc(ptr, size);
}

void
os_free(void *ptr)
{
    trevm_wamr_free(ptr);
}

/* ---- linear memory ("mmap" backed by the heap, zero-filled like mmap) ---- */

void *
os_mmap(void *hint, size_t size, int prot, int flags, os_file_handle file)
{
    (void)hint;
    (void)prot;
    (void)flags;
    (void)file;
    return trevm_wamr_alloc(size, true);
}

void
os_munmap(void *addr, size_t size)
{
    (void)size;
    trevm_wamr_free(addr);
}

void *
os_mremap(void *old_addr, size_t old_size, size_t new_size)
{
    uint8_t *p = trevm_wamr_realloc(old_addr, new_size);
    if (p && new_size > old_size)
        memset(p + old_size, 0, new_size - old_size);
    return p;
}

int
os_mprotect(void *addr, size_t size, int prot)
{
    (void)addr;
    (void)size;
    (void)prot;
    return 0;
}

void
os_dcache_flush(void)
{
}

void
os_icache_flush(void *start, size_t len)
{
    (void)start;
    (void)len;
}

/* ---- output ---- */

int
os_vprintf(const char *format, va_list ap)
{
    char buf[128];
    int n;

    if (!trevm_wamr_log_enabled())
        return 0;
    n = vsnprintf(buf, sizeof(buf), format, ap);
    if (n > 0)
        trevm_wamr_log(buf, (size_t)n < sizeof(buf) ? (size_t)n
                                                     : sizeof(buf) - 1);
    return n;
}

int
os_printf(const char *format, ...)
{
    va_list ap;
    int n;

    va_start(ap, format);
    n = os_vprintf(format, ap);
    va_end(ap);
    return n;
}

/* ---- time ---- */

uint64
os_time_get_boot_us(void)
{
    return trevm_wamr_boot_us();
}

uint64
os_time_thread_cputime_us(void)
{
    return trevm_wamr_boot_us();
}

/* ---- threads and locks: one thread, nothing to do ---- */

korp_tid
os_self_thread(void)
{
    return 1;
}

uint8 *
os_thread_get_stack_boundary(void)
{
    /* NULL disables WAMR's native stack check unless the embedder told
       where its stack ends. */
    return trevm_wamr_native_stack_boundary();
}

void
os_thread_jit_write_protect_np(bool enabled)
{
    (void)enabled;
}

int
os_mutex_init(korp_mutex *mutex)
{
    (void)mutex;
    return BHT_OK;
}

int
os_mutex_destroy(korp_mutex *mutex)
{
    (void)mutex;
    return BHT_OK;
}

int
os_mutex_lock(korp_mutex *mutex)
{
    (void)mutex;
    return BHT_OK;
}

int
os_mutex_unlock(korp_mutex *mutex)
{
    (void)mutex;
    return BHT_OK;
}

/* ---- process information (bh_log's memory dump): none ---- */

int
os_dumps_proc_mem_info(char *out, unsigned int size)
{
    (void)out;
    (void)size;
    return -1;
}
