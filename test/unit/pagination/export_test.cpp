// Partitioned export against an in-memory dataset whose search compares dates by calendar day in
// a workspace timezone, as Intercom does for contacts.
#include "fake_source.hpp"

#include <intercom/pagination/partitioned_export.hpp>

#include <run_coro.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/test/unit_test.hpp>

#include <map>

using namespace intercom;
using namespace intercom::pagination;
using intercom::test::fake_source;
using intercom::test::serve_style;
namespace asio = boost::asio;
namespace json = boost::json;

namespace {

constexpr std::int64_t base_ts = 1'700'000'000;
constexpr std::int64_t day = 86400;

asio::awaitable<result<std::map<std::string, int>>> drain(partitioned_export* e) {
    std::map<std::string, int> counts;
    for (;;) {
        auto r = co_await e->next();
        if (!r) co_return r.error();
        if (!*r) co_return counts;
        ++counts[std::string((*r)->at("id").as_string())];
    }
}

partition_options options(unsigned k, std::int64_t min = base_ts, std::int64_t max = base_ts + 200 * day) {
    partition_options o;
    o.object = search::object_kind::contacts;
    o.field = "created_at";
    o.min = min;
    o.max = max;
    o.partitions = k;
    o.per_page = 150;
    // These tests cover the equal-span cuts with a given range (no probes): the dataset source does
    // not sort. Count-balanced planning is tested against the fake server (test_pagination_fake_server).
    o.balance_by_count = false;
    return o;
}

void expect_each_exactly_once(const std::map<std::string, int>& counts, std::size_t n) {
    BOOST_TEST(counts.size() == n);
    std::size_t more_than_once = 0;
    for (const auto& [id, c] : counts) more_than_once += c != 1;
    BOOST_TEST(more_than_once == 0u);
    for (std::size_t i = 0; i < n; i += 997) BOOST_TEST(counts.count(intercom::test::make_id(i)) == 1u);
}

} // namespace

BOOST_AUTO_TEST_SUITE(partitioned_export_tests)

BOOST_AUTO_TEST_CASE(k4_yields_every_contact_exactly_once_in_any_timezone) {
    for (std::int64_t tz : {0, 5 * 3600 + 1800, -7 * 3600}) {
        asio::io_context ioc;
        auto src = std::make_shared<fake_source>(intercom::test::make_dataset(20000, base_ts), serve_style::search);
        src->tz_offset = tz;
        auto e = partitioned_export::create(src, options(4));
        BOOST_REQUIRE(e);
        auto counts = intercom::test::run_coro(ioc, drain(&*e));
        BOOST_REQUIRE(counts);
        expect_each_exactly_once(*counts, 20000);
        auto s = e->stats();
        BOOST_TEST(s.delivered == 20000u);
        BOOST_TEST(s.dropped_duplicates == 0u);  // cuts at noon UTC: disjoint ranges in these timezones
        BOOST_TEST(s.fetches == src->c.fetches);
        BOOST_TEST_MESSAGE("tz " << tz << ": " << s.fetches << " requests, " << s.remembered
                                 << " ids near a cut remembered");
    }
}

BOOST_AUTO_TEST_CASE(open_ended_outer_partitions_cover_items_outside_min_max) {
    asio::io_context ioc;
    auto src = std::make_shared<fake_source>(intercom::test::make_dataset(5000, base_ts), serve_style::search);
    // Split only the middle 100 days; the first/last partitions still take everything else.
    auto e = partitioned_export::create(src, options(7, base_ts + 50 * day, base_ts + 150 * day + 12345));
    BOOST_REQUIRE(e);
    auto counts = intercom::test::run_coro(ioc, drain(&*e));
    BOOST_REQUIRE(counts);
    expect_each_exactly_once(*counts, 5000);
    // The partitions' queries: the first has no lower bound, the last no upper bound.
    BOOST_TEST(e->partition_query(0).to_json().at("operator") == json::value("<"));
    BOOST_TEST(e->partition_query(6).to_json().at("operator") == json::value(">"));
    BOOST_TEST(e->partition_query(3).to_json().at("operator") == json::value("AND"));
}

