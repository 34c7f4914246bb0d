// The rate limiter: budget bookkeeping, pacing against a budget-enforcing fake, in-flight cap.
#include "fake_transport.hpp"

#include <intercom/client.hpp>
#include <intercom/pipeline/rate_limiter.hpp>
#include <intercom/pipeline/virtual_time.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/channel.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <thread>

using namespace intercom;
using namespace intercom::pipeline;
using namespace std::chrono_literals;
namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using std::chrono::system_clock;

namespace {

system_clock::time_point at(std::int64_t secs, std::chrono::milliseconds ms = 0ms) {
    return system_clock::time_point{std::chrono::seconds{secs}} + ms;
}

rate_limit_snapshot snap(std::int64_t limit, std::int64_t remaining, std::int64_t reset) {
    return {limit, remaining, at(reset)};
}

} // namespace

BOOST_AUTO_TEST_SUITE(pipeline_budget_store)

BOOST_AUTO_TEST_CASE(unknown_budget_admits_until_headers_arrive) {
    local_budget_store s;
    for (int i = 0; i < 1000; ++i) BOOST_TEST(s.acquire_now({at(100)}).admitted);
    BOOST_TEST(!s.snapshot().has_value());
}

BOOST_AUTO_TEST_CASE(learns_window_and_waits_for_reset) {
    local_budget_store s;  // reset margin 200 ms
    s.update_now(snap(10, 9, 110), {at(101)});
    for (int i = 0; i < 9; ++i) BOOST_TEST(s.acquire_now({at(102)}).admitted);
    auto g = s.acquire_now({at(103)});
    BOOST_TEST(!g.admitted);
    BOOST_TEST((g.retry_at == at(110, 200ms)));
    // Before reset + margin: still closed. After: a full window.
    BOOST_TEST(!s.acquire_now({at(110, 100ms)}).admitted);
    for (int i = 0; i < 10; ++i) BOOST_TEST(s.acquire_now({at(110, 300ms)}).admitted);
    BOOST_TEST(!s.acquire_now({at(111)}).admitted);
    BOOST_TEST((s.snapshot()->reset == at(120)));
}

BOOST_AUTO_TEST_CASE(same_window_snapshot_only_lowers_remaining) {
    local_budget_store s;
    s.update_now(snap(10, 8, 110), {at(101)});
    s.update_now(snap(10, 9, 110), {at(101)});  // stale, out-of-order answer: ignored
    BOOST_TEST(s.snapshot()->remaining == 8);
    s.update_now(snap(10, 2, 110), {at(101)});  // someone else spends our budget
    BOOST_TEST(s.snapshot()->remaining == 2);
    s.update_now(snap(10, 5, 100), {at(101)});  // an earlier window: ignored
    BOOST_TEST(s.snapshot()->remaining == 2);
}

BOOST_AUTO_TEST_CASE(new_window_counts_unanswered_requests) {
    local_budget_store s;
    s.update_now(snap(10, 0, 110), {at(105)});
    // 4 requests of ours are still on the way: the server may count them in the new window.
    s.update_now(snap(10, 9, 120), {at(110, 300ms), 4});
    BOOST_TEST(s.snapshot()->remaining == 5);
    // A local roll-over also keeps them counted.
    for (int i = 0; i < 5; ++i) BOOST_TEST(s.acquire_now({at(111)}).admitted);
    BOOST_TEST(!s.acquire_now({at(112)}).admitted);
    BOOST_TEST(s.acquire_now({at(120, 500ms), 3}).admitted);
    BOOST_TEST(s.snapshot()->remaining == 6);
}

