// Issue 6 acceptance: the pagers with the real client (pipeline + transport) against the fake
// Intercom server over plain HTTP on 127.0.0.1, counting the requests the server saw.
#include <intercom/client.hpp>
#include <intercom/error.hpp>
#include <intercom/http/https_transport.hpp>
#include <intercom/pagination/pager.hpp>
#include <intercom/pagination/partitioned_export.hpp>
#include <intercom/search/query.hpp>
#include <intercom/testing/fake_server.hpp>

#include "run_coro.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <set>
#include <string>
#include <vector>

using namespace intercom;
using namespace intercom::pagination;
using namespace std::chrono_literals;
namespace asio = boost::asio;
namespace json = boost::json;
namespace bhttp = boost::beast::http;
namespace tst = intercom::testing;

namespace {

// A plain-HTTP fake server with a generous limiter, and a client over a transport we can inspect.
struct setup {
    asio::io_context ioc;
    tst::fake_server server;
    std::shared_ptr<http::https_transport> transport;
    client c;

    explicit setup(tst::seed_options seed)
        : server(ioc.get_executor(),
                 {.tls = false, .seed = seed, .rate_limit = {.requests_per_window = 1000000, .window = 10s}}),
          transport(make_transport(ioc)), c(transport, options(server)) {}

    static std::shared_ptr<http::https_transport> make_transport(asio::io_context& ioc) {
        return std::make_shared<http::https_transport>(ioc.get_executor());
    }
    static client_options options(tst::fake_server& s) {
        s.start();
        client_options o;
        o.token = "pagination-token";
        o.base_url = s.base_url();
        o.attempt_timeout = 10s;
        o.timeout = 30s;
        return o;
    }
    ~setup() {
        transport->close();
        server.stop();
        ioc.restart();
        ioc.run_for(20ms);
    }
    // Lets the io_context process whatever is still queued (cancellations, closes).
    void settle() {
        ioc.restart();
        ioc.run_for(200ms);
    }
    http::pool_stats pool() const { return transport->stats(http::origin::parse(server.base_url()).value()); }
};

std::string id_of(const json::value& v) { return std::string(v.at("id").as_string()); }

using awaitable_ids = asio::awaitable<result<std::vector<std::string>>>;

// Drains a pager with the item view.
awaitable_ids drain(pager<json::value>* p) {
    std::vector<std::string> ids;
    for (;;) {
        auto r = co_await p->next();
        if (!r) co_return r.error();
        if (!*r) co_return ids;
        ids.push_back(id_of(**r));
    }
}

// Takes `n` items from a pager.
awaitable_ids take(pager<json::value>* p, std::size_t n) {
    std::vector<std::string> ids;
    while (ids.size() < n) {
        auto r = co_await p->next();
        if (!r) co_return r.error();
        if (!*r) break;
        ids.push_back(id_of(**r));
    }
    co_return ids;
}

// Drains an export.
awaitable_ids drain_export(partitioned_export* e) {
    std::vector<std::string> ids;
    for (;;) {
        auto r = co_await e->next();
        if (!r) co_return r.error();
        if (!*r) co_return ids;
        ids.push_back(id_of(**r));
    }
}

listing contacts_listing(unsigned per_page) {
    listing l;
    l.kind = style::cursor;
    l.path = "/contacts";
    l.per_page = per_page;
    return l;
}

std::vector<std::string> seeded_contacts(const tst::fake_server& s, std::size_t n) {
    std::vector<std::string> v;
    for (std::size_t i = 0; i < n; ++i) v.push_back(s.seeded_contact_id(i));
    return v;
}

std::vector<tst::recorded_request> requests_to(const tst::fake_server& s, const std::string& method,
                                               const std::string& path) {
    std::vector<tst::recorded_request> out;
    for (auto& r : s.requests())
        if (r.method == method && r.path == path) out.push_back(r);
    return out;
}

} // namespace

BOOST_AUTO_TEST_SUITE(pagination_fake_server)

