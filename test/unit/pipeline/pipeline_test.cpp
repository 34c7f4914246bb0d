// The client's pipeline end to end against scripted transports, in virtual time.
#include "fake_transport.hpp"

#include <intercom/client.hpp>
#include <intercom/pipeline/virtual_time.hpp>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/test/unit_test.hpp>

using namespace intercom;
using namespace intercom::pipeline;
using namespace std::chrono_literals;
namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using intercom::test::step;

namespace {

const operation_info note_create{"notes.create", "createNote", bhttp::verb::post, "/contacts/{id}/notes",
                                 retry_class::create};
const operation_info contact_get{"contacts.retrieve", "ShowContact", bhttp::verb::get, "/contacts/{id}",
                                 retry_class::safe};

struct fixture {
    asio::io_context ioc;
    std::shared_ptr<virtual_time> vt = std::make_shared<virtual_time>();
    std::shared_ptr<intercom::test::scripted_transport> transport =
        std::make_shared<intercom::test::scripted_transport>(ioc.get_executor(), vt);
    std::vector<event> events;
    std::vector<std::string> reasons;  // event reasons, copied (views die with the call)

    client_options options() {
        client_options o;
        o.token = "tok_SECRET_123";
        o.base_url = "http://127.0.0.1:8080";
        o.pipeline.clock = vt;
        o.pipeline.sleeper = vt;
        o.pipeline.random = [] { return 0.5; };
        o.pipeline.on_event = [this](const event& e) {
            events.push_back(e);
            reasons.emplace_back(e.reason);
            events.back().reason = {};
            events.back().operation = {};
            events.back().target = {};
        };
        return o;
    }

    std::size_t count(event_kind k) const {
        return static_cast<std::size_t>(
            std::count_if(events.begin(), events.end(), [k](const event& e) { return e.kind == k; }));
    }

    static api_request make(const operation_info* op, std::string path, std::optional<std::string> body = {}) {
        api_request r;
        r.operation = op;
        r.method = op ? op->method : bhttp::verb::get;
        r.path = std::move(path);
        r.body = std::move(body);
        return r;
    }

