// intercom::prometheus with the real client (pipeline + transport) against the fake server: every
// exported series is read back from the text exposition (prometheus::TextSerializer) and compared
// exactly with what the test caused, and with counts taken by an independent hook.
#include <intercom/client.hpp>
#include <intercom/http/https_transport.hpp>
#include <intercom/prometheus/client_metrics.hpp>
#include <intercom/prometheus/pool_collector.hpp>
#include <intercom/testing/fake_server.hpp>

#include "run_coro.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/test/unit_test.hpp>

#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <cmath>
#include <map>
#include <memory>
#include <regex>
#include <sstream>
#include <string>

using namespace intercom;
using namespace std::chrono_literals;
namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
namespace tst = intercom::testing;
namespace pm = ::prometheus;

namespace {

constexpr operation_info retrieve_contact{"contacts.retrieve", "ShowContact", bhttp::verb::get,
                                          "/contacts/{contact_id}", retry_class::safe};

// What an independent hook saw (chained before the metrics hook by client_metrics::attach).
struct tally {
    unsigned attempts = 0, retries = 0, limiter_waits = 0, succeeded = 0, failed = 0;
    double latency_seconds = 0, wait_seconds = 0;
};

client_options options_for(const tst::fake_server& server, std::shared_ptr<tally> t) {
    client_options o;
    o.token = "metrics-token";
    o.base_url = server.base_url();
    o.attempt_timeout = 5s;
    o.timeout = 20s;
    pipeline::backoff_options bo;
    bo.initial = 5ms;
    bo.max = 20ms;
    bo.rate_limit_jitter = 5ms;
    bo.max_rate_limit_wait = 5s;
    o.pipeline.backoff_policy = std::make_shared<pipeline::default_backoff_policy>(bo);
    o.pipeline.on_event = [t](const pipeline::event& e) {
        switch (e.kind) {
        case pipeline::event_kind::attempt_finished:
            ++t->attempts;
            t->latency_seconds += std::chrono::duration<double>(e.latency).count();
            break;
        case pipeline::event_kind::retry_scheduled:
            ++t->retries;
            break;
        case pipeline::event_kind::limiter_wait:
            ++t->limiter_waits;
            t->wait_seconds += std::chrono::duration<double>(e.delay).count();
            break;
        case pipeline::event_kind::succeeded:
            ++t->succeeded;
            break;
        case pipeline::event_kind::gave_up:
            ++t->failed;
            break;
        }
    };
    return o;
}

tst::fault_rule status_fault(std::string path, unsigned nth, unsigned status) {
    tst::fault_rule r;
    r.method = "GET";
    r.path = std::move(path);
    r.nth = nth;
    r.action.kind = tst::fault_kind::status;
    r.action.status = status;
    return r;
}

asio::awaitable<result<api_response>> get_contact(client c, std::string id) {
    api_request r;
    r.operation = &retrieve_contact;
    r.path = "/contacts/" + id;
    co_return co_await c.execute(std::move(r));
}

asio::awaitable<result<api_response>> get_me(client c) {
    co_return co_await c.request(bhttp::verb::get, "/me");
}

// The text exposition as `series -> value`, where series is the line up to the value
// (`name{label="v",...}`).
std::map<std::string, double> scrape(const std::vector<pm::MetricFamily>& families) {
    std::ostringstream text;
    pm::TextSerializer().Serialize(text, families);
    BOOST_TEST_MESSAGE(text.str());
    std::map<std::string, double> out;
    std::istringstream in(text.str());
    for (std::string line; std::getline(in, line);) {
        if (line.empty() || line[0] == '#') continue;
        auto sp = line.rfind(' ');
        out[line.substr(0, sp)] = std::stod(line.substr(sp + 1));
    }
    return out;
}

double value(const std::map<std::string, double>& m, const std::string& series) {
    auto it = m.find(series);
    BOOST_TEST_REQUIRE((it != m.end()), "missing series " << series);
    return it->second;
}

} // namespace

BOOST_AUTO_TEST_SUITE(prometheus_metrics)

