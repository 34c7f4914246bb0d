// Acceptance of the shared budget (issue 9): four clients on four io_contexts (threads), each with
// its own rate_limiter, against one fake Intercom that enforces a per-window budget for all of
// them. With Redis stores on one key: no 429 at all and >= 80 % of the budget used. With
// in-process stores only: the server answers 429s. Killing and restarting Redis mid-run.
#include "redis_server.hpp"

#include <intercom/client.hpp>
#include <intercom/http/transport.hpp>
#include <intercom/redis/budget_store.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <thread>

using namespace intercom;
using namespace std::chrono_literals;
namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using std::chrono::system_clock;

namespace {

constexpr std::int64_t window_budget = 40;
constexpr std::int64_t window_seconds = 1; // short windows keep the test short
constexpr int clients = 4;

// The server side, shared by every client's transport: `window_budget` requests per window of
// `window_seconds` (aligned to Unix time), X-RateLimit-* on every answer, 429 beyond the budget.
struct fake_intercom {
    std::mutex mtx;
    std::size_t served = 0, rejected = 0;
    std::map<std::int64_t, std::int64_t> per_window; // window start (s) -> requests served

    http::response answer() {
        std::lock_guard lk(mtx);
        auto secs =
            std::chrono::duration_cast<std::chrono::seconds>(system_clock::now().time_since_epoch()).count();
        auto window = secs - secs % window_seconds;
        auto& used = per_window[window];
        http::response r;
        if (used < window_budget) {
            ++used;
            ++served;
            r.status = 200;
            r.body = "{}";
        } else {
            ++rejected;
            r.status = 429;
            r.body = R"({"type":"error.list","errors":[{"code":"rate_limit_exceeded","message":"limit"}]})";
        }
        r.headers.set("X-RateLimit-Limit", std::to_string(window_budget));
        r.headers.set("X-RateLimit-Remaining", std::to_string(window_budget - used));
        r.headers.set("X-RateLimit-Reset", std::to_string(window + window_seconds));
        return r;
    }

    std::string distribution() {
        std::lock_guard lk(mtx);
        std::string out;
        for (auto& [w, n] : per_window)
            out += (out.empty() ? "" : " ") + std::to_string(n);
        return out;
    }

    // Served / (windows from the first to the last one used x budget).
    double achieved() {
        std::lock_guard lk(mtx);
        if (per_window.empty()) return 0;
        auto windows = (per_window.rbegin()->first - per_window.begin()->first) / window_seconds + 1;
        return static_cast<double>(served) / static_cast<double>(windows * window_budget);
    }
};

// One client's view of the server: 5 ms of latency on the caller's executor.
class fake_transport final : public http::transport {
public:
    fake_transport(asio::any_io_executor ex, std::shared_ptr<fake_intercom> s)
        : ex_(std::move(ex)), srv_(std::move(s)) {}

    asio::awaitable<result<http::response>> send(http::origin, http::request, http::send_options) override {
        auto r = srv_->answer();
        asio::steady_timer t(co_await asio::this_coro::executor, 5ms);
        co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
        co_return r;
    }
    asio::any_io_executor get_executor() override { return ex_; }

private:
    asio::any_io_executor ex_;
    std::shared_ptr<fake_intercom> srv_;
};

struct tally {
    std::atomic<int> ok{0}, saw_429{0}, other{0}, done{0};
};

asio::awaitable<void> one_call(client c, tally* t) {
    auto r = co_await c.request(bhttp::verb::get, "/contacts");
    if (r)
        ++t->ok;
    else if (r.error().code == errc::rate_limited)
        ++t->saw_429;
    else
        ++t->other;
    ++t->done;
}

// Sends `n` calls, `parallel` at a time, one after another.
asio::awaitable<void> call_stream(client c, tally* t, int n) {
    for (int i = 0; i < n; ++i)
        co_await one_call(c, t);
}

struct member {
    asio::io_context ioc;
    std::shared_ptr<pipeline::budget_store> store;
    std::shared_ptr<redis::budget_store> redis_store; // = store when Redis-backed
};

struct fleet {
    std::shared_ptr<fake_intercom> server = std::make_shared<fake_intercom>();
    std::array<member, clients> members;
    tally t;
    std::vector<std::string> logs;
    std::mutex log_mtx;