    result<api_response> run(client c, api_request r) { return vt->run(ioc, c.execute(std::move(r))); }
};

std::string reset_in(const virtual_time& vt, std::chrono::seconds s) {
    return std::to_string(
        std::chrono::duration_cast<std::chrono::seconds>((vt.wall_now() + s).time_since_epoch()).count());
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(pipeline_client, fixture)

BOOST_AUTO_TEST_CASE(five_xx_then_success_recovers_with_backoff) {
    transport->script = {step::with_status(503), step::with_status(502), step::ok(R"({"id":"1"})")};
    auto r = run(client(transport, options()), make(&contact_get, "/contacts/1"));
    BOOST_REQUIRE(r.has_value());
    BOOST_TEST(r->attempts == 3u);
    BOOST_TEST(transport->received.size() == 3u);
    // random = 0.5: 250 ms then 500 ms of backoff, no other time passes.
    BOOST_TEST(vt->elapsed().count() == std::chrono::nanoseconds(750ms).count());
    BOOST_TEST(count(event_kind::attempt_finished) == 3u);
    BOOST_TEST(count(event_kind::retry_scheduled) == 2u);
    BOOST_TEST(count(event_kind::succeeded) == 1u);
    BOOST_TEST(events[1].delay.count() == std::chrono::nanoseconds(250ms).count());
    BOOST_TEST(events[1].attempt == 1u);
    BOOST_TEST(events[1].http_status == 503u);
}

BOOST_AUTO_TEST_CASE(headers_set_once_and_sent_on_every_attempt) {
    transport->script = {step::with_status(500), step::ok()};
    auto r = run(client(transport, options()), make(&contact_get, "/contacts/1"));
    BOOST_REQUIRE(r.has_value());
    BOOST_REQUIRE(transport->received.size() == 2u);
    for (auto& req : transport->received) {
        BOOST_TEST(req.headers[bhttp::field::authorization] == "Bearer tok_SECRET_123");
        BOOST_TEST(req.headers["Intercom-Version"] == "2.11");
        BOOST_TEST(req.headers[bhttp::field::accept] == "application/json");
        BOOST_TEST(req.idempotent);
    }
}

BOOST_AUTO_TEST_CASE(creating_post_500_is_sent_once_and_surfaces_typed_error) {
    transport->script = {step::with_status(500), step::ok()};
    auto r = run(client(transport, options()), make(&note_create, "/contacts/1/notes", R"({"body":"x"})"));
    BOOST_REQUIRE(r.has_error());
    BOOST_TEST(r.error().code == make_error_code(errc::internal_server_error));
    BOOST_TEST(r.error().diag.attempts == 1u);
    BOOST_TEST(r.error().diag.http_status == 500u);
    BOOST_TEST(transport->received.size() == 1u);
    BOOST_TEST(!transport->received[0].idempotent);
    BOOST_TEST(count(event_kind::gave_up) == 1u);
    BOOST_TEST(reasons.back() == "not replay-safe and may have been processed");
}

BOOST_AUTO_TEST_CASE(creating_post_retried_when_provably_not_sent) {
    transport->script = {step::fail(errc::connect_failed, request_stage::not_sent), step::ok()};
    auto r = run(client(transport, options()), make(&note_create, "/contacts/1/notes", "{}"));
    BOOST_REQUIRE(r.has_value());
    BOOST_TEST(r->attempts == 2u);
}

BOOST_AUTO_TEST_CASE(creating_post_not_retried_after_reset_once_sent) {
    transport->script = {step::fail(errc::connection_closed, request_stage::sent), step::ok()};
    auto r = run(client(transport, options()), make(&note_create, "/contacts/1/notes", "{}"));
    BOOST_REQUIRE(r.has_error());
    BOOST_TEST(r.error().code == make_error_code(errc::connection_closed));
    BOOST_TEST((r.error().diag.stage == request_stage::sent));
    BOOST_TEST(transport->received.size() == 1u);
}

BOOST_AUTO_TEST_CASE(safe_get_retried_after_reset_and_timeout) {
    transport->script = {step::fail(errc::connection_closed, request_stage::sent),
                         step::fail(errc::attempt_timeout, request_stage::sent), step::ok()};
    auto r = run(client(transport, options()), make(&contact_get, "/contacts/1"));
    BOOST_REQUIRE(r.has_value());
    BOOST_TEST(r->attempts == 3u);
}

BOOST_AUTO_TEST_CASE(per_call_replay_safe_override) {
    transport->script = {step::with_status(503), step::ok()};
    auto req = make(&note_create, "/events", "{}");
    req.options.replay_safe = true;
    auto r = run(client(transport, options()), std::move(req));
    BOOST_REQUIRE(r.has_value());
    BOOST_TEST(r->attempts == 2u);
}

BOOST_AUTO_TEST_CASE(generic_post_not_retried_generic_put_retried) {
    transport->script = {step::with_status(503), step::ok()};
    client c(transport, options());
    auto r = vt->run(ioc, c.request(bhttp::verb::post, "/things", {}, boost::json::value{{"a", 1}}));
    BOOST_REQUIRE(r.has_error());
    BOOST_TEST(transport->received.size() == 1u);
    transport->script = {step::with_status(503), step::ok()};
    auto r2 = vt->run(ioc, c.request(bhttp::verb::put, "/things/1", {}, boost::json::value{{"a", 1}}));
    BOOST_REQUIRE(r2.has_value());
    BOOST_TEST(r2->attempts == 2u);
    BOOST_TEST(transport->received.size() == 3u);
}

BOOST_AUTO_TEST_CASE(max_attempts_one_disables_retry) {
    transport->script = {step::with_status(503), step::ok()};
    auto req = make(&contact_get, "/contacts/1");
    req.options.max_attempts = 1;
    auto r = run(client(transport, options()), std::move(req));
    BOOST_REQUIRE(r.has_error());
    BOOST_TEST(r.error().code == make_error_code(errc::service_unavailable));
    BOOST_TEST(transport->received.size() == 1u);
}

BOOST_AUTO_TEST_CASE(wait_429_until_rate_limit_reset_then_succeed_once) {
    // 429 on a creating POST: the limiter rejected it before processing, so it is retried.
    transport->script = {step::with_status(429)
                             .header("X-RateLimit-Limit", "83")
                             .header("X-RateLimit-Remaining", "0")
                             .header("X-RateLimit-Reset", reset_in(*vt, 6s)),
                         step::ok().header("X-RateLimit-Limit", "83").header("X-RateLimit-Remaining", "82")};
    auto r = run(client(transport, options()), make(&note_create, "/contacts/1/notes", "{}"));
    BOOST_REQUIRE(r.has_value());
    BOOST_TEST(r->attempts == 2u);
    BOOST_TEST(transport->received.size() == 2u);
    // 6 s to the reset + 0.5 * 1 s jitter. The limiter, which learned remaining = 0, would also
    // have held the retry until the reset (+200 ms margin), which ends earlier.
    BOOST_TEST(vt->elapsed().count() == std::chrono::nanoseconds(6500ms).count());
    BOOST_REQUIRE(r->rate_limit.has_value());
    BOOST_TEST(r->rate_limit->remaining == 82);
}

BOOST_AUTO_TEST_CASE(rate_limit_wait_longer_than_max_surfaces_429) {
    transport->script = {step::with_status(429).header("Retry-After", "3600"), step::ok()};
    auto r = run(client(transport, options()), make(&contact_get, "/contacts/1"));
    BOOST_REQUIRE(r.has_error());
    BOOST_TEST(r.error().code == make_error_code(errc::rate_limited));
    BOOST_TEST(transport->received.size() == 1u);
    BOOST_TEST(vt->elapsed().count() == 0);
}

BOOST_AUTO_TEST_CASE(deadline_caps_retries_and_surfaces_last_error) {
    auto o = options();
    o.timeout = 1s;
    o.pipeline.max_attempts = 10;
    o.pipeline.random = [] { return 0.99; };
    transport->script = {step::with_status(503)};
    auto r = run(client(transport, o), make(&contact_get, "/contacts/1"));
    BOOST_REQUIRE(r.has_error());
    // Backoffs 495 ms (fits), 990 ms (would pass the 1 s deadline): stop and report the 503.
    BOOST_TEST(r.error().code == make_error_code(errc::service_unavailable));
    BOOST_TEST(r.error().diag.attempts == 2u);
    BOOST_TEST(vt->elapsed() < 1s);
    BOOST_TEST(reasons.back() == "the backoff wait would pass the deadline");
}

BOOST_AUTO_TEST_CASE(deadline_exceeded_when_transport_hangs) {
    auto o = options();
    o.timeout = 2s;
    o.attempt_timeout = 10s;
    transport->script = {step::ok().after(1h)};
    auto r = run(client(transport, o), make(&contact_get, "/contacts/1"));
    BOOST_REQUIRE(r.has_error());
    BOOST_TEST(r.error().code == make_error_code(errc::deadline_exceeded));
    BOOST_TEST(vt->elapsed().count() == std::chrono::nanoseconds(2s).count());
    BOOST_TEST(transport->attempt_timeouts.at(0).count() == 2000);  // capped by the deadline
    BOOST_TEST(vt->sleepers() == 0u);  // the hanging attempt was cancelled
}

BOOST_AUTO_TEST_CASE(attempt_timeout_enforced_then_retried) {
    auto o = options();
    o.attempt_timeout = 300ms;
    transport->script = {step::ok().after(1h), step::ok()};
    auto r = run(client(transport, o), make(&contact_get, "/contacts/1"));
    BOOST_REQUIRE(r.has_value());
    BOOST_TEST(r->attempts == 2u);
    BOOST_TEST(vt->elapsed().count() == std::chrono::nanoseconds(300ms + 250ms).count());
}

namespace {

struct cancel_fixture : fixture {
    asio::cancellation_signal sig;

    asio::awaitable<result<api_response>> call_with_signal(client c, api_request r) {
        co_return co_await asio::co_spawn(co_await asio::this_coro::executor, c.execute(std::move(r)),
                                          asio::bind_cancellation_slot(sig.slot(), asio::use_awaitable));
    }
    void emit_cancel() { sig.emit(asio::cancellation_type::terminal); }
};

} // namespace

BOOST_FIXTURE_TEST_CASE(cancellation_during_backoff_wait_is_prompt, cancel_fixture) {
    auto o = options();
    o.pipeline.backoff_policy = std::make_shared<default_backoff_policy>(backoff_options{10s, 60s});
    auto user_hook = o.pipeline.on_event;
    o.pipeline.on_event = [this, user_hook](const event& e) {
        user_hook(e);
        // Cancel as soon as the retry is scheduled, i.e. while the backoff wait is pending.
        if (e.kind == event_kind::retry_scheduled) asio::post(ioc, [this] { emit_cancel(); });
    };
    transport->script = {step::with_status(503), step::ok()};
    auto r = vt->run(ioc, call_with_signal(client(transport, o), make(&contact_get, "/contacts/1")));
    BOOST_REQUIRE(r.has_error());
    BOOST_TEST(r.error().code == make_error_code(errc::cancelled));
    BOOST_TEST(r.error().diag.attempts == 1u);
    BOOST_TEST(transport->received.size() == 1u);
    BOOST_TEST(vt->elapsed().count() == 0);  // did not sit out the 5 s backoff
    BOOST_TEST(vt->sleepers() == 0u);
}

BOOST_FIXTURE_TEST_CASE(cancellation_during_attempt, cancel_fixture) {
    transport->script = {step::ok().after(10s)};
    asio::post(ioc, [this] { asio::post(ioc, [this] { emit_cancel(); }); });
    auto r = vt->run(ioc, call_with_signal(client(transport, options()), make(&contact_get, "/contacts/1")));
    BOOST_REQUIRE(r.has_error());
    BOOST_TEST(r.error().code == make_error_code(errc::cancelled));
    BOOST_TEST(transport->received.size() == 1u);
    BOOST_TEST(vt->elapsed() < 10s);
}

namespace {

// Per-attempt user middleware that counts attempts and stamps a header.
class counting_middleware final : public middleware {
public:
    int calls = 0;
    std::vector<unsigned> attempts_seen;
    asio::awaitable<result<http::response>> send(http::request req, next_layer next) override {
        ++calls;
        attempts_seen.push_back(next.context().attempt);
        req.headers.set("X-Test", "1");
        co_return co_await next(std::move(req));
    }
};

// Per-call user middleware that rewrites failures into a canned answer.
class per_call_middleware final : public middleware {
public:
    int calls = 0;
    asio::awaitable<result<http::response>> send(http::request req, next_layer next) override {
        ++calls;
        co_return co_await next(std::move(req));
    }
};

} // namespace

BOOST_AUTO_TEST_CASE(user_middleware_per_attempt_and_per_call) {
    auto per_attempt = std::make_shared<counting_middleware>();
    auto per_call = std::make_shared<per_call_middleware>();
    auto o = options();
    o.pipeline.per_attempt.push_back(per_attempt);
    o.pipeline.per_call.push_back(per_call);
    transport->script = {step::with_status(503), step::ok()};
    auto r = run(client(transport, o), make(&contact_get, "/contacts/1"));
    BOOST_REQUIRE(r.has_value());
    BOOST_TEST(per_attempt->calls == 2);
    BOOST_TEST(per_call->calls == 1);
    BOOST_TEST(per_attempt->attempts_seen == (std::vector<unsigned>{1, 2}), boost::test_tools::per_element());
    BOOST_TEST(transport->received[1].headers["X-Test"] == "1");
}

BOOST_AUTO_TEST_CASE(token_never_logged) {
    std::vector<std::string> lines;
    auto o = options();
    o.pipeline.logger.level = log_level::trace;
    o.pipeline.logger.sink = [&lines](log_level, std::string_view l) { lines.emplace_back(l); };
    transport->script = {step::with_status(503), step::fail(errc::connection_closed, request_stage::sent),
                         step::with_status(401)};
    client c(transport, o);
    auto r1 = run(c, make(&contact_get, "/contacts/1"));
    BOOST_TEST(r1.has_error());
    transport->script = {step::ok()};
    auto r2 = run(c, make(&note_create, "/contacts/1/notes", R"({"body":"hello"})"));
    BOOST_TEST(r2.has_value());
    BOOST_REQUIRE(lines.size() >= 8u);
    bool saw_redacted = false, saw_retry = false;
    for (auto& l : lines) {
        BOOST_TEST(l.find("tok_SECRET_123") == std::string::npos, l);
        BOOST_TEST(l.find("SECRET") == std::string::npos, l);
        saw_redacted |= l.find("Authorization: [redacted]") != std::string::npos;
        saw_retry |= l.find("retrying") != std::string::npos;
    }
    BOOST_TEST(saw_redacted);
    BOOST_TEST(saw_retry);
}

BOOST_AUTO_TEST_CASE(error_carries_attempts_and_last_rate_limit_snapshot) {
    transport->script = {step::with_status(503).header("X-RateLimit-Limit", "100").header("X-RateLimit-Remaining", "50"),
                         step::fail(errc::connection_closed, request_stage::sent),
                         step::fail(errc::connection_closed, request_stage::sent)};
    auto r = run(client(transport, options()), make(&contact_get, "/contacts/1"));
    BOOST_REQUIRE(r.has_error());
    BOOST_TEST(r.error().code == make_error_code(errc::connection_closed));
    BOOST_TEST(r.error().diag.attempts == 3u);
    BOOST_REQUIRE(r.error().diag.rate_limit.has_value());
    BOOST_TEST(r.error().diag.rate_limit->remaining == 50);
    BOOST_TEST(r.error().diag.target == "/contacts/1");
}

BOOST_AUTO_TEST_CASE(streamed_body_is_never_duplicated_by_a_retry) {
    std::string got;
    auto req = make(&contact_get, "/download");
    req.sink = [&got](std::string_view chunk) {
        got += chunk;
        return boost::system::error_code{};
    };
    auto broken = step::fail(errc::connection_closed, request_stage::response_started);
    broken.body = "abc";
    transport->script = {broken, step::ok("abcdef")};
    auto r = run(client(transport, options()), std::move(req));
    BOOST_REQUIRE(r.has_error());  // a GET, but the caller already holds "abc"
    BOOST_TEST(r.error().code == make_error_code(errc::connection_closed));
    BOOST_TEST(transport->received.size() == 1u);
    BOOST_TEST(got == "abc");
    BOOST_TEST(reasons.back() == "part of the body was already streamed to the caller");
}

BOOST_AUTO_TEST_SUITE_END()