// 1. 20,000 contacts at 150 per page: 134 requests, every id once and in order.
BOOST_AUTO_TEST_CASE(cursor_list_20000_contacts_in_134_requests) {
    setup s({.contacts = 20000});
    auto p = make_json_pager(s.c, contacts_listing(150));
    auto ids = test::run_coro(s.ioc, drain(&p));
    BOOST_TEST_REQUIRE(bool(ids));
    BOOST_TEST(ids->size() == 20000u);
    BOOST_TEST(std::set<std::string>(ids->begin(), ids->end()).size() == 20000u);
    BOOST_TEST((*ids == seeded_contacts(s.server, 20000)));
    BOOST_TEST(s.server.count("GET", "/contacts") == 134u);
    BOOST_TEST(p.raw().fetches() == 134u);
    BOOST_TEST((p.raw().fsm().reason() == end_reason::no_next));
    BOOST_TEST_MESSAGE("cursor list: " << s.server.count("GET", "/contacts") << " requests for " << ids->size()
                                       << " contacts");
}

// 2. Search: every match once, the cursor travels in the body, no request past the last page.
BOOST_AUTO_TEST_CASE(search_yields_every_match_once_without_extra_request) {
    setup s({.contacts = 2000});
    // The expected subset, read independently through the list endpoint.
    auto all = make_json_pager(s.c, contacts_listing(150));
    std::vector<std::string> leads;
    for (;;) {
        auto r = test::run_coro(s.ioc, all.next());
        BOOST_TEST_REQUIRE(bool(r));
        if (!*r) break;
        if ((*r)->at("role") == json::value("lead")) leads.push_back(id_of(**r));
    }
    BOOST_TEST_REQUIRE(leads.size() > 100u);  // the seed makes about a fifth leads
    const unsigned per_page = 50;
    search::search_request req{search::field("role") == "lead", per_page, std::nullopt, std::nullopt};
    auto p = make_search_pager(std::make_shared<client_page_source>(s.c), search::object_kind::contacts, req);
    BOOST_TEST_REQUIRE(bool(p));
    auto ids = test::run_coro(s.ioc, drain(&*p));
    BOOST_TEST_REQUIRE(bool(ids));
    BOOST_TEST((*ids == leads));
    BOOST_TEST(std::set<std::string>(ids->begin(), ids->end()).size() == leads.size());
    const std::size_t pages = (leads.size() + per_page - 1) / per_page;
    auto seen = requests_to(s.server, "POST", "/contacts/search");
    BOOST_TEST(seen.size() == pages);
    BOOST_TEST(p->raw().fetches() == pages);
    BOOST_TEST_REQUIRE(seen.size() >= 2u);
    BOOST_TEST(seen[0].body != seen[1].body);  // regression: page 2 is not page 1 again
    auto b1 = json::parse(seen[0].body);
    auto b2 = json::parse(seen[1].body);
    BOOST_TEST(!b1.at("pagination").as_object().contains("starting_after"));
    BOOST_TEST(b2.at("pagination").at("starting_after").is_string());
    BOOST_TEST_MESSAGE("search: " << leads.size() << " leads in " << seen.size() << " requests");
}

// 3a. Page-number style: stops at total_pages without an extra request.
BOOST_AUTO_TEST_CASE(companies_page_number_stops_at_total_pages) {
    setup s({.companies = 130});
    listing l;
    l.kind = style::page_number;
    l.path = "/companies";
    l.per_page = 50;
    auto p = make_json_pager(s.c, l);
    std::vector<std::string> ids;
    for (;;) {
        auto r = test::run_coro(s.ioc, p.next());
        BOOST_TEST_REQUIRE(bool(r));
        if (!*r) break;
        ids.push_back(std::string((*r)->at("company_id").as_string()));
    }
    std::vector<std::string> expected;
    for (std::size_t i = 0; i < 130; ++i) expected.push_back(s.server.seeded_company_id(i));
    BOOST_TEST((ids == expected));
    BOOST_TEST(s.server.count("GET", "/companies") == 3u);  // 50 + 50 + 30, no 4th request
    BOOST_TEST(p.raw().fetches() == 3u);
}

