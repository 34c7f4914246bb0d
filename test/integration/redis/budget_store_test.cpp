// The Redis budget store against a real redis-server: the Lua accounting (through the store, with
// explicit times), key layout and expiry, script reload, bad options, and the fallback policy.
#include "redis_server.hpp"

#include <intercom/redis/budget_store.hpp>

#include <run_coro.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <ostream>
#include <thread>

using namespace intercom;
using namespace std::chrono_literals;
namespace asio = boost::asio;
using pipeline::budget_query;
using std::chrono::system_clock;

namespace intercom::redis {
std::ostream& operator<<(std::ostream& os, store_mode m) {
    return os << to_string(m);
}
} // namespace intercom::redis

namespace {

struct store_fixture {
    // Runs the io_context (background reconnects) for `d` of wall time.
    void pump(std::chrono::milliseconds d) {
        auto end = std::chrono::steady_clock::now() + d;
        ioc.restart();
        while (std::chrono::steady_clock::now() < end)
            ioc.run_one_for(10ms);
    }

    asio::io_context ioc;
    test::redis_server srv;
    // Windows in this suite are explicit: a whole second a little in the past, so the script's
    // relative expiries stay sensible.
    system_clock::time_point base =
        std::chrono::floor<std::chrono::seconds>(system_clock::now()) - std::chrono::seconds(1);
    std::vector<std::string> logs;

    system_clock::time_point at(std::chrono::milliseconds ms) const { return base + ms; }

    std::shared_ptr<redis::budget_store> make(std::string name = "app1", std::string prefix = "t:",
                                              std::optional<std::int64_t> initial_limit = std::nullopt) {
        redis::budget_store_options o;
        o.initial_limit = initial_limit;
        o.url = srv.url();
        o.name = std::move(name);
        o.key_prefix = std::move(prefix);
        o.log = [this](std::string_view l) { logs.emplace_back(l); };
        return std::make_shared<redis::budget_store>(ioc.get_executor(), o);
    }

    pipeline::budget_grant acquire(redis::budget_store& s, std::chrono::milliseconds t,
                                   std::size_t unanswered = 0) {
        return test::run_coro(ioc, s.try_acquire(budget_query{at(t), unanswered}));
    }

    void update(redis::budget_store& s, std::int64_t limit, std::int64_t remaining,
                std::chrono::milliseconds reset, std::chrono::milliseconds t, std::size_t unanswered = 0) {
        test::run_coro(
            ioc, s.update(rate_limit_snapshot{limit, remaining, at(reset)}, budget_query{at(t), unanswered}));
    }

    // Admissions until the first refusal (alternating over `stores`).
    int drain(std::vector<std::shared_ptr<redis::budget_store>> stores, std::chrono::milliseconds t,
              std::size_t unanswered = 0) {
        int n = 0;
        for (std::size_t i = 0; n < 1000; ++i) {
            if (!acquire(*stores[i % stores.size()], t, unanswered).admitted) break;
            ++n;
        }
        return n;
    }