BOOST_AUTO_TEST_CASE(extra_filter_is_anded_and_validated) {
    asio::io_context ioc;
    auto src = std::make_shared<fake_source>(intercom::test::make_dataset(100, base_ts), serve_style::search);
    auto o = options(2);
    o.filter = search::field("role") == "user";
    auto e = partitioned_export::create(src, o);
    BOOST_REQUIRE(e);
    auto q = e->partition_query(1).to_json();
    BOOST_TEST(q.at("value").as_array().size() == 2u);  // role, created_at >
    BOOST_TEST(q.at("value").at(0).at("field") == json::value("role"));

    auto bad = options(2);
    bad.filter = search::field("created_at") >= 5;  // not allowed on contact dates
    auto f = partitioned_export::create(src, bad);
    BOOST_REQUIRE(!f);
    BOOST_TEST(f.error().code == make_error_code(errc::invalid_query));
    BOOST_TEST(src->c.fetches == 0u);
}

BOOST_AUTO_TEST_CASE(invalid_options_fail_before_any_request) {
    auto src = std::make_shared<fake_source>(intercom::test::make_dataset(10, base_ts), serve_style::search);
    auto tickets = options(4);
    tickets.object = search::object_kind::tickets;
    auto not_date = options(4);
    not_date.field = "email";
    auto empty_range = options(4, 10, 10);
    auto too_many = options(65);
    for (const auto& o : {tickets, not_date, empty_range, too_many}) {
        auto e = partitioned_export::create(src, o);
        BOOST_REQUIRE(!e);
        BOOST_TEST(e.error().code == make_error_code(errc::invalid_argument));
        BOOST_TEST(e.error().diag.message.find("partitioned export") == 0u);
    }
    BOOST_TEST(src->c.fetches == 0u);
}

BOOST_AUTO_TEST_CASE(first_error_ends_the_export_and_cancels_the_rest) {
    asio::io_context ioc;
    auto src = std::make_shared<fake_source>(intercom::test::make_dataset(5000, base_ts), serve_style::search);
    src->fail_at = 6;
    src->latency = std::chrono::milliseconds(2);
    auto e = partitioned_export::create(src, options(4));
    BOOST_REQUIRE(e);
    auto r = intercom::test::run_coro(ioc, drain(&*e));
    BOOST_REQUIRE(!r);
    BOOST_TEST(r.error().code == make_error_code(errc::internal_server_error));
    BOOST_TEST(r.error().diag.message.find("(partition ") != std::string::npos, r.error().diag.message);
    ioc.restart();
    ioc.run_for(std::chrono::milliseconds(30));
    BOOST_TEST(src->c.in_flight == 0u);
    const auto after = src->c.fetches;
    ioc.restart();
    ioc.run_for(std::chrono::milliseconds(20));
    BOOST_TEST(src->c.fetches == after);
}

BOOST_AUTO_TEST_CASE(destroying_the_export_cancels_everything) {
    asio::io_context ioc;
    auto src = std::make_shared<fake_source>(intercom::test::make_dataset(5000, base_ts), serve_style::search);
    // The first page of each partition answers at once, later pages would take 10 s.
    src->latency = std::chrono::milliseconds(10000);
    src->slow_from = 5;
    {
        auto e = partitioned_export::create(src, options(4));
        BOOST_REQUIRE(e);
        for (int i = 0; i < 3; ++i) BOOST_REQUIRE(intercom::test::run_coro(ioc, e->next()));
        BOOST_TEST(src->c.in_flight >= 1u);
    }
    ioc.restart();
    ioc.run_for(std::chrono::milliseconds(50));
    BOOST_TEST(src->c.in_flight == 0u);
    BOOST_TEST(src->c.cancelled >= 1u);
}