    // `initial_limit`: the per-window budget the operator configured, if any.
    void use_redis(const test::redis_server& srv, const std::string& name,
                   std::optional<std::int64_t> initial_limit = std::nullopt) {
        for (auto& m : members) {
            redis::budget_store_options o;
            o.url = srv.url();
            o.name = name;
            o.key_prefix = "accept:";
            o.window = std::chrono::seconds(window_seconds);
            o.fallback_share = 1.0 / clients;
            o.initial_limit = initial_limit;
            o.reconnect_backoff = 50ms;
            o.reconnect_backoff_max = 200ms;
            o.log = [this](std::string_view l) {
                std::lock_guard lk(log_mtx);
                logs.emplace_back(l);
            };
            m.redis_store = std::make_shared<redis::budget_store>(m.ioc.get_executor(), o);
            m.store = m.redis_store;
        }
    }

    void use_local() {
        for (auto& m : members) {
            pipeline::local_budget_options o;
            o.window = std::chrono::seconds(window_seconds);
            m.store = std::make_shared<pipeline::local_budget_store>(o);
        }
    }

    // Starts just after a window boundary so the number of windows a burst spans is predictable.
    static void align_to_window() {
        auto now = system_clock::now();
        auto secs = std::chrono::floor<std::chrono::seconds>(now);
        auto next =
            secs + std::chrono::seconds(window_seconds - secs.time_since_epoch().count() % window_seconds);
        std::this_thread::sleep_until(next + 50ms);
    }

    // Each member sends `per_client` calls: `streams` sequential streams of calls (`streams` =
    // per_client: all at once). `during` runs on this thread while the calls run.
    void run(int per_client, int streams, unsigned max_attempts, const std::function<void()>& during = {}) {
        std::vector<std::thread> threads;
        align_to_window();
        for (auto& m : members) {
            client_options o;
            o.token = "t";
            o.base_url = "http://127.0.0.1:8080";
            o.timeout = 30s;
            o.pipeline.max_attempts = max_attempts;
            pipeline::rate_limiter_options ro;
            ro.max_in_flight = 8;
            ro.store = m.store;
            o.pipeline.rate_limiter = std::make_shared<pipeline::rate_limiter>(ro);
            client c(std::make_shared<fake_transport>(m.ioc.get_executor(), server), o);
            for (int s = 0; s < streams; ++s)
                asio::co_spawn(m.ioc, call_stream(c, &t, per_client / streams + (s < per_client % streams)),
                               asio::detached);
        }
        const int total = per_client * clients;
        for (auto& m : members) {
            threads.emplace_back([&m, this, total] {
                auto stop = std::chrono::steady_clock::now() + 25s;
                while (t.done.load() < total && std::chrono::steady_clock::now() < stop)
                    m.ioc.run_one_for(20ms);
            });
        }
        if (during) during();
        for (auto& th : threads)
            th.join();
    }

    // Closes the stores and lets their io_contexts finish.
    ~fleet() {
        for (auto& m : members) {
            m.store.reset();
            m.redis_store.reset();
            m.ioc.restart();
            m.ioc.run_for(500ms);
        }
    }
};

bool wait_until(const std::function<bool()>& cond, std::chrono::milliseconds limit) {
    auto end = std::chrono::steady_clock::now() + limit;
    while (!cond()) {
        if (std::chrono::steady_clock::now() > end) return false;
        std::this_thread::sleep_for(5ms);
    }
    return true;
}

} // namespace

BOOST_AUTO_TEST_SUITE(redis_shared_budget)

BOOST_AUTO_TEST_CASE(four_clients_share_one_window_budget_through_redis) {
    test::redis_server srv;
    fleet f;
    // The operator knows the budget (without it, the blind first requests of a cold start cost
    // part of the first window: see cold_start_without_a_configured_limit).
    f.use_redis(srv, "burst", window_budget);
    constexpr int per_client = 40; // 4 x 40 = 4 windows' budget
    f.run(per_client, per_client, 3);
    const std::size_t total = per_client * clients;
    BOOST_TEST(f.t.ok.load() == int(total));
    BOOST_TEST(f.t.saw_429.load() == 0);
    BOOST_TEST(f.t.other.load() == 0);
    BOOST_TEST(f.server->rejected == 0u); // not even hidden by retries
    BOOST_TEST(f.server->served == total);
    double achieved = f.server->achieved();
    BOOST_TEST_MESSAGE("shared Redis budget: "
                       << total << " calls from " << clients << " clients in " << f.server->per_window.size()
                       << " windows of " << window_budget << " (per window: " << f.server->distribution()
                       << "), achieved rate / budget = " << achieved);
    BOOST_TEST(achieved >= 0.8);
    for (auto& m : f.members) {
        BOOST_TEST(m.redis_store->stats().fallback_acquires == 0u);
        BOOST_TEST(m.redis_store->stats().redis_acquires >= 1u);
    }
    BOOST_TEST(f.logs.empty());
}

