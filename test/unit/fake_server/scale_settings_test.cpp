// Real-world-scale settings of the fake server: simulated latency (asynchronous, per response),
// Intercom's rate-limit presets (per app and per workspace) and clock-aligned limiter windows whose
// reset header is exact, so a client that waits for the reset can spend its whole budget.
#include "http_client.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <set>
#include <thread>
#include <vector>

using intercom::test::running_server;
using intercom::testing::fake_server_options;
using intercom::testing::rate_limit_options;
using namespace std::chrono_literals;

namespace {

std::int64_t unix_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// Sleeps until `window` has at least `room` left, so a multi-request check stays inside one window.
void wait_for_room(std::chrono::milliseconds window, std::chrono::milliseconds room) {
    auto into = unix_ms() % window.count();
    if (window.count() - into < room.count())
        std::this_thread::sleep_for(std::chrono::milliseconds(window.count() - into + 5));
}

intercom::test::header_list token(const std::string& t) { return {{"Authorization", "Bearer " + t}}; }

} // namespace

BOOST_AUTO_TEST_SUITE(fake_server_scale)

BOOST_AUTO_TEST_CASE(intercom_preset_mirrors_published_limits) {
    auto p = rate_limit_options::intercom();
    BOOST_TEST(p.requests_per_window == 1666u); // 10,000/min in 10-second windows
    BOOST_TEST(p.window.count() == 10000);
    BOOST_TEST(p.workspace_requests_per_window == 4166u); // 25,000/min
    BOOST_TEST(p.enabled);

    running_server rs({.rate_limit = p});
    auto c = rs.client();
    auto r = c.request("GET", "/me", {}, token("app-1"));
    BOOST_TEST(r.status == 200u);
    BOOST_TEST(r.header("x-ratelimit-limit") == "1666");
    BOOST_TEST(r.header("x-ratelimit-remaining") == "1665");
    // Windows are aligned to the clock: the reset is a multiple of 10 s and in the next 10 s.
    auto reset = std::stoll(r.header("x-ratelimit-reset"));
    BOOST_TEST(reset % 10 == 0);
    BOOST_TEST(reset * 1000 > unix_ms() - 1000);
    BOOST_TEST(reset * 1000 <= unix_ms() + 10000);
}

// Every token is its own app; tokens "ws:a" and "ws:b" share workspace "ws" and its budget.
BOOST_AUTO_TEST_CASE(workspace_budget_is_shared_by_its_apps) {
    const auto window = 3600s;
    wait_for_room(window, 20s);
    rate_limit_options rl;
    rl.requests_per_window = 3;
    rl.window = window;
    rl.workspace_requests_per_window = 4;
    running_server rs({.rate_limit = rl});
    auto c = rs.client();
    auto get = [&](const std::string& t) { return c.request("GET", "/me", {}, token(t)); };
    BOOST_TEST(get("ws:a").status == 200u);
    BOOST_TEST(get("ws:a").status == 200u);
    auto r = get("ws:b");
    BOOST_TEST(r.status == 200u);
    BOOST_TEST(r.header("x-ratelimit-limit") == "3");
    BOOST_TEST(r.header("x-ratelimit-remaining") == "1"); // workspace: 4 - 3
    r = get("ws:b");
    BOOST_TEST(r.status == 200u);
    BOOST_TEST(r.header("x-ratelimit-remaining") == "0");
    r = get("ws:b"); // app b has used 2 of 3, but the workspace is spent
    BOOST_TEST(r.status == 429u);
    BOOST_TEST(get("ws:a").status == 429u);
    // Another workspace (and a token without a separator) is unaffected.
    BOOST_TEST(get("other:a").status == 200u);
    BOOST_TEST(get("solo").status == 200u);
    BOOST_TEST(rs.server.throttled_count() == 2u);
    BOOST_TEST(rs.server.request_count() == 8u);
}

// The defect this fixes: windows started at a token's first request while the reset was rounded up
// to a whole second. A client that waited for the reset plus a safety margin (the library's limiter
// waits 200 ms) started the next window late, was told a reset rounded up again, and so lost up to a
// second per window: W/(W+1) of the budget, half of it with 1-second windows. Now: a client that
// spends its budget, sleeps until the reported reset plus a margin and continues gets the full
// budget in every window, the windows follow each other without a gap, and it never sees a 429.
BOOST_AUTO_TEST_CASE(waiting_for_the_reset_always_finds_a_full_window) {
    const unsigned limit = 4;
    running_server rs({.rate_limit = {.requests_per_window = limit, .window = 1s}});
    auto c = rs.client();
    std::vector<std::int64_t> resets;
    unsigned ok = 0;
    for (int w = 0; w < 3; ++w) {
        std::int64_t reset = 0;
        for (unsigned i = 0; i < limit; ++i) {
            auto r = c.get("/me");
            BOOST_TEST_REQUIRE(r.status == 200u);
            ++ok;
            auto rem = std::stoul(r.header("x-ratelimit-remaining"));
            reset = std::stoll(r.header("x-ratelimit-reset"));
            // Windows after the first start exactly at the reset we slept to: full budget.
            if (w > 0) BOOST_TEST(rem == limit - 1 - i);
            if (rem == 0) break;
        }
        resets.push_back(reset);
        // Compliant: sleep until the reported reset (a whole Unix second) plus a small margin.
        auto wait = reset * 1000 + 50 - unix_ms();
        if (wait > 0) std::this_thread::sleep_for(std::chrono::milliseconds(wait));
    }
    BOOST_TEST(rs.server.throttled_count() == 0u);
    BOOST_TEST(ok >= 2 * limit + 1);
    for (std::size_t i = 1; i < resets.size(); ++i)
        BOOST_TEST(resets[i] == resets[i - 1] + 1); // consecutive 1-second windows, no gap
}

