// Counts allocation calls by interposing the C allocation functions in the executable (see
// alloc_counter.hpp). Everything forwards to glibc's own `__libc_*` implementations, so memory
// obtained here and freed by glibc internals (or the reverse) stays consistent.
#include "intercom_bench/alloc_counter.hpp"

#include <atomic>
#include <cstdio>
#include <vector>

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define INTERCOM_BENCH_NO_ALLOC_COUNTER 1
#endif
#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || __has_feature(memory_sanitizer)
#define INTERCOM_BENCH_NO_ALLOC_COUNTER 1
#endif
#endif
#if !defined(__GLIBC__)
#define INTERCOM_BENCH_NO_ALLOC_COUNTER 1  // the __libc_* entry points are glibc's
#endif

#ifndef INTERCOM_BENCH_NO_ALLOC_COUNTER

#include <cerrno>
#include <cstddef>

namespace {
constinit std::atomic<std::uint64_t> g_allocations{0};
inline void count() noexcept { g_allocations.fetch_add(1, std::memory_order_relaxed); }
}  // namespace

// glibc's allocator proper (exported, GLIBC_2.2.5); the C library headers do not declare them.
extern "C" {
void* __libc_malloc(std::size_t);
void __libc_free(void*);
void* __libc_calloc(std::size_t, std::size_t);
void* __libc_realloc(void*, std::size_t);
void* __libc_memalign(std::size_t, std::size_t);

__attribute__((visibility("default"))) void* malloc(std::size_t n) noexcept {
    count();
    return __libc_malloc(n);
}
__attribute__((visibility("default"))) void free(void* p) noexcept { __libc_free(p); }
__attribute__((visibility("default"))) void* calloc(std::size_t n, std::size_t size) noexcept {
    count();
    return __libc_calloc(n, size);
}
__attribute__((visibility("default"))) void* realloc(void* p, std::size_t n) noexcept {
    count();
    return __libc_realloc(p, n);
}
__attribute__((visibility("default"))) void* memalign(std::size_t align, std::size_t n) noexcept {
    count();
    return __libc_memalign(align, n);
}
__attribute__((visibility("default"))) void* aligned_alloc(std::size_t align, std::size_t n) noexcept {
    count();
    return __libc_memalign(align, n);
}
__attribute__((visibility("default"))) int posix_memalign(void** out, std::size_t align, std::size_t n) noexcept {
    count();
    // POSIX: a power of two that is a multiple of sizeof(void*); *out is untouched on failure.
    if (align == 0 || align % sizeof(void*) != 0 || (align & (align - 1)) != 0) return EINVAL;
    void* p = __libc_memalign(align, n);
    if (!p) return ENOMEM;
    *out = p;
    return 0;
}
}  // extern "C"

#endif  // INTERCOM_BENCH_NO_ALLOC_COUNTER

namespace intercom::bench {

std::uint64_t allocation_count() noexcept {
#ifndef INTERCOM_BENCH_NO_ALLOC_COUNTER
    return g_allocations.load(std::memory_order_relaxed);
#else
    return 0;
#endif
}

namespace {
bool self_check() {
#ifdef INTERCOM_BENCH_NO_ALLOC_COUNTER
    return false;
#else
    const auto before = allocation_count();
    {
        std::vector<int> v(1000);
        // The data escapes, so the allocation cannot be elided.
        asm volatile("" : : "r"(v.data()) : "memory");
    }
    const bool counted = allocation_count() > before;
    if (!counted)
        std::fprintf(stderr, "intercom-bench: the allocation counter is compiled in but did not count a "
                             "std::vector<int>(1000); reporting allocs_*=na\n");
    return counted;
#endif
}
}  // namespace

bool allocation_counting_available() {
    static const bool ok = self_check();
    return ok;
}

std::string allocs_per(std::uint64_t allocations, std::uint64_t n) {
    if (!allocation_counting_available() || n == 0) return "na";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f", static_cast<double>(allocations) / static_cast<double>(n));
    return buf;
}

}  // namespace intercom::bench
