// Allocation counter for intercom-bench: alloc_counter.cpp interposes the C allocation functions
// (malloc, calloc, realloc, aligned_alloc, posix_memalign, memalign; free is forwarded but not
// counted) and forwards them to glibc's `__libc_*` entry points. `operator new` in libstdc++ calls
// malloc, so C++ allocations of the whole process (Boost.JSON, OpenSSL, the bundled server's
// threads too) are counted.
//
// Under ASan, TSan or MSan the sanitizer owns malloc, so the file compiles to nothing and
// `allocation_counting_available()` is false; workloads then print `allocs_per_req=na`.
#pragma once

#include <cstdint>
#include <string>

namespace intercom::bench {

/// Allocation calls since the process started (relaxed; take differences around a phase).
std::uint64_t allocation_count() noexcept;

/// True when the counter is compiled in AND a self-check at first use saw it move when a
/// `std::vector<int>(1000)` was allocated. A counter that is compiled in but does not count (the
/// interposition did not take) reports false and says so once on stderr.
bool allocation_counting_available();

/// `allocations / n` with one decimal, or "na" when counting is unavailable or n is 0.
std::string allocs_per(std::uint64_t allocations, std::uint64_t n);

}  // namespace intercom::bench