// Latency: a fixed delay on every response, waited asynchronously, so connections are answered
// concurrently (the server holds several requests at once) rather than one after the other: were
// the delay a blocking wait on the server's single io thread, it would never hold more than one.
BOOST_AUTO_TEST_CASE(latency_is_per_response_and_blocks_no_other_connection) {
    fake_server_options o;
    o.latency.fixed = 300ms;
    o.latency.jitter = 20ms;
    running_server rs(o);
    constexpr int n = 6;
    std::vector<std::thread> threads;
    std::vector<unsigned> status(n);
    std::vector<std::chrono::steady_clock::duration> took(n);
    std::atomic<int> ready{0};
    for (int i = 0; i < n; ++i)
        threads.emplace_back([&, i] {
            auto c = rs.client();
            ++ready;
            while (ready.load() < n)
                std::this_thread::yield();
            auto t0 = std::chrono::steady_clock::now();
            status[i] = c.request("GET", "/me", {}, token("lat-" + std::to_string(i))).status;
            took[i] = std::chrono::steady_clock::now() - t0;
        });
    for (auto& t : threads)
        t.join();
    for (int i = 0; i < n; ++i) {
        BOOST_TEST(status[i] == 200u);
        BOOST_TEST(took[i] >= 300ms); // the setting is applied (a lower bound, not a speed claim)
    }
    // All n overlap on an idle machine; a loaded one may start a thread late, hence "at least 3".
    BOOST_TEST(rs.server.max_in_flight() >= 3u);
    BOOST_TEST_MESSAGE("latency: server peak in flight " << rs.server.max_in_flight() << " of " << n);
    BOOST_TEST(rs.server.request_count() == std::uint64_t(n));
}

// The documented `sort` key orders search results (by `updated_at` here, which is not creation order),
// and the cursor pages through that order: every contact once, values monotonic.
BOOST_AUTO_TEST_CASE(search_sort_orders_and_pages) {
    running_server rs({.seed = {.contacts = 120}});
    auto c = rs.client();
    for (bool asc : {true, false}) {
        std::vector<std::int64_t> values;
        std::set<std::string> ids;
        std::string cursor;
        for (int page = 0; page < 10; ++page) {
            boost::json::object pagination{{"per_page", 50}};
            if (!cursor.empty()) pagination["starting_after"] = cursor;
            boost::json::object body{
                {"query", {{"field", "created_at"}, {"operator", ">"}, {"value", 0}}},
                {"pagination", pagination},
                {"sort", {{"field", "updated_at"}, {"order", asc ? "ascending" : "descending"}}}};
            auto r = c.post("/contacts/search", body);
            BOOST_TEST_REQUIRE(r.status == 200u);
            auto v = r.json();
            for (const auto& x : v.at("data").as_array()) {
                values.push_back(x.at("updated_at").as_int64());
                ids.insert(std::string(x.at("id").as_string()));
            }
            const auto& next = v.at("pages").as_object();
            if (!next.contains("next") || next.at("next").is_null()) break;
            cursor = std::string(next.at("next").at("starting_after").as_string());
        }
        BOOST_TEST(values.size() == 120u);
        BOOST_TEST(ids.size() == 120u);
        const bool ordered = asc ? std::is_sorted(values.begin(), values.end())
                                 : std::is_sorted(values.rbegin(), values.rend());
        BOOST_TEST(ordered);
        BOOST_TEST(std::is_sorted(values.begin(), values.end()) == asc); // the order follows the request
    }
    boost::json::object bad{{"query", {{"field", "created_at"}, {"operator", ">"}, {"value", 0}}},
                            {"sort", {{"field", "updated_at"}, {"order", "sideways"}}}};
    BOOST_TEST(c.post("/contacts/search", bad).status == 400u);
}

// Search matches are cached between pages, but never across a change: a contact created between two
// identical searches is found by the second.
BOOST_AUTO_TEST_CASE(cached_search_sees_changes) {
    running_server rs({.seed = {.contacts = 30}});
    auto c = rs.client();
    boost::json::object body{{"query", {{"field", "role"}, {"operator", "="}, {"value", "user"}}}};
    auto before = c.post("/contacts/search", body).json().at("total_count").as_int64();
    BOOST_TEST(c.post("/contacts/search", body).json().at("total_count").as_int64() == before);
    auto created = c.post("/contacts", boost::json::object{{"role", "user"}, {"email", "cache@example.com"}});
    BOOST_TEST_REQUIRE(created.status == 200u);
    BOOST_TEST(c.post("/contacts/search", body).json().at("total_count").as_int64() == before + 1);
}

BOOST_AUTO_TEST_SUITE_END()