// 3b. Scroll: the fake server (like Intercom) ends a scroll with an empty page, so pages + 1 requests.
BOOST_AUTO_TEST_CASE(companies_scroll_yields_all_in_pages_plus_one_requests) {
    setup s({.companies = 130});
    listing l;
    l.kind = style::scroll;
    l.path = "/companies/scroll";
    auto p = make_json_pager(s.c, l);
    std::vector<std::string> ids;
    for (;;) {
        auto r = test::run_coro(s.ioc, p.next());
        BOOST_TEST_REQUIRE(bool(r));
        if (!*r) break;
        ids.push_back(std::string((*r)->at("company_id").as_string()));
    }
    std::vector<std::string> expected;
    for (std::size_t i = 0; i < 130; ++i) expected.push_back(s.server.seeded_company_id(i));
    BOOST_TEST((ids == expected));
    BOOST_TEST(s.server.count("GET", "/companies/scroll") == 4u);  // 50 + 50 + 30 + empty
    BOOST_TEST(p.raw().fetches() == 4u);
    BOOST_TEST((p.raw().fsm().reason() == end_reason::empty_page));
}

// 4. Breaking after 3 items and destroying the pager while the prefetch of page 2 is in flight
// leaves nothing in flight. Page 2 is held back by the server so that the prefetch is provably
// outstanding (requested before page 1 was consumed) when the pager is destroyed.
BOOST_AUTO_TEST_CASE(break_after_three_items_leaves_nothing_in_flight) {
    setup s({.contacts = 1000});
    s.server.add_fault({.method = "GET",
                        .path = "/contacts",
                        .nth = 2,
                        .action = {.kind = tst::fault_kind::none, .delay = 300ms}});
    {
        auto p = make_json_pager(s.c, contacts_listing(150));
        auto ids = test::run_coro(s.ioc, take(&p, 3));
        BOOST_TEST_REQUIRE(bool(ids));
        BOOST_TEST((*ids == seeded_contacts(s.server, 3)));
        s.ioc.restart();
        s.ioc.run_for(100ms);  // the prefetch reaches the server and waits there
        BOOST_TEST(p.raw().fetches() == 2u);  // page 2 requested while page 1 is still being consumed
        BOOST_TEST(s.server.count("GET", "/contacts") == 2u);
        BOOST_TEST(s.pool().in_use == 1u);
    }
    s.settle();  // 200 ms: the delayed answer would be due by now
    s.settle();
    BOOST_TEST(s.pool().in_use == 0u);
    BOOST_TEST(s.pool().waiters == 0u);
    BOOST_TEST(s.server.count("GET", "/contacts") == 2u);  // nothing more was sent after the pager died
    BOOST_TEST_MESSAGE("break: " << s.server.count("GET", "/contacts") << " requests, peak in flight "
                                 << s.server.max_in_flight() << ", pool open " << s.pool().open);
}

// 5. Resume from a saved point: both walks together give every id exactly once, in order.
BOOST_AUTO_TEST_CASE(resume_from_saved_cursor_continues_exactly) {
    setup s({.contacts = 1000});
    std::optional<resume_point> saved;
    std::vector<std::string> first;
    {
        auto p = make_json_pager(s.c, contacts_listing(150));
        auto ids = test::run_coro(s.ioc, take(&p, 200));  // stops inside page 2
        BOOST_TEST_REQUIRE(bool(ids));
        first = *ids;
        saved = p.resume();
    }
    BOOST_TEST_REQUIRE(saved.has_value());
    pager_options o;
    o.start = saved->at;
    o.skip_items = saved->skip;
    auto p2 = make_json_pager(s.c, contacts_listing(150), o);
    auto rest = test::run_coro(s.ioc, drain(&p2));
    BOOST_TEST_REQUIRE(bool(rest));
    std::vector<std::string> all = first;
    all.insert(all.end(), rest->begin(), rest->end());
    BOOST_TEST(first.size() == 200u);
    BOOST_TEST(rest->size() == 800u);
    BOOST_TEST((all == seeded_contacts(s.server, 1000)));
}

