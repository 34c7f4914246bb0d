#include <intercom/metrics/latency_histogram.hpp>

#include <boost/test/unit_test.hpp>

#include <thread>
#include <vector>

using intercom::metrics::latency_histogram;
using namespace std::chrono;

namespace {
// True if `got` is within the histogram's relative error (1/16) above `want`, and not below it.
bool close_above(nanoseconds got, nanoseconds want) {
    return got >= want && got.count() <= want.count() + want.count() / 16 + 1000;
}
} // namespace

BOOST_AUTO_TEST_SUITE(latency_histogram_tests)

BOOST_AUTO_TEST_CASE(empty_is_zero) {
    latency_histogram h;
    BOOST_TEST(h.count() == 0u);
    BOOST_TEST(h.percentile(50).count() == 0);
    BOOST_TEST(h.mean().count() == 0);
}

BOOST_AUTO_TEST_CASE(percentiles_of_a_uniform_spread) {
    latency_histogram h;
    for (int ms = 1; ms <= 1000; ++ms) h.record(milliseconds(ms));
    BOOST_TEST(h.count() == 1000u);
    BOOST_TEST(close_above(h.percentile(50), milliseconds(500)), h.percentile(50).count());
    BOOST_TEST(close_above(h.percentile(99), milliseconds(990)), h.percentile(99).count());
    BOOST_TEST(h.percentile(100) == milliseconds(1000));  // capped at the true maximum
    BOOST_TEST(h.max() == milliseconds(1000));
    BOOST_TEST(duration_cast<microseconds>(h.mean()).count() == 500500);
}

BOOST_AUTO_TEST_CASE(small_and_huge_values) {
    latency_histogram h;
    h.record(nanoseconds(-5));      // clamped to zero
    h.record(nanoseconds(300));     // below 1 µs
    h.record(microseconds(7));
    h.record(hours(10));            // beyond the last octave: lands in the last bucket
    BOOST_TEST(h.count() == 4u);
    BOOST_TEST(h.percentile(50) <= microseconds(1));
    BOOST_TEST(close_above(h.percentile(75), microseconds(7)));
    BOOST_TEST(h.percentile(100) == hours(10));
}

BOOST_AUTO_TEST_CASE(merge_and_concurrent_record) {
    latency_histogram a, b;
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&a] {
            for (int i = 0; i < 10000; ++i) a.record(microseconds(100 + i % 50));
        });
    for (auto& t : threads) t.join();
    BOOST_TEST(a.count() == 40000u);
    b.record(seconds(1));
    b.merge(a);
    BOOST_TEST(b.count() == 40001u);
    BOOST_TEST(b.max() == seconds(1));
    BOOST_TEST(close_above(b.percentile(50), microseconds(124)));
    b.reset();
    BOOST_TEST(b.count() == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