BOOST_AUTO_TEST_CASE(learns_shorter_window_from_consecutive_resets) {
    local_budget_store s;
    s.update_now(snap(5, 0, 102), {at(101)});
    s.update_now(snap(5, 4, 104), {at(102, 300ms)});  // windows are 2 s long
    for (int i = 0; i < 4; ++i) BOOST_TEST(s.acquire_now({at(103)}).admitted);
    auto g = s.acquire_now({at(103)});
    BOOST_TEST(!g.admitted);
    BOOST_TEST((g.retry_at == at(104, 200ms)));
    BOOST_TEST(s.acquire_now({at(104, 300ms)}).admitted);
    BOOST_TEST((s.snapshot()->reset == at(106)));  // rolled by 2 s, not 10 s
}

BOOST_AUTO_TEST_CASE(follows_server_when_rolled_over_too_early) {
    local_budget_options o;
    o.initial_limit = 3;
    local_budget_store s(o);  // guessed window: ends at 110
    BOOST_TEST(s.acquire_now({at(100)}).admitted);
    s.update_now(snap(3, 0, 105), {at(100, 100ms)});  // server: current window ends at 105
    BOOST_TEST((s.snapshot()->reset == at(105)));
    BOOST_TEST(!s.acquire_now({at(101)}).admitted);
}

BOOST_AUTO_TEST_CASE(per_minute_limit_header_is_capped_by_observed_window_budget) {
    local_budget_store s;
    s.update_now(snap(600, 99, 110), {at(101)});  // header says 600/min, windows hold 100
    for (int i = 0; i < 99; ++i) BOOST_TEST(s.acquire_now({at(102)}).admitted);
    BOOST_TEST(!s.acquire_now({at(102)}).admitted);
    int admitted = 0;
    while (s.acquire_now({at(111)}).admitted && admitted < 1000) ++admitted;
    BOOST_TEST(admitted == 100);
}

BOOST_AUTO_TEST_CASE(window_budget_estimate_recovers_after_a_late_first_look) {
    local_budget_store s;
    s.update_now(snap(10, 3, 110), {at(105)});  // first seen late in a window: capacity >= 4 only
    int admitted = 0;
    while (s.acquire_now({at(110, 300ms)}).admitted && admitted < 100) ++admitted;
    BOOST_TEST(admitted == 4);
    s.update_now(snap(10, 9, 120), {at(110, 400ms)});  // the new window's first answer: 10 per window
    admitted = 0;
    while (s.acquire_now({at(120, 300ms)}).admitted && admitted < 100) ++admitted;
    BOOST_TEST(admitted == 10);
}

BOOST_AUTO_TEST_CASE(configured_initial_limit) {
    local_budget_options o;
    o.initial_limit = 2;
    local_budget_store s(o);
    BOOST_TEST(s.acquire_now({at(100)}).admitted);
    BOOST_TEST(s.acquire_now({at(100)}).admitted);
    BOOST_TEST(!s.acquire_now({at(100)}).admitted);
}

BOOST_AUTO_TEST_SUITE_END()

namespace {

struct burst_fixture {
    asio::io_context ioc;
    std::shared_ptr<virtual_time> vt = std::make_shared<virtual_time>();
    std::size_t done = 0, ok = 0, saw_429 = 0, other_errors = 0, total = 0;
    std::unique_ptr<asio::experimental::channel<void(boost::system::error_code)>> finished;

    asio::awaitable<void> one(client c) {
        api_request r;
        r.method = bhttp::verb::get;
        r.path = "/contacts";
        auto res = co_await c.execute(std::move(r));
        if (res) ++ok;
        else if (res.error().code == errc::rate_limited) ++saw_429;
        else ++other_errors;
        if (++done == total) finished->try_send(boost::system::error_code{});
    }

    // Starts `n` calls spread over `clients` and waits until all are done.
    asio::awaitable<void> burst(std::vector<client> clients, std::size_t n) {
        total = n;
        finished = std::make_unique<asio::experimental::channel<void(boost::system::error_code)>>(ioc, 1);
        for (std::size_t i = 0; i < n; ++i) asio::co_spawn(ioc, one(clients[i % clients.size()]), asio::detached);
        co_await finished->async_receive(asio::use_awaitable);
    }