// 6. A server that keeps answering the same cursor ends the walk with pagination_stuck.
BOOST_AUTO_TEST_CASE(repeating_cursor_fires_the_stuck_guard) {
    setup s({.contacts = 300});
    // From the 2nd request on, every page is the same one pointing at the same cursor.
    json::object page{{"type", "list"},
                      {"data", json::array{json::object{{"type", "contact"}, {"id", "stuck-1"}}}},
                      {"total_count", 1000},
                      {"pages", json::object{{"type", "pages"},
                                             {"next", json::object{{"starting_after", "loop"}}},
                                             {"per_page", 150}}}};
    s.server.add_fault({.method = "GET",
                        .path = "/contacts",
                        .nth = 2,
                        .count = 0,
                        .action = {.kind = tst::fault_kind::status, .status = 200, .body = json::serialize(page)}});
    pager_options o;
    o.prefetch_depth = 0;
    auto p = make_json_pager(s.c, contacts_listing(150), o);
    auto ids = test::run_coro(s.ioc, drain(&p));
    BOOST_TEST_REQUIRE(!ids);
    BOOST_TEST(ids.error().code == make_error_code(errc::pagination_stuck));
    BOOST_TEST_MESSAGE("stuck: " << ids.error().diag.message);
    auto n = s.server.count("GET", "/contacts");
    BOOST_TEST(n >= 2u);
    BOOST_TEST(n <= 3u);  // page 1, the injected page, at most one repeat
}