BOOST_AUTO_TEST_CASE(cold_start_without_a_configured_limit) {
    // Nothing known before the first answers: 4 x 8 requests go out blind. Still no 429.
    test::redis_server srv;
    fleet f;
    f.use_redis(srv, "cold");
    constexpr int per_client = 40;
    f.run(per_client, per_client, 3);
    BOOST_TEST(f.t.ok.load() == per_client * clients);
    BOOST_TEST(f.server->rejected == 0u);
    BOOST_TEST_MESSAGE("cold start: per window " << f.server->distribution()
                                                 << ", achieved rate / budget = " << f.server->achieved());
    BOOST_TEST(f.server->achieved() >= 0.75); // worst case: the first window holds only the blind 32
}

BOOST_AUTO_TEST_CASE(in_process_limiters_alone_overrun_the_shared_budget) {
    // Control: the same burst with one local store per client (no Redis).
    fleet f;
    f.use_local();
    constexpr int per_client = 40;
    f.run(per_client, per_client, 1);
    BOOST_TEST_MESSAGE("in-process stores only: " << f.server->rejected << " x 429 at the server, "
                                                  << f.t.saw_429.load() << " reached callers");
    BOOST_TEST(f.server->rejected > 0u);
    BOOST_TEST(f.t.saw_429.load() == int(f.server->rejected));
    BOOST_TEST(f.t.ok.load() + f.t.saw_429.load() == per_client * clients);
}

BOOST_AUTO_TEST_CASE(redis_killed_and_restarted_mid_run) {
    test::redis_server srv;
    fleet f;
    f.use_redis(srv, "outage");
    constexpr int per_client = 60; // 6 windows: time to fall back and come back
    auto all = [&f](redis::store_mode want) {
        for (auto& m : f.members)
            if (m.redis_store->mode() != want) return false;
        return true;
    };
    bool degraded = false, resumed = false, keys_back = false;
    int ok_at_kill = 0, ok_in_fallback = 0;
    std::string wkey = f.members[0].redis_store->window_key();
    f.run(per_client, 4, 3, [&] {
        if (!wait_until([&] { return f.t.ok.load() >= 30; }, 10s)) return;
        ok_at_kill = f.t.ok.load();
        srv.kill();
        degraded = wait_until([&] { return all(redis::store_mode::fallback); }, 3s);
        if (!wait_until([&] { return f.t.ok.load() >= ok_at_kill + 20; }, 6s)) return;
        ok_in_fallback = f.t.ok.load() - ok_at_kill;
        srv.start(); // same port, empty
        resumed = wait_until([&] { return all(redis::store_mode::shared); }, 3s);
        keys_back = wait_until([&] { return srv.command({"EXISTS", wkey}).value_or("") == "1"; }, 3s);
    });
    BOOST_TEST(degraded);
    BOOST_TEST(ok_in_fallback >= 20);
    BOOST_TEST(resumed);
    BOOST_TEST(keys_back);
    BOOST_TEST(f.t.ok.load() == per_client * clients); // no request failed
    BOOST_TEST(f.t.saw_429.load() == 0);
    BOOST_TEST(f.t.other.load() == 0);
    BOOST_TEST_MESSAGE("outage run: " << f.server->rejected
                                      << " x 429 at the server (retried), achieved rate / budget = "
                                      << f.server->achieved());
    for (auto& m : f.members) {
        auto st = m.redis_store->stats();
        BOOST_TEST(st.fallbacks == 1u);
        BOOST_TEST(st.reconnects == 1u);
        BOOST_TEST(st.fallback_acquires >= 1u);
    }
    // One line when falling back and one when resuming, per store.
    BOOST_TEST(f.logs.size() == 2u * clients);
}

BOOST_AUTO_TEST_SUITE_END()
