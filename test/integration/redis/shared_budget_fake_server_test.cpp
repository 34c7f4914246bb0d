// Issue 9 acceptance against the real fake Intercom server (not an in-process transport): four
// clients on four io_contexts (threads), each with its own HTTPS transport and rate_limiter, one
// token, one server window budget. With Redis stores on one key: zero 429s reach callers and the
// aggregate rate is >= 80 % of the budget. The same burst with in-process stores only (another
// token, run at the same time so the test takes one burst's time) shows 429s at the server.
//
// Windows: the fake server starts a window at a token's first request and rounds X-RateLimit-Reset
// up to whole seconds, so clients that honour the reported reset run one window every W + 1 s:
// W = 5 s gives at most 5/6 = 83 % of the limit by wall time. Burst: 4 x 40 = 160 requests, four
// windows, about 19 s.
#include "redis_server.hpp"

#include <intercom/client.hpp>
#include <intercom/http/https_transport.hpp>
#include <intercom/redis/budget_store.hpp>
#include <intercom/testing/fake_server.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <thread>

using namespace intercom;
using namespace std::chrono_literals;
namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
namespace tst = intercom::testing;

namespace {

constexpr unsigned budget = 40;
constexpr auto window = 5s;
constexpr int clients = 4;
constexpr int per_client = budget; // 4 x one window's budget in total

struct tally {
    std::atomic<int> ok{0}, saw_429{0}, other{0}, done{0};
};

asio::awaitable<void> one_call(client c, std::string path, tally* t) {
    auto r = co_await c.request(bhttp::verb::get, std::move(path));
    if (r)
        ++t->ok;
    else if (r.error().code == errc::rate_limited)
        ++t->saw_429;
    else
        ++t->other;
    ++t->done;
}

// The fake server's windows are aligned to the wall clock (window k = [k*W, (k+1)*W) since the epoch).
// Starting just after a boundary (the stores connect to Redis first) makes the first window a whole
// one, so the measured ratio is the steady state instead of varying by run.
void start_just_after_a_window_boundary() {
    auto now = std::chrono::system_clock::now();
    auto into = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()) %
                std::chrono::milliseconds(window);
    std::this_thread::sleep_until(now - into + window + 20ms);
}

struct member {
    asio::io_context ioc;
    std::shared_ptr<pipeline::budget_store> store;
    std::shared_ptr<redis::budget_store> redis_store;
    std::shared_ptr<http::https_transport> transport;
};

// One fleet of `clients` clients sharing a token.
struct fleet {
    std::string token;
    unsigned max_attempts = 3;
    std::array<member, clients> members;
    tally t;

    void start(const tst::fake_server& server) {
        for (auto& m : members) {
            m.transport = std::make_shared<http::https_transport>(m.ioc.get_executor());
            client_options o;
            o.token = token;
            o.base_url = server.base_url();
            o.timeout = 40s;
            o.attempt_timeout = 5s;
            o.pipeline.max_attempts = max_attempts;
            pipeline::backoff_options bo;
            bo.initial = 10ms;
            bo.max = 50ms;
            bo.rate_limit_jitter = 100ms;
            o.pipeline.backoff_policy = std::make_shared<pipeline::default_backoff_policy>(bo);
            pipeline::rate_limiter_options ro;
            ro.max_in_flight = 8;
            ro.store = m.store;
            o.pipeline.rate_limiter = std::make_shared<pipeline::rate_limiter>(ro);
            client c(m.transport, o);
            for (int i = 0; i < per_client; ++i)
                asio::co_spawn(m.ioc, one_call(c, "/contacts/" + server.seeded_contact_id(i % 20), &t),
                               asio::detached);
        }
    }

    void run_one(member& m) {
        auto stop = std::chrono::steady_clock::now() + 45s;
        while (t.done.load() < per_client * clients && std::chrono::steady_clock::now() < stop)
            m.ioc.run_one_for(20ms);
    }

    ~fleet() {
        for (auto& m : members) {
            if (m.transport) m.transport->close();
            m.store.reset();
            m.redis_store.reset();
            m.ioc.restart();
            m.ioc.run_for(200ms);
            m.transport.reset();
        }
    }
};

// Per server window (rebuilt from the record: aligned, window k = [k*W, (k+1)*W)), requests answered
// 200 and 429 for `token`.
struct window_stats {
    std::vector<std::size_t> served, rejected;
    std::vector<std::chrono::system_clock::time_point> starts;
    std::size_t total_429 = 0;