    std::string hget(const std::string& key, const std::string& field) {
        return srv.command({"HGET", key, field}).value_or("(nil)");
    }
};

asio::awaitable<void> acquire_one(std::shared_ptr<redis::budget_store> s, system_clock::time_point t,
                                  std::atomic<int>* admitted, std::atomic<int>* done) {
    auto g = co_await s->try_acquire(budget_query{t, 0});
    if (g.admitted) ++*admitted;
    ++*done;
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(redis_budget_store, store_fixture)

BOOST_AUTO_TEST_CASE(concurrent_acquires_on_a_multithreaded_io_context) {
    auto a = make(), b = make();
    update(*a, 50, 49, 10s, 100ms);
    std::atomic<int> admitted{0}, done{0};
    constexpr int n = 200;
    for (int i = 0; i < n; ++i)
        asio::co_spawn(ioc, acquire_one(i % 2 ? a : b, at(1s), &admitted, &done), asio::detached);
    ioc.restart();
    std::vector<std::thread> threads;
    for (int i = 0; i < 3; ++i)
        threads.emplace_back([this, &done] {
            auto stop = std::chrono::steady_clock::now() + 10s;
            while (done.load() < n && std::chrono::steady_clock::now() < stop)
                ioc.run_one_for(10ms);
        });
    for (auto& t : threads)
        t.join();
    BOOST_TEST(done.load() == n);
    BOOST_TEST(admitted.load() == 49);
    BOOST_TEST(a->mode() == redis::store_mode::shared);
    BOOST_TEST(b->mode() == redis::store_mode::shared);
}

BOOST_AUTO_TEST_CASE(instances_on_one_key_share_exactly_one_window_budget) {
    auto a = make(), b = make(), c = make();
    // Nothing learned yet: admit (the in-process store's policy without initial_limit).
    BOOST_TEST(acquire(*a, 100ms).admitted);
    update(*a, 10, 9, 10s, 200ms); // that request's answer
    BOOST_TEST(a->mode() == redis::store_mode::shared);
    BOOST_TEST(drain({a, b, c}, 1s) == 9);
    auto g = acquire(*b, 2s);
    BOOST_TEST(!g.admitted);
    BOOST_TEST((g.retry_at == at(10s + 200ms)));
    BOOST_TEST(hget(a->window_key(), "rem") == "0");
    BOOST_TEST(hget(a->meta_key(), "limit") == "10");
    // Before reset + margin the window is still closed; then a whole new one, shared again.
    BOOST_TEST(!acquire(*c, 10s + 100ms).admitted);
    BOOST_TEST(drain({c, b}, 10s + 300ms) == 10);
    BOOST_TEST((b->snapshot()->reset == at(20s)));
    BOOST_TEST(a->stats().redis_acquires >= 1u);
    BOOST_TEST(a->stats().fallback_acquires == 0u);
    BOOST_TEST(logs.empty());
}

BOOST_AUTO_TEST_CASE(first_snapshot_subtracts_blind_admissions_of_every_instance) {
    auto a = make(), b = make();
    // No limit known yet: 3 + 3 requests go out blind from two processes.
    for (int i = 0; i < 3; ++i) {
        BOOST_TEST(acquire(*a, 100ms).admitted);
        BOOST_TEST(acquire(*b, 100ms).admitted);
    }
    BOOST_TEST(hget(a->window_key(), "pre") == "6");
    // a's first answer: 9 left at the server, a's 2 others unanswered; b's 3 are on the way too.
    update(*a, 10, 9, 10s, 200ms, 2);
    BOOST_TEST(a->snapshot()->remaining == 4); // min(9 - 2, 10 - 6)
    BOOST_TEST(drain({a, b}, 300ms) == 4);
    BOOST_TEST(hget(a->window_key(), "pre") == "(nil)");
}

BOOST_AUTO_TEST_CASE(update_lowers_replaces_or_ignores) {
    auto a = make(), b = make();
    update(*a, 10, 8, 10s, 1s);
    BOOST_TEST(a->snapshot()->remaining == 8);
    update(*b, 10, 9, 10s, 1s); // a stale answer of the same window: never raises
    BOOST_TEST(b->snapshot()->remaining == 8);
    update(*b, 10, 2, 10s - 300ms, 1s); // same window (within 500 ms), someone spent more
    BOOST_TEST(a->snapshot().has_value());
    BOOST_TEST(hget(a->window_key(), "rem") == "2");
    update(*a, 10, 5, 0s, 1s); // an earlier, ended window: ignored
    BOOST_TEST(hget(a->window_key(), "rem") == "2");
    BOOST_TEST(drain({a, b}, 2s) == 2);
    // A later window replaces; 3 requests of ours are still unanswered.
    update(*b, 10, 9, 20s, 10s + 300ms, 3);
    BOOST_TEST(b->snapshot()->remaining == 6);
    BOOST_TEST((b->snapshot()->reset == at(20s)));
    BOOST_TEST(
        hget(a->window_key(), "end") ==
        std::to_string(
            std::chrono::duration_cast<std::chrono::milliseconds>(at(20s).time_since_epoch()).count()));
    // Two resets 10 s apart: the window length stays 10 s; the learned budget is min(limit, max remaining +
    // 1).
    BOOST_TEST(hget(a->meta_key(), "len") == "10000");
    BOOST_TEST(hget(a->meta_key(), "cap") == "10");
}

BOOST_AUTO_TEST_CASE(rollover_counts_unanswered_and_learns_shorter_windows) {
    auto a = make();
    update(*a, 5, 0, 2s, 1s);
    update(*a, 5, 4, 4s, 2s + 300ms); // resets 2 s apart: 2 s windows
    BOOST_TEST(hget(a->meta_key(), "len") == "2000");
    BOOST_TEST(drain({a}, 3s) == 4);
    // Rolled by 2 s (not 10 s); 2 requests still on the way are counted in the new window.
    BOOST_TEST(drain({a}, 4s + 300ms, 2) == 3);
    BOOST_TEST((a->snapshot()->reset == at(6s)));
}

BOOST_AUTO_TEST_CASE(guessed_window_follows_the_server) {
    auto a = make("app1", "t:", 5), b = make("app2", "t:", 5);
    BOOST_TEST(acquire(*a, 100ms).admitted); // configured guess: 5 per window, ending at 10.1 s
    BOOST_TEST((a->snapshot()->reset == at(10s + 100ms)));
    update(*a, 5, 3, 10s + 400ms, 200ms); // same window, later end: the server's end wins
    BOOST_TEST((a->snapshot()->reset == at(10s + 400ms)));
    BOOST_TEST(a->snapshot()->remaining == 3);
    BOOST_TEST(acquire(*b, 100ms).admitted);
    update(*b, 5, 2, 3s, 200ms); // the server's window ends much earlier and still runs: follow it
    BOOST_TEST((b->snapshot()->reset == at(3s)));
    BOOST_TEST(drain({b}, 1s) == 2);
}

BOOST_AUTO_TEST_CASE(key_prefix_and_name_isolate_budgets) {
    auto a = make("app1", "t:"), other_prefix = make("app1", "u:"), other_name = make("app2", "t:");
    update(*a, 3, 3, 10s, 1s);
    update(*other_prefix, 5, 5, 10s, 1s);
    update(*other_name, 7, 7, 10s, 1s);
    BOOST_TEST(drain({a}, 2s) == 3);
    BOOST_TEST(drain({other_prefix}, 2s) == 5);
    BOOST_TEST(drain({other_name}, 2s) == 7);
    BOOST_TEST(a->window_key() == "t:{app1}:w");
    BOOST_TEST(other_prefix->meta_key() == "u:{app1}:m");
    BOOST_TEST(srv.command({"EXISTS", "t:{app1}:w", "u:{app1}:w", "t:{app2}:w"}).value_or("(none)") == "3");
    // The window key expires a little after the window's end (+ margin + 1 s grace); the meta
    // key keeps the learned limit for meta_ttl.
    auto pttl = std::stoll(srv.command({"PTTL", "t:{app1}:w"}).value_or("-9"));
    auto window_end_from_now =
        std::chrono::duration_cast<std::chrono::milliseconds>(at(10s) - system_clock::now()).count();
    BOOST_TEST(pttl > 0);
    BOOST_TEST(pttl <= window_end_from_now + 1200 + 1000); // relative to the queries' time, not ours
    auto meta_pttl = std::stoll(srv.command({"PTTL", "t:{app1}:m"}).value_or("-9"));
    BOOST_TEST(meta_pttl > 3'000'000);
}

BOOST_AUTO_TEST_CASE(script_is_reloaded_after_script_flush) {
    auto a = make();
    update(*a, 4, 4, 10s, 1s);
    BOOST_TEST(a->stats().script_loads == 1u);
    BOOST_TEST(srv.command({"SCRIPT", "FLUSH"}).value_or("(none)") == "OK");
    BOOST_TEST(drain({a}, 2s) == 4);
    BOOST_TEST(a->stats().script_loads == 2u);
    BOOST_TEST(a->mode() == redis::store_mode::shared);
}

BOOST_AUTO_TEST_CASE(bad_options_are_rejected) {
    redis::budget_store_options o;
    o.url = "http://127.0.0.1:6379";
    BOOST_CHECK_THROW(redis::budget_store(ioc.get_executor(), o), std::invalid_argument);
    o.url = "redis://127.0.0.1:6379/x";
    BOOST_CHECK_THROW(redis::budget_store(ioc.get_executor(), o), std::invalid_argument);
    o.url = srv.url();
    o.fallback_share = 0;
    BOOST_CHECK_THROW(redis::budget_store(ioc.get_executor(), o), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(unreachable_redis_falls_back_to_a_share_and_logs_once) {
    redis::budget_store_options o;
    srv.kill();
    o.url = "redis://:s3cret@127.0.0.1:" + std::to_string(srv.port()) + "/0"; // nothing listens there now
    o.initial_limit = 40;
    o.fallback_share = 0.25;
    o.reconnect_backoff = 20ms;
    o.log = [this](std::string_view l) { logs.emplace_back(l); };
    auto s = std::make_shared<redis::budget_store>(ioc.get_executor(), o);
    auto t0 = std::chrono::steady_clock::now();
    BOOST_TEST(drain({s}, 1s) == 10); // 25 % of 40
    BOOST_TEST((std::chrono::steady_clock::now() - t0 < 2s));
    BOOST_TEST(s->mode() == redis::store_mode::fallback);
    // A server snapshot is cut to the share as well: 25 % of 100 remaining.
    update(*s, 400, 100, 20s, 10s + 300ms);
    BOOST_TEST(s->snapshot()->remaining == 25);
    BOOST_TEST(s->snapshot()->limit == 100);
    // Reconnection attempts keep failing in the background: still one log line.
    pump(200ms);
    BOOST_TEST(logs.size() == 1u);
    BOOST_TEST(logs.at(0).find("s3cret") == std::string::npos); // never log the password
    BOOST_TEST(logs.at(0).find("10 per window") != std::string::npos);
    BOOST_TEST(s->stats().fallbacks == 1u);
    // Redis comes up: shared accounting resumes by itself.
    srv.start();
    BOOST_TEST(srv.command({"CONFIG", "SET", "requirepass", "s3cret"}).value_or("") ==
               "OK"); // exercises AUTH
    auto deadline = std::chrono::steady_clock::now() + 3s;
    while (s->mode() != redis::store_mode::shared && std::chrono::steady_clock::now() < deadline)
        pump(20ms);
    BOOST_TEST(s->mode() == redis::store_mode::shared);
    BOOST_TEST(s->stats().reconnects == 1u);
    BOOST_TEST(logs.size() == 2u);
}

BOOST_AUTO_TEST_CASE(slow_redis_falls_back_within_the_command_timeout) {
    auto a = make();
    update(*a, 100, 100, 10s, 1s);
    BOOST_TEST(a->mode() == redis::store_mode::shared);
    srv.pause();
    auto t0 = std::chrono::steady_clock::now();
    BOOST_TEST(acquire(*a, 2s).admitted); // from the fallback: 25 of the 100
    auto took = std::chrono::steady_clock::now() - t0;
    BOOST_TEST(a->mode() == redis::store_mode::fallback);
    BOOST_TEST((took < 1s)); // bounded by command_timeout (50 ms), with room for a loaded machine
    BOOST_TEST(drain({a}, 2s) == 24);
    srv.resume();
    auto deadline = std::chrono::steady_clock::now() + 5s;
    while (a->mode() != redis::store_mode::shared && std::chrono::steady_clock::now() < deadline)
        pump(20ms);
    BOOST_TEST(a->mode() == redis::store_mode::shared);
    BOOST_TEST(logs.size() == 2u);
}

BOOST_AUTO_TEST_SUITE_END()