BOOST_AUTO_TEST_CASE(series_after_real_calls) {
    asio::io_context ioc;
    // A budget of 6 requests per second: the client-side limiter learns it from the headers and
    // has to wait at least once for the 14 attempts below.
    tst::fake_server server(ioc.get_executor(),
                            {.seed = {.contacts = 10},
                             .rate_limit = {.enabled = true, .requests_per_window = 6, .window = 1000ms}});
    server.start();
    // Third retrieve: 503 (retried); sixth: 429 (absorbed by a retry); eighth: 404 (fails, no retry).
    server.add_fault(status_fault("/contacts/{id}", 3, 503));
    server.add_fault(status_fault("/contacts/{id}", 6, 429));
    server.add_fault(status_fault("/contacts/{id}", 8, 404));

    pm::Registry registry;
    auto metrics =
        intercom::prometheus::client_metrics::create(registry, {.labels = {{"workspace", "test"}}});
    auto t = std::make_shared<tally>();
    auto opts = options_for(server, t);
    metrics->attach(opts);
    client c(ioc.get_executor(), opts);
    auto pool = intercom::prometheus::make_pool_collector(c, {.labels = {{"workspace", "test"}}});
    BOOST_TEST_REQUIRE(pool != nullptr);

    // 10 retrieves one after the other, then 2 GET /me. Server-side requests to /contacts/{id}:
    // #3 (3rd call) 503 -> retried as #4; #6 (5th call) 429 -> retried as #7; #8 (6th call) 404,
    // not retried. So 12 attempts for 10 calls, 9 of them successful.
    unsigned ok = 0, failed = 0;
    for (std::size_t i = 0; i < 10; ++i) {
        auto r = test::run_coro(ioc, get_contact(c, server.seeded_contact_id(i)));
        (r ? ok : failed) += 1;
    }
    for (int i = 0; i < 2; ++i)
        BOOST_TEST(test::run_coro(ioc, get_me(c)).has_value());

    // Server side: 10 + 2 retried + 2 /me requests reached it (the limiter paces, it never rejects).
    BOOST_TEST(server.count("GET", "/contacts/{id}") == 12u);
    BOOST_TEST(server.count("GET", "/me") == 2u);
    BOOST_TEST(server.throttled_count() == 0u);
    BOOST_TEST(ok == 9u);
    BOOST_TEST(failed == 1u);

    auto families = registry.Collect();
    auto pool_families = pool->Collect();
    families.insert(families.end(), pool_families.begin(), pool_families.end());
    auto m = scrape(families);
    const std::string ws = R"(workspace="test",)";
    const std::string op = ws + R"(operation="contacts.retrieve")";
    const std::string gen = ws + R"(operation="request")";

    BOOST_TEST(value(m, "intercom_calls_total{" + op + R"(,outcome="succeeded"})") == 9);
    BOOST_TEST(value(m, "intercom_calls_total{" + op + R"(,outcome="failed"})") == 1);
    BOOST_TEST(value(m, "intercom_calls_total{" + gen + R"(,outcome="succeeded"})") == 2);
    BOOST_TEST(value(m, "intercom_calls_total{" + gen + R"(,outcome="failed"})") == 0);
    BOOST_TEST(value(m, "intercom_attempts_total{" + op + "}") == 12);
    BOOST_TEST(value(m, "intercom_attempts_total{" + gen + "}") == 2);
    BOOST_TEST(value(m, "intercom_retries_total{" + op + R"(,reason="503"})") == 1);
    BOOST_TEST(value(m, "intercom_retries_total{" + op + R"(,reason="429"})") == 1);
    BOOST_TEST(m.count("intercom_retries_total{" + op + R"(,reason="404"})") == 0u);
    BOOST_TEST(value(m, "intercom_rate_limited_absorbed_total{" + op + "}") == 1);
    BOOST_TEST(value(m, "intercom_rate_limited_absorbed_total{" + gen + "}") == 0);
    BOOST_TEST(value(m, "intercom_attempt_duration_seconds_count{" + op + "}") == 12);
    BOOST_TEST(value(m, "intercom_attempt_duration_seconds_count{" + gen + "}") == 2);
    BOOST_TEST(value(m, "intercom_attempt_duration_seconds_bucket{" + op + R"(,le="+Inf"})") == 12);

    // Against the independent hook.
    BOOST_TEST(t->attempts == 14u);
    BOOST_TEST(t->retries == 2u);
    BOOST_TEST(t->succeeded == 11u);
    BOOST_TEST(t->failed == 1u);
    BOOST_TEST_REQUIRE(t->limiter_waits >= 1u);
    BOOST_TEST(value(m, "intercom_limiter_waits_total{" + op + "}") +
                   value(m, "intercom_limiter_waits_total{" + gen + "}") ==
               t->limiter_waits);
    const double waited = value(m, "intercom_limiter_wait_seconds_total{" + op + "}") +
                          value(m, "intercom_limiter_wait_seconds_total{" + gen + "}");
    BOOST_TEST(std::abs(waited - t->wait_seconds) < 1e-6);
    BOOST_TEST(waited > 0);
    const double latency = value(m, "intercom_attempt_duration_seconds_sum{" + op + "}") +
                           value(m, "intercom_attempt_duration_seconds_sum{" + gen + "}");
    BOOST_TEST(std::abs(latency - t->latency_seconds) < 1e-6);

    // Pool gauges, read at scrape time: every call is over, the connection is idle.
    auto http_transport = std::dynamic_pointer_cast<http::https_transport>(c.transport());
    auto s = http_transport->stats(*http::origin::parse(server.base_url()));
    const std::string origin =
        ws + R"(origin=")" + http::origin::parse(server.base_url())->to_string() + "\"";
    BOOST_TEST(value(m, "intercom_pool_connections{" + origin + R"(,state="open"})") == s.open);
    BOOST_TEST(value(m, "intercom_pool_connections{" + origin + R"(,state="idle"})") == s.idle);
    BOOST_TEST(value(m, "intercom_pool_connections{" + origin + R"(,state="in_use"})") == 0);
    BOOST_TEST(value(m, "intercom_pool_waiters{" + origin + "}") == 0);
    BOOST_TEST(s.open >= 1u);
    BOOST_TEST(s.idle == s.open);
    server.stop();
}