// 7. Partitioned export by equal spans (`balance_by_count = false`), K=4 and K=8, over 20,000 contacts
// in the fake server's old layout (`contact_span = 0`: 37 s apart, about 9.5 days; the default seeding
// now spreads contacts over 3 years, which this test's exact prediction was written for): the range is
// probed (2 sorted one-item searches), the cuts snap to days (contacts compare by day), and every id
// arrives exactly once. The request count is predicted exactly from the seeded timestamps: two probes
// plus ceil(n_i / 150) pages per partition, with n_i what the server's day comparison puts in each.
BOOST_AUTO_TEST_CASE(partitioned_export_k4_and_k8_yield_every_contact_once) {
    constexpr std::size_t n = 20000;
    constexpr std::int64_t base = 1700000000; // seed_options::base_time
    constexpr std::int64_t day = 86400;
    setup s({.contacts = n, .contact_span = std::chrono::seconds(0)});
    const auto expected = seeded_contacts(s.server, n);
    const std::set<std::string> expected_set(expected.begin(), expected.end());
    auto day_of = [](std::int64_t t) { return t / day; };
    for (unsigned k : {4u, 8u}) {
        s.server.clear_record();
        partition_options o;
        o.balance_by_count = false;
        o.partitions = k;
        o.per_page = 150;
        auto e = partitioned_export::create(s.c, o);
        BOOST_TEST_REQUIRE(bool(e));
        BOOST_TEST(e->partitions() == 0u); // the range is not known before the probes
        auto t0 = std::chrono::steady_clock::now();
        auto ids = test::run_coro(s.ioc, drain_export(&*e), std::chrono::seconds(100));
        auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0);
        BOOST_TEST_REQUIRE(bool(ids));
        BOOST_TEST(ids->size() == n);
        BOOST_TEST((std::set<std::string>(ids->begin(), ids->end()) == expected_set));

        // The cuts are those for the true range, so the partitions are what the data needs.
        const std::int64_t lo = base, hi = base + std::int64_t(n - 1) * 37;
        BOOST_TEST((e->cuts() == intercom::pagination::detail::export_cuts(lo, hi, k, day)));
        const std::size_t parts = e->partitions();
        BOOST_TEST(parts == e->cuts().size() + 1);
        BOOST_TEST(parts >= k - 1); // 9.5 days leave room for K=8 day-aligned ranges
        std::vector<std::size_t> sizes(parts, 0);
        const auto& cuts = e->cuts();
        const std::int64_t margin = intercom::pagination::detail::export_margin(day);
        for (std::size_t i = 0; i < n; ++i) {
            std::int64_t v = base + std::int64_t(i) * 37;
            std::size_t hits = 0;
            for (std::size_t p = 0; p < parts; ++p) {
                bool in = (p == 0 || day_of(v) > day_of(cuts[p - 1] - margin)) &&
                          (p + 1 == parts || day_of(v) < day_of(cuts[p]));
                if (in) {
                    ++sizes[p];
                    ++hits;
                }
            }
            BOOST_TEST_REQUIRE(hits == 1u); // UTC server: the ranges are disjoint and complete
        }
        std::size_t pages = 0, largest = 0;
        for (auto sz : sizes) {
            pages += (sz + 149) / 150;
            largest = std::max(largest, sz);
        }
        auto st = e->stats();
        BOOST_TEST(st.probes == 2u);
        BOOST_TEST(st.delivered == n);
        BOOST_TEST(st.dropped_duplicates == 0u);
        BOOST_TEST(st.fetches == pages + 2);
        BOOST_TEST(s.server.count("POST", "/contacts/search") == pages + 2);
        // Balanced: snapping a cut to a day moves it by at most half a day, so no partition exceeds
        // its share by more than a day of data (the old ±2-day padding made each K=8 partition fetch
        // about half of everything).
        BOOST_TEST(largest <= n / k + std::size_t(day / 37) + 1);
        BOOST_TEST(s.server.max_in_flight() >= 2u); // the partitions ran concurrently
        std::string dist;
        for (auto sz : sizes) dist += (dist.empty() ? "" : ", ") + std::to_string(sz);
        BOOST_TEST_MESSAGE("partitioned export K=" << k << ": " << parts << " partitions [" << dist << "], "
                                                   << st.fetches << " requests (2 probes), " << ms.count()
                                                   << " ms, duplicates dropped " << st.dropped_duplicates
                                                   << ", ids remembered " << st.remembered
                                                   << ", server peak in flight " << s.server.max_in_flight());
    }
}

// 8. Count-balanced cuts on skewed data (issue 17): contacts over 3 years, 4x as many a day at the end as
// at the start, and 30 % of them on one bulk-import day. Every partition holds N/K +- 20 %, the bulk day
// is split on updated_at into several partitions, and every id arrives exactly once. (With K=8 the
// three ranges - before, on and after the bulk day - hold 1.96, 2.4 and 3.64 shares: no whole number
// of partitions per range keeps every partition within 20 %, see README "Partitioned export".)
BOOST_AUTO_TEST_CASE(count_balanced_cuts_split_a_bulk_day_exactly_once) {
    constexpr std::size_t n = 6000;
    setup s({.contacts = n, .bulk_import_share = 0.3});
    const auto expected = seeded_contacts(s.server, n);
    const std::set<std::string> expected_set(expected.begin(), expected.end());
    for (unsigned k : {16u, 32u}) {
        s.server.clear_record();
        partition_options o;
        o.partitions = k;
        auto e = partitioned_export::create(s.c, o);
        BOOST_TEST_REQUIRE(bool(e));
        auto ids = test::run_coro(s.ioc, drain_export(&*e), std::chrono::seconds(100));
        BOOST_TEST_REQUIRE(bool(ids));
        BOOST_TEST(ids->size() == n);
        BOOST_TEST((std::set<std::string>(ids->begin(), ids->end()) == expected_set));
        BOOST_TEST(e->partitions() == k);
        const auto prog = e->progress();
        const double share = double(n) / k;
        std::size_t split_parts = 0, sum = 0;
        std::string dist;
        for (std::size_t i = 0; i < prog.size(); ++i) {
            BOOST_TEST(prog[i].done);
            BOOST_TEST(prog[i].delivered == prog[i].expected); // the planner's count is what arrived
            BOOST_TEST(std::abs(double(prog[i].delivered) - share) <= 0.2 * share,
                       "partition " << i << " holds " << prog[i].delivered << ", share " << share);
            sum += prog[i].delivered;
            if (json::serialize(e->partition_query(i).to_json()).find("updated_at") != std::string::npos)
                ++split_parts;
            dist += (dist.empty() ? "" : ", ") + std::to_string(prog[i].delivered);
        }
        BOOST_TEST(sum == n);
        BOOST_TEST(split_parts >= 2u); // the bulk day (1,800 contacts) spans several partitions
        const auto st = e->stats();
        BOOST_TEST(st.total == n);
        BOOST_TEST(st.delivered == n);
        BOOST_TEST(st.fetches == s.server.count("POST", "/contacts/search"));
        BOOST_TEST_MESSAGE("count-balanced K="
                           << k << ": [" << dist << "], " << split_parts << " on the bulk day, " << st.probes
                           << " probes in " << st.probe_rounds << " rounds, " << st.fetches << " requests");
    }
}

