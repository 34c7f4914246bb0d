// Acceptance of the request pipeline (issue 5) with the real client (pipeline + HTTPS transport)
// against the fake Intercom server: recovery from a 5xx, a creating POST that is never resent after
// a 500, a creating POST retried after a 429, and a 2,000-request burst paced by the client-side
// limiter under the server's window budget.
#include <intercom/client.hpp>
#include <intercom/error.hpp>
#include <intercom/http/https_transport.hpp>
#include <intercom/testing/fake_server.hpp>

#include "run_coro.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <atomic>
#include <map>
#include <thread>

using namespace intercom;
using namespace std::chrono_literals;
namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
namespace tst = intercom::testing;

namespace {

constexpr operation_info retrieve_contact{"contacts.retrieve", "ShowContact", bhttp::verb::get,
                                          "/contacts/{contact_id}", retry_class::safe};
constexpr operation_info create_contact{"contacts.create", "CreateContact", bhttp::verb::post, "/contacts",
                                        retry_class::create};

// Small backoffs so retries cost milliseconds; a 429 still waits for X-RateLimit-Reset.
client_options fast_options(const tst::fake_server& server) {
    client_options o;
    o.token = "acceptance-token";
    o.base_url = server.base_url();
    o.attempt_timeout = 2s;
    o.timeout = 20s;
    o.pipeline.max_attempts = 3;
    pipeline::backoff_options bo;
    bo.initial = 10ms;
    bo.max = 50ms;
    bo.rate_limit_jitter = 50ms;
    bo.max_rate_limit_wait = 5s;
    o.pipeline.backoff_policy = std::make_shared<pipeline::default_backoff_policy>(bo);
    return o;
}

// A TLS fake server, and a transport that trusts only its CA.
struct tls_setup {
    asio::io_context ioc;
    tst::fake_server server;
    std::shared_ptr<http::https_transport> transport;

    explicit tls_setup(tst::rate_limit_options rl = {.requests_per_window = 100000, .window = 1s})
        : server(ioc.get_executor(), {.tls = true, .seed = {.contacts = 10}, .rate_limit = rl}) {
        server.start();
        http::transport_options t;
        t.tls.use_system_trust_store = false;
        t.tls.ca_pem = server.ca_pem();
        transport = std::make_shared<http::https_transport>(ioc.get_executor(), t);
    }
    ~tls_setup() {
        transport->close();
        server.stop();
        ioc.restart();
        ioc.run_for(20ms);
    }
};

asio::awaitable<result<api_response>> call(client c, api_request r) { co_return co_await c.execute(std::move(r)); }

asio::awaitable<result<api_response>> generic_post(client c, std::string path, boost::json::value body) {
    co_return co_await c.request(bhttp::verb::post, std::move(path), {}, std::move(body));
}

api_request get_contact(const std::string& id) {
    api_request r;
    r.operation = &retrieve_contact;
    r.path = "/contacts/" + id;
    return r;
}

api_request post_contact(const std::string& email) {
    api_request r;
    r.operation = &create_contact;
    r.method = bhttp::verb::post;
    r.path = "/contacts";
    r.body = R"({"role":"user","email":")" + email + R"("})";
    return r;
}

} // namespace

BOOST_AUTO_TEST_SUITE(pipeline_fake_server)

BOOST_AUTO_TEST_CASE(five_xx_then_success_recovers) {
    tls_setup s;
    client c(s.transport, fast_options(s.server));
    s.server.add_fault({.method = "GET", .path = "/contacts/{id}", .action = {.kind = tst::fault_kind::status,
                                                                            .status = 503}});
    auto r = test::run_coro(s.ioc, call(c, get_contact(s.server.seeded_contact_id(3))));
    BOOST_TEST_REQUIRE(bool(r));
    BOOST_TEST(r->status == 200u);
    BOOST_TEST(r->attempts == 2u);
    BOOST_TEST(r->json().value().as_object().at("id").as_string() == s.server.seeded_contact_id(3));
    BOOST_TEST(s.server.count("GET", "/contacts/{id}") == 2u);
    auto rec = s.server.requests();
    BOOST_TEST_REQUIRE(rec.size() == 2u);
    BOOST_TEST(rec[0].status == 503u);
    BOOST_TEST(rec[1].status == 200u);
}