BOOST_AUTO_TEST_CASE(pool_gauges_while_requests_wait) {
    asio::io_context ioc;
    tst::fake_server server(ioc.get_executor(), {.seed = {.contacts = 3}});
    server.start();
    // Every retrieve is answered after 400 ms: long enough to scrape while they are in flight.
    tst::fault_rule slow;
    slow.path = "/contacts/{id}";
    slow.nth = 1;
    slow.count = 3;
    slow.action.kind = tst::fault_kind::none;
    slow.action.delay = 400ms;
    server.add_fault(slow);

    client_options o;
    o.token = "pool-token";
    o.base_url = server.base_url();
    o.transport.pool.max_connections = 1; // the second and third call must wait
    client c(ioc.get_executor(), o);
    auto pool = intercom::prometheus::make_pool_collector(c);
    BOOST_TEST_REQUIRE(pool != nullptr);

    std::vector<std::future<result<api_response>>> calls;
    for (std::size_t i = 0; i < 3; ++i)
        calls.push_back(asio::co_spawn(ioc, get_contact(c, server.seeded_contact_id(i)), asio::use_future));
    // Run until the server holds the first request (bounded).
    for (int i = 0; i < 300 && server.max_in_flight() == 0; ++i)
        ioc.run_one_for(10ms);
    BOOST_TEST_REQUIRE(server.max_in_flight() == 1u);
    auto m = scrape(pool->Collect());
    const std::string origin = R"(origin=")" + http::origin::parse(server.base_url())->to_string() + "\"";
    BOOST_TEST(value(m, "intercom_pool_connections{" + origin + R"(,state="open"})") == 1);
    BOOST_TEST(value(m, "intercom_pool_connections{" + origin + R"(,state="in_use"})") == 1);
    BOOST_TEST(value(m, "intercom_pool_connections{" + origin + R"(,state="idle"})") == 0);
    BOOST_TEST(value(m, "intercom_pool_waiters{" + origin + "}") == 2);

    for (auto& f : calls) {
        for (int i = 0; i < 500 && f.wait_for(0s) != std::future_status::ready; ++i)
            ioc.run_one_for(10ms);
        BOOST_TEST_REQUIRE((f.wait_for(0s) == std::future_status::ready));
        BOOST_TEST(f.get().has_value());
    }
    m = scrape(pool->Collect());
    BOOST_TEST(value(m, "intercom_pool_waiters{" + origin + "}") == 0);
    BOOST_TEST(value(m, "intercom_pool_connections{" + origin + R"(,state="in_use"})") == 0);

    // Once the transport is gone the collector reports nothing.
    c = client(ioc.get_executor(), o);
    BOOST_TEST(pool->Collect().empty());
    server.stop();
}

BOOST_AUTO_TEST_SUITE_END()