    client_options options() {
        client_options o;
        o.token = "t";
        o.base_url = "http://127.0.0.1:8080";
        o.timeout = 10min;
        o.pipeline.clock = vt;
        o.pipeline.sleeper = vt;
        o.pipeline.random = [] { return 0.5; };
        return o;
    }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(pipeline_rate_limiter, burst_fixture)

BOOST_AUTO_TEST_CASE(burst_larger_than_window_budget_is_paced_without_429) {
    constexpr std::int64_t limit = 25;
    constexpr std::size_t n = 200;  // 8 windows' worth
    auto server = std::make_shared<intercom::test::budget_transport>(ioc.get_executor(), vt, vt, limit, 80ms);
    auto o = options();
    rate_limiter_options ro;
    ro.max_in_flight = 6;
    ro.clock = vt;
    ro.sleeper = vt;
    o.pipeline.rate_limiter = std::make_shared<rate_limiter>(ro);
    vt->run(ioc, burst({client(server, o)}, n));
    BOOST_TEST(ok == n);
    BOOST_TEST(saw_429 == 0u);
    BOOST_TEST(other_errors == 0u);
    BOOST_TEST(server->rejected == 0u);  // not even hidden by retries
    BOOST_TEST(server->served == n);
    BOOST_TEST(server->max_in_flight <= 6u);
    BOOST_TEST(server->max_in_flight == 6u);  // the cap was reached, so the check above means something
    // Pacing fills windows: 200 / 25 = 8 windows at least, and not many more.
    BOOST_TEST(server->per_window.size() >= 8u);
    BOOST_TEST(server->per_window.size() <= 9u);
    double achieved = static_cast<double>(n) / static_cast<double>(server->per_window.size() * limit);
    BOOST_TEST_MESSAGE("achieved rate / limit = " << achieved);
    BOOST_TEST(achieved >= 0.8);
}

BOOST_AUTO_TEST_CASE(burst_of_2000_with_short_server_windows) {
    // A test server with 2 s windows of 50 requests: the store learns the window length.
    constexpr std::int64_t limit = 50;
    constexpr std::size_t n = 2000;
    auto server = std::make_shared<intercom::test::budget_transport>(ioc.get_executor(), vt, vt, limit, 30ms, 2);
    auto o = options();
    o.pipeline.limiter_options.max_in_flight = 16;
    client c(server, o);
    vt->run(ioc, burst({c}, n));
    BOOST_TEST(ok == n);
    BOOST_TEST(saw_429 == 0u);
    BOOST_TEST(server->rejected == 0u);
    BOOST_TEST(server->max_in_flight == 16u);
    auto first = server->per_window.begin()->first, last = server->per_window.rbegin()->first;
    auto windows = static_cast<double>((last - first) / 2 + 1);
    double achieved = static_cast<double>(n) / (windows * limit);
    BOOST_TEST_MESSAGE("2000-request burst: " << windows << " windows, achieved rate / limit = " << achieved);
    BOOST_TEST(achieved >= 0.8);
}

BOOST_AUTO_TEST_CASE(shared_limiter_caps_in_flight_across_clients) {
    auto server = std::make_shared<intercom::test::budget_transport>(ioc.get_executor(), vt, vt, 1000, 50ms);
    rate_limiter_options ro;
    ro.max_in_flight = 3;
    ro.clock = vt;
    ro.sleeper = vt;
    auto shared = std::make_shared<rate_limiter>(ro);
    auto o = options();
    o.pipeline.rate_limiter = shared;
    client a(server, o), b(server, o);
    vt->run(ioc, burst({a, b}, 60));
    BOOST_TEST(ok == 60u);
    BOOST_TEST(server->max_in_flight == 3u);
    BOOST_TEST(shared->in_flight() == 0u);
    BOOST_TEST(shared->waiting() == 0u);
    // 60 requests, 3 at a time, 50 ms each: exactly 20 rounds.
    BOOST_TEST(vt->elapsed().count() == std::chrono::nanoseconds(1s).count());
}

BOOST_AUTO_TEST_CASE(without_limiter_the_fake_server_does_reject) {
    // Control experiment: the same burst with rate limiting off hits 429s (and retries them).
    auto server = std::make_shared<intercom::test::budget_transport>(ioc.get_executor(), vt, vt, 25, 80ms);
    auto o = options();
    o.pipeline.rate_limiting = false;
    o.pipeline.max_attempts = 1;
    vt->run(ioc, burst({client(server, o)}, 100));
    BOOST_TEST(server->rejected > 0u);
    BOOST_TEST(saw_429 == server->rejected);
}

BOOST_AUTO_TEST_CASE(queued_request_gives_up_at_its_deadline) {
    auto server = std::make_shared<intercom::test::budget_transport>(ioc.get_executor(), vt, vt, 1000, 10s);
    rate_limiter_options ro;
    ro.max_in_flight = 1;
    ro.clock = vt;
    ro.sleeper = vt;
    auto o = options();
    o.timeout = 15s;
    o.attempt_timeout = 20s;
    o.pipeline.rate_limiter = std::make_shared<rate_limiter>(ro);
    std::vector<client> cs{client(server, o)};
    vt->run(ioc, burst(cs, 3));
    // First: served at 10 s. Second: waits 10 s for the slot, then has 5 s left: deadline.
    // Third: waits for the slot until its deadline at 15 s.
    BOOST_TEST(ok == 1u);
    BOOST_TEST(other_errors == 2u);
    BOOST_TEST(o.pipeline.rate_limiter->in_flight() == 0u);
    BOOST_TEST(o.pipeline.rate_limiter->waiting() == 0u);
}

BOOST_AUTO_TEST_SUITE_END()

namespace {

// Thread-safe fake for a multi-threaded io_context: real 1 ms latency, records concurrency.
class threaded_transport final : public http::transport {
public:
    explicit threaded_transport(asio::any_io_executor ex) : ex_(std::move(ex)) {}
    std::atomic<int> in_flight{0}, max_seen{0}, served{0};

