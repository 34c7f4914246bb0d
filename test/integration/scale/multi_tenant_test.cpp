// Multi-tenant use: one client per token, each with its own rate limiter, all sharing one
// io_context and one https_transport (one bounded pool per origin), against the fake server where
// every token is its own app with its own budget. Everything asserted is a count or a state, never
// a duration.
#include <intercom/client.hpp>
#include <intercom/error.hpp>
#include <intercom/http/https_transport.hpp>
#include <intercom/pipeline/rate_limiter.hpp>
#include <intercom/testing/fake_server.hpp>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

using namespace intercom;
using namespace std::chrono_literals;
namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
namespace tst = intercom::testing;

namespace {

struct tally {
    int ok = 0, rate_limited = 0, cancelled = 0, other = 0, done = 0;
};

asio::awaitable<void> get_contact(client c, std::string id, tally* t, bool* finished) {
    auto r = co_await c.request(bhttp::verb::get, "/contacts/" + id);
    if (r)
        ++t->ok;
    else if (r.error().code == errc::rate_limited)
        ++t->rate_limited;
    else if (r.error().code == errc::cancelled)
        ++t->cancelled;
    else
        ++t->other;
    ++t->done;
    if (finished) *finished = true;
}

// Runs the io_context until `cond` holds (or a generous safety cap, which fails the caller's checks).
void run_until(asio::io_context& ioc, const std::function<bool()>& cond, std::chrono::seconds cap = 20s) {
    auto stop = std::chrono::steady_clock::now() + cap;
    ioc.restart();
    while (!cond() && std::chrono::steady_clock::now() < stop)
        ioc.run_one_for(10ms);
}

// The server's windows are aligned to the clock: make sure the current one has `room` left.
void wait_for_room(std::chrono::milliseconds window, std::chrono::milliseconds room) {
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                  std::chrono::system_clock::now().time_since_epoch())
                  .count();
    auto left = window.count() - ms % window.count();
    if (left < room.count()) std::this_thread::sleep_for(std::chrono::milliseconds(left + 5));
}

struct tenant {
    std::string token;
    std::shared_ptr<pipeline::rate_limiter> limiter;
    client c;
    tally t;
};

client_options tenant_options(const tst::fake_server& server, const std::string& token,
                              const std::shared_ptr<pipeline::rate_limiter>& limiter,
                              std::chrono::milliseconds timeout = 30s) {
    client_options o;
    o.token = token;
    o.base_url = server.base_url();
    o.attempt_timeout = 5s;
    o.timeout = timeout; // a call waits for budget only if the window ends before its deadline
    o.pipeline.rate_limiter = limiter; // each tenant its own budget and in-flight cap
    return o;
}

std::size_t server_count_for(const tst::fake_server& s, const std::string& token, unsigned status = 0) {
    std::size_t n = 0;
    for (const auto& r : s.requests())
        if (r.header("Authorization") == "Bearer " + token && (status == 0 || r.status == status)) ++n;
    return n;
}

} // namespace

BOOST_AUTO_TEST_SUITE(multi_tenant)

