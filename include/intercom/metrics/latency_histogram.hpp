// A fixed-size, lock-free latency histogram (log-linear buckets) for percentiles without storing samples.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>

namespace intercom::metrics {

/// Records durations from 1 µs to ~1.2 hours in buckets whose width is at most 1/16 of their
/// lower bound (relative error <= 6.25 %). Memory is fixed (~3 KiB); `record` is wait-free and may
/// be called from any thread. Percentiles are read from the bucket counts, not from samples.
class latency_histogram {
public:
    void record(std::chrono::nanoseconds d) noexcept;

    std::uint64_t count() const noexcept { return count_.load(std::memory_order_relaxed); }

    /// The value at percentile `p` (0..100): the upper bound of the bucket holding that rank,
    /// capped at the largest recorded value. Zero when empty.
    std::chrono::nanoseconds percentile(double p) const noexcept;

    std::chrono::nanoseconds max() const noexcept { return std::chrono::nanoseconds(max_ns_.load()); }
    std::chrono::nanoseconds mean() const noexcept;

    /// Adds the counts of `other` into this one.
    void merge(const latency_histogram& other) noexcept;

    void reset() noexcept;

    static constexpr unsigned sub_buckets = 16;  ///< per power of two
    static constexpr unsigned octaves = 32;      ///< 1 µs << 32 ≈ 71 minutes

private:
    static std::size_t bucket_of(std::uint64_t us) noexcept;
    static std::uint64_t upper_bound_us(std::size_t bucket) noexcept;

    std::array<std::atomic<std::uint64_t>, sub_buckets * (octaves + 1)> buckets_{};
    std::atomic<std::uint64_t> count_{0};
    std::atomic<std::uint64_t> sum_ns_{0};
    std::atomic<std::uint64_t> max_ns_{0};
};

} // namespace intercom::metrics