BOOST_AUTO_TEST_CASE(creating_post_with_500_is_sent_exactly_once) {
    tls_setup s;
    client c(s.transport, fast_options(s.server));
    s.server.add_fault({.method = "POST", .path = "/contacts", .count = 0, // every POST fails
                        .action = {.kind = tst::fault_kind::status, .status = 500}});
    const auto before = s.server.object_count("contacts");

    auto r = test::run_coro(s.ioc, call(c, post_contact("once@example.com")));
    BOOST_TEST_REQUIRE(!r);
    BOOST_TEST(r.error().code == errc::internal_server_error);
    BOOST_TEST(r.error().diag.http_status == 500u);
    BOOST_TEST(r.error().diag.attempts == 1u);
    BOOST_TEST(r.error().diag.method == "POST");
    BOOST_TEST(r.error().diag.target == "/contacts");
    BOOST_TEST(r.error().diag.first_error_code() == "server_error");
    BOOST_TEST(!r.error().diag.request_id.empty());
    BOOST_TEST(r.error().diag.rate_limit.has_value());
    BOOST_TEST(s.server.count("POST", "/contacts") == 1u);

    // The generic path: POST is not replay-safe without an operation either.
    auto g = test::run_coro(s.ioc, generic_post(c, "/contacts",
                                                boost::json::object{{"role", "user"}, {"email", "g@example.com"}}));
    BOOST_TEST_REQUIRE(!g);
    BOOST_TEST(g.error().code == errc::internal_server_error);
    BOOST_TEST(g.error().diag.attempts == 1u);
    BOOST_TEST(s.server.count("POST", "/contacts") == 2u); // one per call
    BOOST_TEST(s.server.object_count("contacts") == before);
}

BOOST_AUTO_TEST_CASE(creating_post_with_429_is_retried_and_applied_once) {
    tls_setup s;
    client c(s.transport, fast_options(s.server));
    s.server.add_fault({.method = "POST", .path = "/contacts", .action = {.kind = tst::fault_kind::status,
                                                                         .status = 429}});
    const auto before = s.server.object_count("contacts");
    auto r = test::run_coro(s.ioc, call(c, post_contact("retried@example.com")));
    BOOST_TEST_REQUIRE(bool(r));
    BOOST_TEST(r->status == 200u);
    BOOST_TEST(r->attempts == 2u);
    BOOST_TEST(r->json().value().as_object().at("email").as_string() == "retried@example.com");
    BOOST_TEST(s.server.count("POST", "/contacts") == 2u);
    BOOST_TEST(s.server.object_count("contacts") == before + 1);
    auto rec = s.server.requests();
    BOOST_TEST_REQUIRE(rec.size() == 2u);
    BOOST_TEST(rec[0].status == 429u);
    BOOST_TEST(rec[1].status == 200u);
}

namespace {

// Sleeps until 100 ms before the next whole second of wall time. The fake server rounds the first
// window's reset up to whole seconds, so a burst starting at a random fraction of a second spends
// 0 to 1 s extra on its first window; starting just before a second boundary keeps that at ~0.1 s
// and the measured ratio close to the steady state W / (W + 1) instead of varying by run.
// The fake server's windows are aligned to the wall clock (window k = [k*W, (k+1)*W) since the epoch).
// Starting just after a boundary makes the first window a whole one, so every window is comparable.
void start_just_after_a_window_boundary(std::chrono::milliseconds w) {
    auto now = std::chrono::system_clock::now();
    auto into = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()) % w;
    std::this_thread::sleep_until(now - into + w + 20ms);
}

struct burst_tally {
    std::atomic<int> ok{0}, saw_429{0}, other{0}, done{0};
    std::atomic<unsigned> max_attempts{0};
};

asio::awaitable<void> burst_call(client c, std::string id, burst_tally* t) {
    auto r = co_await c.execute(get_contact(id));
    if (r) {
        ++t->ok;
        unsigned a = r->attempts, cur = t->max_attempts.load();
        while (a > cur && !t->max_attempts.compare_exchange_weak(cur, a)) {
        }
    } else if (r.error().code == errc::rate_limited) {
        ++t->saw_429;
    } else {
        ++t->other;
        BOOST_TEST_MESSAGE("burst call failed: " << r.error().code.message());
    }
    ++t->done;
}

} // namespace