// 9. partitions = auto (the default): K follows the documented rule for the measured RTT and the
// budget, and the export is still exactly once.
BOOST_AUTO_TEST_CASE(auto_partitions_follow_the_rule) {
    constexpr std::size_t n = 3000;
    setup s({.contacts = n});
    partition_options o; // partitions = 0: auto
    o.auto_k.rate_per_second = 400;
    o.auto_k.max_concurrency = 8;
    auto e = partitioned_export::create(s.c, o);
    BOOST_TEST_REQUIRE(bool(e));
    auto ids = test::run_coro(s.ioc, drain_export(&*e), std::chrono::seconds(100));
    BOOST_TEST_REQUIRE(bool(ids));
    BOOST_TEST(std::set<std::string>(ids->begin(), ids->end()).size() == n);
    BOOST_TEST(ids->size() == n);
    const auto st = e->stats();
    const unsigned rule = auto_partitions({.rate_per_second = 400,
                                           .rtt = st.probe_rtt,
                                           .headroom = 1.5,
                                           .max_concurrency = 8,
                                           .cuttable = cuttable_partitions(n, 150)});
    BOOST_TEST(e->partitions() <= rule);
    BOOST_TEST(e->partitions() >= 1u);
    const double rtt_ms = std::chrono::duration<double, std::milli>(st.probe_rtt).count();
    BOOST_TEST_MESSAGE("auto: RTT " << rtt_ms << " ms -> K " << rule << ", " << e->partitions()
                                    << " partitions");
}

// A filter that matches nothing: the two range probes find no item and no partition is started.
BOOST_AUTO_TEST_CASE(partitioned_export_of_nothing_costs_two_probes) {
    setup s({.contacts = 300});
    partition_options o;
    o.partitions = 8;
    o.filter = search::field("email") == "nobody@nowhere.example";
    auto e = partitioned_export::create(s.c, o);
    BOOST_TEST_REQUIRE(bool(e));
    auto ids = test::run_coro(s.ioc, drain_export(&*e));
    BOOST_TEST_REQUIRE(bool(ids));
    BOOST_TEST(ids->empty());
    BOOST_TEST(e->stats().fetches == 2u);
    BOOST_TEST(e->partitions() == 0u);
    BOOST_TEST(s.server.count("POST", "/contacts/search") == 2u);
    // The probes asked for one item, sorted both ways.
    auto recs = requests_to(s.server, "POST", "/contacts/search");
    std::set<std::string> orders;
    for (const auto& r : recs) {
        auto b = json::parse(r.body);
        BOOST_TEST(b.at("pagination").at("per_page") == json::value(1));
        orders.insert(std::string(b.at("sort").at("order").as_string()));
    }
    BOOST_TEST((orders == std::set<std::string>{"ascending", "descending"}));
}

BOOST_AUTO_TEST_SUITE_END()