// Tenant A has spent its budget (3 per window; the window lasts an hour, so it stays spent): its
// next 10 calls wait in A's own limiter. While they wait, A holds no pooled connection, and tenants
// B, C and D (same transport, a pool of only 2 connections) complete all their calls. A never
// causes a 429 at the server, and cancelling A's waiting calls ends them without a request.
BOOST_AUTO_TEST_CASE(throttled_tenant_holds_no_connection_and_stalls_nobody) {
    constexpr auto window = 3600s;
    wait_for_room(window, 60s);
    asio::io_context ioc;
    tst::fake_server server(ioc.get_executor(),
                            {.seed = {.contacts = 20}, .rate_limit = {.requests_per_window = 3, .window = window}});
    server.start();
    http::transport_options to;
    to.pool.max_connections = 2;
    auto transport = std::make_shared<http::https_transport>(ioc.get_executor(), to);
    const auto origin = http::origin::parse(server.base_url()).value();

    std::map<std::string, std::unique_ptr<tenant>> tenants;
    for (std::string name : {"tenant-a", "tenant-b", "tenant-c", "tenant-d"}) {
        auto lim = std::make_shared<pipeline::rate_limiter>();
        // A's calls may wait for the next window (an hour away) instead of failing at once.
        auto timeout = name == "tenant-a" ? std::chrono::milliseconds(2h) : std::chrono::milliseconds(30s);
        tenants[name] = std::unique_ptr<tenant>(
            new tenant{name, lim, client(transport, tenant_options(server, name, lim, timeout)), {}});
    }
    auto& a = *tenants["tenant-a"];

    // A learns its budget from one answer (limit 3, remaining 2).
    asio::co_spawn(ioc, get_contact(a.c, server.seeded_contact_id(0), &a.t, nullptr), asio::detached);
    run_until(ioc, [&] { return a.t.done == 1; });
    BOOST_TEST_REQUIRE(a.t.ok == 1);

    // 10 more: 2 fit the budget, 8 wait for the next window inside A's limiter.
    constexpr int burst = 10;
    std::vector<asio::cancellation_signal> signals(burst);
    bool finished[burst] = {};
    for (int i = 0; i < burst; ++i)
        asio::co_spawn(ioc, get_contact(a.c, server.seeded_contact_id(std::size_t(i + 1)), &a.t, &finished[i]),
                       asio::bind_cancellation_slot(signals[std::size_t(i)].slot(), asio::detached));
    run_until(ioc, [&] { return a.t.done == 3 && a.limiter->in_flight() == std::size_t(burst - 2); });
    BOOST_TEST_REQUIRE(a.t.ok == 3);
    BOOST_TEST(a.limiter->in_flight() == std::size_t(burst - 2)); // admitted to a slot, waiting for budget
    BOOST_TEST(a.limiter->waiting() == 0u);
    // The waiters hold no connection: nothing is leased or queued at the pool.
    auto ps = transport->stats(origin);
    BOOST_TEST(ps.in_use == 0u);
    BOOST_TEST(ps.waiters == 0u);

    // The other tenants run to completion through the same 2-connection pool meanwhile.
    for (std::string name : {"tenant-b", "tenant-c", "tenant-d"}) {
        auto& t = *tenants[name];
        for (int i = 0; i < 3; ++i)
            asio::co_spawn(ioc, get_contact(t.c, server.seeded_contact_id(std::size_t(i)), &t.t, nullptr),
                           asio::detached);
    }
    auto others_done = [&] {
        return tenants["tenant-b"]->t.done == 3 && tenants["tenant-c"]->t.done == 3 &&
               tenants["tenant-d"]->t.done == 3;
    };
    run_until(ioc, others_done);
    for (std::string name : {"tenant-b", "tenant-c", "tenant-d"}) {
        const auto& t = tenants[name]->t;
        BOOST_TEST(t.ok == 3, name);
        BOOST_TEST(t.rate_limited + t.other + t.cancelled == 0, name);
        BOOST_TEST(server_count_for(server, name, 200) == 3u, name);
    }
    // A is still waiting, untouched: no further request of A reached the server, and no 429 at all.
    BOOST_TEST(a.t.done == 3);
    BOOST_TEST(a.limiter->in_flight() == std::size_t(burst - 2));
    BOOST_TEST(server_count_for(server, "tenant-a") == 3u);
    BOOST_TEST(server.throttled_count() == 0u);
    ps = transport->stats(origin);
    BOOST_TEST(ps.created <= 2u); // one pool for everybody, bounded
    BOOST_TEST(ps.in_use == 0u);

    // Cancel A's waiters: they end with `cancelled`, send nothing and free their limiter slots.
    for (int i = 0; i < burst; ++i)
        if (!finished[i]) signals[std::size_t(i)].emit(asio::cancellation_type::terminal);
    run_until(ioc, [&] { return a.t.done == burst + 1; });
    BOOST_TEST(a.t.cancelled == burst - 2);
    BOOST_TEST(a.t.rate_limited == 0);
    BOOST_TEST(a.limiter->in_flight() == 0u);
    BOOST_TEST(server_count_for(server, "tenant-a") == 3u);

    transport->close();
    server.stop();
    ioc.restart();
    ioc.run_for(20ms);
}

// 60 tenants, 5 calls each, on one io_context and one pool of 4 connections: the pool never opens
// more than 4 connections, every call succeeds and each token's requests reach the server exactly
// once each (by id).
BOOST_AUTO_TEST_CASE(many_tenants_share_one_bounded_pool) {
    constexpr int tenants_n = 60, calls = 5;
    asio::io_context ioc;
    tst::fake_server server(ioc.get_executor(), {.seed = {.contacts = calls}});
    server.start();
    http::transport_options to;
    to.pool.max_connections = 4;
    auto transport = std::make_shared<http::https_transport>(ioc.get_executor(), to);
    std::vector<std::unique_ptr<tenant>> ts;
    for (int i = 0; i < tenants_n; ++i) {
        auto name = "many-" + std::to_string(i);
        auto lim = std::make_shared<pipeline::rate_limiter>();
        ts.push_back(std::unique_ptr<tenant>(new tenant{name, lim, client(transport, tenant_options(server, name, lim)), {}}));
    }
    for (int k = 0; k < calls; ++k)
        for (auto& t : ts)
            asio::co_spawn(ioc, get_contact(t->c, server.seeded_contact_id(std::size_t(k)), &t->t, nullptr),
                           asio::detached);
    run_until(ioc, [&] {
        for (auto& t : ts)
            if (t->t.done < calls) return false;
        return true;
    });
    std::map<std::string, std::map<std::string, int>> seen; // token -> path -> count
    for (const auto& r : server.requests()) ++seen[r.header("Authorization")][r.path];
    for (auto& t : ts) {
        BOOST_TEST(t->t.ok == calls, t->token);
        const auto& paths = seen["Bearer " + t->token];
        BOOST_TEST(paths.size() == std::size_t(calls), t->token);
        for (const auto& [path, n] : paths)
            BOOST_TEST(n == 1, t->token << " " << path);
    }
    auto ps = transport->stats(http::origin::parse(server.base_url()).value());
    BOOST_TEST(ps.created <= 4u);
    BOOST_TEST(server.request_count() == std::uint64_t(tenants_n * calls));
    BOOST_TEST_MESSAGE("many tenants: pool created " << ps.created << ", reused " << ps.reused
                                                     << ", server peak in flight " << server.max_in_flight());
    transport->close();
    server.stop();
    ioc.restart();
    ioc.run_for(20ms);
}

BOOST_AUTO_TEST_SUITE_END()
