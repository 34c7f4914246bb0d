// Issue 17 acceptance: two processes export all contacts through one Redis budget store. At the fake
// server (same token, one budget per clock-aligned window): no window holds more requests than the
// budget, no 429 is answered, and each process receives every contact exactly once. The second
// process is `export_worker` (a small helper binary), started twice with popen.
#include "redis_server.hpp"

#include <intercom/testing/fake_server.hpp>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cstdio>
#include <map>
#include <string>
#include <thread>

#ifndef INTERCOM_EXPORT_WORKER
#error "INTERCOM_EXPORT_WORKER must name the export_worker binary"
#endif

using namespace std::chrono_literals;
namespace asio = boost::asio;
namespace tst = intercom::testing;

namespace {

constexpr unsigned budget = 40;
constexpr auto window = 2s;
constexpr std::size_t contacts = 1500;

std::size_t field(const std::string& line, const std::string& key) {
    auto at = line.find(key + "=");
    return at == std::string::npos ? 0 : std::stoul(line.substr(at + key.size() + 1));
}

} // namespace

BOOST_AUTO_TEST_SUITE(redis_shared_export)

BOOST_AUTO_TEST_CASE(two_processes_export_within_one_redis_budget) {
    intercom::test::redis_server redis;

    asio::io_context server_ioc;
    tst::fake_server server(server_ioc.get_executor(),
                            {.seed = {.contacts = contacts},
                             .rate_limit = {.requests_per_window = budget, .window = window},
                             .latency = {.fixed = 20ms}});
    server.start();
    auto guard = asio::make_work_guard(server_ioc);
    std::thread server_thread([&] { server_ioc.run(); });

    const std::string cmd = std::string(INTERCOM_EXPORT_WORKER) + " " + server.base_url() + " " +
                            redis.url() + " shared-export " + std::to_string(budget) + " " +
                            std::to_string(std::chrono::milliseconds(window).count()) + " 4 2>&1";
    FILE* a = ::popen(cmd.c_str(), "r");
    FILE* b = ::popen(cmd.c_str(), "r");
    BOOST_TEST_REQUIRE((a && b));
    auto read_all = [](FILE* f) {
        std::string out;
        char buf[512];
        while (std::fgets(buf, sizeof buf, f))
            out += buf;
        return out;
    };
    const std::string out_a = read_all(a), out_b = read_all(b);
    const int rc_a = ::pclose(a), rc_b = ::pclose(b);
    BOOST_TEST_MESSAGE("worker a: " << out_a << "worker b: " << out_b);

    auto rec = server.requests();
    const auto throttled = server.throttled_count();
    guard.reset();
    server.stop();
    server_ioc.stop();
    server_thread.join();

    BOOST_TEST(rc_a == 0, out_a);
    BOOST_TEST(rc_b == 0, out_b);
    for (const auto* out : {&out_a, &out_b}) {
        BOOST_TEST(field(*out, "items") == contacts, *out); // each export exactly once
        BOOST_TEST(field(*out, "unique") == contacts, *out);
    }
    BOOST_TEST(throttled == 0u);
    // Per clock-aligned server window: never more than the budget.
    std::map<std::int64_t, std::size_t> per_window;
    std::size_t served = 0;
    for (const auto& r : rec) {
        auto w =
            std::chrono::duration_cast<std::chrono::milliseconds>(r.received.time_since_epoch()).count() /
            std::chrono::milliseconds(window).count();
        ++per_window[w];
        served += r.status == 200;
    }
    std::string dist;
    std::size_t most = 0;
    for (const auto& [w, n] : per_window) {
        most = std::max(most, n);
        dist += (dist.empty() ? "" : ", ") + std::to_string(n);
    }
    BOOST_TEST(most <= budget, "windows: " << dist);
    BOOST_TEST(served == field(out_a, "fetches") + field(out_b, "fetches"));
    // Together at the budget: the full windows (all but the first and last) are nearly spent.
    std::size_t full = 0, inner = 0;
    std::size_t i = 0;
    for (const auto& [w, n] : per_window) {
        if (i != 0 && i + 1 != per_window.size()) {
            full += n;
            ++inner;
        }
        ++i;
    }
    if (inner > 0) BOOST_TEST(double(full) / (inner * budget) >= 0.6, "windows: " << dist);
    BOOST_TEST_MESSAGE("requests per " << window.count() << " s window (budget " << budget << "): " << dist);
}

BOOST_AUTO_TEST_SUITE_END()
