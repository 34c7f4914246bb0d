#include <intercom/metrics/latency_histogram.hpp>

#include <algorithm>
#include <bit>
#include <cmath>

namespace intercom::metrics {

// Bucket layout: values below `sub_buckets` µs get one bucket per µs (octave 0); above, octave k
// covers [sub_buckets << (k-1), sub_buckets << k) in `sub_buckets` equal steps.
std::size_t latency_histogram::bucket_of(std::uint64_t us) noexcept {
    if (us < sub_buckets) return static_cast<std::size_t>(us);
    unsigned msb = static_cast<unsigned>(std::bit_width(us)) - 1;  // us >= 16 -> msb >= 4
    unsigned octave = msb - 3;                                     // 1 for [16, 32)
    if (octave > octaves) return sub_buckets * (octaves + 1) - 1;
    std::uint64_t step = std::uint64_t{1} << (octave - 1);
    std::uint64_t base = std::uint64_t{sub_buckets} << (octave - 1);
    return octave * sub_buckets + static_cast<std::size_t>((us - base) / step);
}

std::uint64_t latency_histogram::upper_bound_us(std::size_t bucket) noexcept {
    std::size_t octave = bucket / sub_buckets, index = bucket % sub_buckets;
    if (octave == 0) return index + 1;
    std::uint64_t step = std::uint64_t{1} << (octave - 1);
    std::uint64_t base = std::uint64_t{sub_buckets} << (octave - 1);
    return base + (index + 1) * step;
}

void latency_histogram::record(std::chrono::nanoseconds d) noexcept {
    auto ns = static_cast<std::uint64_t>(std::max<std::int64_t>(0, d.count()));
    buckets_[bucket_of(ns / 1000)].fetch_add(1, std::memory_order_relaxed);
    count_.fetch_add(1, std::memory_order_relaxed);
    sum_ns_.fetch_add(ns, std::memory_order_relaxed);
    std::uint64_t prev = max_ns_.load(std::memory_order_relaxed);
    while (ns > prev && !max_ns_.compare_exchange_weak(prev, ns, std::memory_order_relaxed)) {
    }
}

std::chrono::nanoseconds latency_histogram::percentile(double p) const noexcept {
    std::uint64_t total = count();
    if (total == 0) return std::chrono::nanoseconds(0);
    p = std::clamp(p, 0.0, 100.0);
    auto rank = static_cast<std::uint64_t>(std::ceil(p / 100.0 * static_cast<double>(total)));
    rank = std::max<std::uint64_t>(rank, 1);
    std::uint64_t seen = 0;
    for (std::size_t b = 0; b < buckets_.size(); ++b) {
        seen += buckets_[b].load(std::memory_order_relaxed);
        if (seen >= rank) {
            auto ns = std::chrono::nanoseconds(static_cast<std::int64_t>(upper_bound_us(b) * 1000));
            return std::min(ns, max());
        }
    }
    return max();
}

std::chrono::nanoseconds latency_histogram::mean() const noexcept {
    std::uint64_t n = count();
    return n == 0 ? std::chrono::nanoseconds(0)
                  : std::chrono::nanoseconds(static_cast<std::int64_t>(sum_ns_.load() / n));
}

void latency_histogram::merge(const latency_histogram& other) noexcept {
    for (std::size_t b = 0; b < buckets_.size(); ++b)
        buckets_[b].fetch_add(other.buckets_[b].load(std::memory_order_relaxed), std::memory_order_relaxed);
    count_.fetch_add(other.count(), std::memory_order_relaxed);
    sum_ns_.fetch_add(other.sum_ns_.load(), std::memory_order_relaxed);
    std::uint64_t o = other.max_ns_.load(), prev = max_ns_.load();
    while (o > prev && !max_ns_.compare_exchange_weak(prev, o)) {
    }
}

void latency_histogram::reset() noexcept {
    for (auto& b : buckets_) b.store(0, std::memory_order_relaxed);
    count_ = 0;
    sum_ns_ = 0;
    max_ns_ = 0;
}

} // namespace intercom::metrics