// Not a timing assertion: the wall times are printed for the report (run with --log_level=message);
// what is asserted is the request count and the concurrency seen by the instrumentation.
BOOST_AUTO_TEST_CASE(k1_versus_k4_benchmark) {
    std::map<unsigned, double> wall_ms;
    for (unsigned k : {1u, 4u}) {
        asio::io_context ioc;
        auto src = std::make_shared<fake_source>(intercom::test::make_dataset(20000, base_ts), serve_style::search);
        src->latency = std::chrono::milliseconds(2);  // a simulated round trip per page
        auto e = partitioned_export::create(src, options(k));
        BOOST_REQUIRE(e);
        auto t0 = std::chrono::steady_clock::now();
        auto counts = intercom::test::run_coro(ioc, drain(&*e));
        wall_ms[k] = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
        BOOST_REQUIRE(counts);
        expect_each_exactly_once(*counts, 20000);
        if (k == 1) BOOST_TEST(src->c.fetches == 134u);
        BOOST_TEST(src->c.max_in_flight == (k == 1 ? 1u : k));
        BOOST_TEST_MESSAGE("partitioned export K=" << k << ": " << src->c.fetches << " requests, "
                                                   << wall_ms[k] << " ms wall (2 ms simulated latency)");
    }
}

// `partitions = auto`: K = clamp(ceil(rate x RTT x headroom), 1, min(max_concurrency, cuttable, 64)).
BOOST_AUTO_TEST_CASE(auto_partitions_rule) {
    using std::chrono::milliseconds;
    auto k = [](double rate, milliseconds rtt, std::size_t conc, std::size_t cuttable,
                double headroom = 1.5) {
        return auto_partitions({.rate_per_second = rate,
                                .rtt = rtt,
                                .headroom = headroom,
                                .max_concurrency = conc,
                                .cuttable = cuttable});
    };
    // Intercom's per-app budget (166.7/s) at 100 ms: 16.7 chains fill it, 25 with headroom.
    BOOST_TEST(k(10000.0 / 60, milliseconds(100), 64, 1000) == 25u);
    BOOST_TEST(k(10000.0 / 60, milliseconds(100), 64, 1000, 1.0) == 17u);
    BOOST_TEST(k(10000.0 / 60, milliseconds(100), 16, 1000) == 16u);  // the pool caps it
    BOOST_TEST(k(10000.0 / 60, milliseconds(100), 64, 10) == 10u);    // few pages of data cap it
    BOOST_TEST(k(10000.0 / 60, milliseconds(300), 128, 1000) == 64u); // never above 64
    BOOST_TEST(k(10000.0 / 60, milliseconds(1), 64, 1000) == 1u);     // local server: one chain suffices
    BOOST_TEST(k(0, milliseconds(100), 64, 1000) == 1u);
    BOOST_TEST(k(1000, milliseconds(20), 64, 1000) == 30u);
}

BOOST_AUTO_TEST_CASE(allocate_partitions_by_count) {
    using intercom::pagination::detail::allocate_partitions;
    // 30 % on one day in the middle of the data: 10 partitions over 7,000 + 6,000 + 7,000 items.
    auto m = allocate_partitions({7000, 6000, 7000}, 10);
    BOOST_TEST((m == std::vector<unsigned>{4, 3, 3})); // loads 1,750 / 2,000 / 2,333 (N/K = 2,000)
    unsigned sum = 0;
    for (auto x : m)
        sum += x;
    BOOST_TEST(sum == 10u);
    BOOST_TEST((allocate_partitions({0, 100, 0}, 4) == std::vector<unsigned>{0, 4, 0}));
    BOOST_TEST((allocate_partitions({5, 5}, 1) == std::vector<unsigned>{1, 1})); // non-empty ranges get one
    BOOST_TEST((allocate_partitions({1, 1}, 8) == std::vector<unsigned>{1, 1})); // never below one item each
}

BOOST_AUTO_TEST_SUITE_END()