    window_stats(std::vector<tst::recorded_request> rec, const std::string& token) {
        std::sort(rec.begin(), rec.end(), [](auto& a, auto& b) { return a.sequence < b.sequence; });
        for (const auto& r : rec) {
            if (r.header("Authorization") != "Bearer " + token) continue;
            auto start = r.received - r.received.time_since_epoch() % window;
            if (starts.empty() || start != starts.back()) {
                starts.push_back(start);
                served.push_back(0);
                rejected.push_back(0);
            }
            if (r.status == 429) {
                ++rejected.back();
                ++total_429;
            } else if (r.status == 200) {
                ++served.back();
            }
        }
    }
    std::string distribution() const {
        std::string out;
        for (std::size_t i = 0; i < served.size(); ++i)
            out += (i ? ", " : "") + std::to_string(served[i]) + "/" + std::to_string(rejected[i]) + "x429";
        return out;
    }
    // Requests served in the complete windows per second of their span, over the limit per second.
    double rate_ratio() const {
        if (starts.size() < 2) return 0;
        std::size_t complete = 0;
        for (std::size_t i = 0; i + 1 < served.size(); ++i)
            complete += served[i];
        double span = std::chrono::duration<double>(starts.back() - starts.front()).count();
        return (complete / span) / (budget / std::chrono::duration<double>(window).count());
    }
    double utilisation(std::size_t n) const {
        return static_cast<double>(n) / static_cast<double>(starts.size() * budget);
    }
};

} // namespace

BOOST_AUTO_TEST_SUITE(redis_shared_budget_fake_server)

BOOST_AUTO_TEST_CASE(four_clients_share_the_fake_servers_window_budget_through_redis) {
    test::redis_server srv;

    asio::io_context server_ioc;
    tst::fake_server server(server_ioc.get_executor(),
                            {.seed = {.contacts = 20}, .rate_limit = {.requests_per_window = budget, .window = window}});
    server.start();
    auto guard = asio::make_work_guard(server_ioc);
    std::thread server_thread([&] { server_ioc.run(); });

    fleet shared;
    shared.token = "shared-token";
    for (auto& m : shared.members) {
        redis::budget_store_options o;
        o.url = srv.url();
        o.name = "fake-server-burst";
        o.key_prefix = "accept-fs:";
        o.window = window;
        o.fallback_share = 1.0 / clients;
        o.initial_limit = budget; // the operator knows the app's budget
        m.redis_store = std::make_shared<redis::budget_store>(m.ioc.get_executor(), o);
        m.store = m.redis_store;
    }
    fleet local;
    local.token = "local-token"; // a separate budget at the server
    local.max_attempts = 1;       // every 429 reaches the caller
    for (auto& m : local.members) {
        pipeline::local_budget_options o;
        o.window = window;
        o.initial_limit = budget;
        m.store = std::make_shared<pipeline::local_budget_store>(o);
    }

    start_just_after_a_window_boundary();
    shared.start(server);
    local.start(server);
    std::vector<std::thread> threads;
    for (auto* f : {&shared, &local})
        for (auto& m : f->members)
            threads.emplace_back([f, &m] { f->run_one(m); });
    for (auto& th : threads)
        th.join();

    const int total = per_client * clients;
    window_stats ws(server.requests(), shared.token);
    window_stats wl(server.requests(), local.token);
    BOOST_TEST_MESSAGE("shared Redis store: " << total << " calls from " << clients << " clients, limit " << budget
                                              << " per " << window.count() << " s; per server window (200/429): ["
                                              << ws.distribution() << "]; 429s at the server " << ws.total_429
                                              << ", at callers " << shared.t.saw_429.load()
                                              << "; rate ratio (complete windows, wall time) " << ws.rate_ratio()
                                              << ", budget utilisation per window "
                                              << ws.utilisation(std::size_t(total)));
    BOOST_TEST_MESSAGE("in-process stores only: per server window (200/429): ["
                       << wl.distribution() << "]; 429s at the server " << wl.total_429 << ", at callers "
                       << local.t.saw_429.load() << ", ok " << local.t.ok.load());

    BOOST_TEST(shared.t.done.load() == total);
    BOOST_TEST(shared.t.ok.load() == total);
    BOOST_TEST(shared.t.saw_429.load() == 0);
    BOOST_TEST(shared.t.other.load() == 0);
    // 429s at the server (retried, never seen by callers) are reported, not asserted to be zero.
    // The bound dates from when the fake server re-anchored its window at the first request after
    // each reset (a snapshot then looked like a "later window" and replaced the store's remaining
    // budget, forgetting other processes' unanswered requests). Its windows are now aligned to a
    // fixed grid, so snapshots fall into the store's current window and `min()` applies; the bound
    // stays as a guard.
    BOOST_TEST(ws.total_429 <= std::size_t((clients - 1) * 8) * ws.starts.size());
    BOOST_TEST(ws.rate_ratio() >= 0.8);
    for (auto n : ws.served)
        BOOST_TEST(n <= budget);
    for (auto& m : shared.members) {
        BOOST_TEST(m.redis_store->stats().fallback_acquires == 0u);
        BOOST_TEST(m.redis_store->stats().redis_acquires >= 1u);
    }

    // Control: each in-process limiter believes it owns the whole budget.
    BOOST_TEST(local.t.done.load() == total);
    BOOST_TEST(wl.total_429 > 0u);
    BOOST_TEST(local.t.saw_429.load() == int(wl.total_429));
    BOOST_TEST(local.t.ok.load() + local.t.saw_429.load() == total);

    server.stop();
    guard.reset();
    server_thread.join();
}

BOOST_AUTO_TEST_SUITE_END()