    asio::awaitable<result<http::response>> send(http::origin, http::request, http::send_options) override {
        int now = ++in_flight;
        int prev = max_seen.load();
        while (prev < now && !max_seen.compare_exchange_weak(prev, now)) {
        }
        asio::steady_timer t(co_await asio::this_coro::executor, 1ms);
        co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
        --in_flight;
        ++served;
        http::response r;
        r.status = 200;
        co_return r;
    }
    asio::any_io_executor get_executor() override { return ex_; }

private:
    asio::any_io_executor ex_;
};

std::atomic<int> mt_ok{0};

asio::awaitable<void> mt_call(client c) {
    auto r = co_await c.request(bhttp::verb::get, "/me");
    if (r) ++mt_ok;
}

} // namespace

BOOST_AUTO_TEST_CASE(max_in_flight_holds_on_a_multithreaded_io_context) {
    asio::io_context ioc(2);
    auto t = std::make_shared<threaded_transport>(ioc.get_executor());
    client_options o;
    o.token = "t";
    o.base_url = "http://127.0.0.1:8080";
    o.pipeline.limiter_options.max_in_flight = 4;
    client c(t, o);
    mt_ok = 0;
    for (int i = 0; i < 200; ++i) asio::co_spawn(ioc, mt_call(c), asio::detached);
    std::thread other([&ioc] { ioc.run(); });
    ioc.run();
    other.join();
    BOOST_TEST(mt_ok.load() == 200);
    BOOST_TEST(t->served.load() == 200);
    BOOST_TEST(t->max_seen.load() <= 4);
    BOOST_TEST(t->max_seen.load() >= 2);
    BOOST_TEST(c.options().pipeline.rate_limiter->in_flight() == 0u);
}