// The fake server's windows are aligned to its clock and X-RateLimit-Reset is the exact second a
// window ends, so a client that waits for the reset (+ its 200 ms margin) can use nearly all of
// every window. B = 700 per W = 5 s window makes 2,000 requests span three windows (700, 700, 600),
// about 10 s.
BOOST_AUTO_TEST_CASE(burst_of_2000_is_paced_without_429s) {
    constexpr unsigned budget = 700;
    constexpr auto window = 5s;
    constexpr int total = 2000;
    constexpr std::size_t max_in_flight = 8;

    asio::io_context ioc;
    tst::fake_server server(ioc.get_executor(), {.seed = {.contacts = 50},
                                                 .rate_limit = {.requests_per_window = budget, .window = window}});
    server.start();
    auto transport = std::make_shared<http::https_transport>(ioc.get_executor());
    auto o = fast_options(server);
    o.timeout = 60s;
    // Fewer in flight than pooled connections (16), so the limiter is what bounds concurrency.
    o.pipeline.limiter_options.max_in_flight = max_in_flight;
    client c(transport, o);

    burst_tally t;
    start_just_after_a_window_boundary(window);
    for (int i = 0; i < total; ++i)
        asio::co_spawn(ioc, burst_call(c, server.seeded_contact_id(static_cast<std::size_t>(i % 50)), &t),
                       asio::detached);
    auto stop = std::chrono::steady_clock::now() + 60s;
    while (t.done.load() < total && std::chrono::steady_clock::now() < stop)
        ioc.run_one_for(20ms);

    BOOST_TEST(t.done.load() == total);
    BOOST_TEST(t.ok.load() == total);
    BOOST_TEST(t.saw_429.load() == 0); // zero 429s reach the caller
    BOOST_TEST(t.other.load() == 0);

    // Rebuild the server's windows from its record (aligned: window k = [k*W, (k+1)*W)).
    auto rec = server.requests();
    std::sort(rec.begin(), rec.end(), [](auto& a, auto& b) { return a.sequence < b.sequence; });
    struct win {
        std::chrono::system_clock::time_point start;
        std::size_t served = 0, rejected = 0;
    };
    std::vector<win> wins;
    std::size_t server_429 = 0;
    for (const auto& r : rec) {
        auto start = r.received - r.received.time_since_epoch() % window;
        if (wins.empty() || start != wins.back().start) wins.push_back({start});
        if (r.status == 429) {
            ++wins.back().rejected;
            ++server_429;
        } else if (r.status == 200) {
            ++wins.back().served;
        }
    }
    BOOST_TEST_REQUIRE(wins.size() >= 2u);
    std::string per_window;
    std::size_t complete = 0;
    for (std::size_t i = 0; i < wins.size(); ++i) {
        per_window += (i ? ", " : "") + std::to_string(wins[i].served);
        if (i + 1 < wins.size()) complete += wins[i].served;
        BOOST_TEST(wins[i].served <= budget);
    }
    // Rate over the complete cycles (first window start -> last window start) versus the limit.
    const double span = std::chrono::duration<double>(wins.back().start - wins.front().start).count();
    const double achieved = static_cast<double>(complete) / span;
    const double limit = budget / std::chrono::duration<double>(window).count();
    const double ratio = achieved / limit;
    const double utilisation = static_cast<double>(total) / static_cast<double>(wins.size() * budget);

    BOOST_TEST_MESSAGE("burst: " << total << " GETs, limit " << budget << " per " << window.count()
                                 << " s window, max_in_flight " << max_in_flight << "; server windows served ["
                                 << per_window << "], 429s at the server " << server_429
                                 << ", 429s reaching callers " << t.saw_429.load() << ", most attempts of a call "
                                 << t.max_attempts.load() << "; achieved " << achieved << " req/s over "
                                 << span << " s vs limit " << limit << " req/s: ratio " << ratio
                                 << "; budget utilisation per window " << utilisation
                                 << "; server max in flight " << server.max_in_flight());
    BOOST_TEST(ratio >= 0.8);
    BOOST_TEST(server.max_in_flight() <= max_in_flight);
    BOOST_TEST(server.max_in_flight() >= 2u); // the burst really was concurrent
    BOOST_TEST(server.count("GET", "/contacts/{id}") == std::size_t(total) + server_429);

    transport->close();
    server.stop();
    ioc.restart();
    ioc.run_for(20ms);
}

BOOST_AUTO_TEST_SUITE_END()
