// Hostile input from both sides (issue 14): what a caller passes (ids, headers, versions, the token)
// and what a server answers (echoed secrets, absurd numbers, interim responses, stray bytes) against
// a raw-socket server that records every request head byte for byte. Each case asserts what reached
// the wire, how many requests the server saw, the time it took, the error code, and that the token
// appears in no error text, diagnostics field, event or log line.
#include "scripted_server.hpp"

#include <intercom.hpp>

#include "run_coro.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json/serialize.hpp>
#include <boost/test/unit_test.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

#include <atomic>
#include <cstdlib>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

using namespace intercom;
using namespace std::chrono_literals;
namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using test::http_response;
using test::scripted_reply;
using test::scripted_server;
using test::seen_request;

namespace {

// '=' and '/' make the percent-encoded form differ from the literal one.
const std::string token = "dG9rOjFhMmIzYzRk/ZTVmNg==";
const std::string token_encoded = boost::urls::encode(token, boost::urls::unreserved_chars);

const std::string contact_json = R"({"type":"contact","id":"c1","role":"user","email":"a@example.com"})";

struct fixture {
    asio::io_context ioc;
    std::shared_ptr<std::vector<std::string>> logs = std::make_shared<std::vector<std::string>>();
    std::shared_ptr<std::vector<std::string>> events = std::make_shared<std::vector<std::string>>();

    client_options options(const scripted_server& s) {
        client_options o;
        o.token = token;
        o.base_url = s.base_url();
        if (!s.ca_pem().empty()) o.transport.tls.ca_pem = s.ca_pem();
        // ctest runs this suite in both threading modes (see CMakeLists.txt).
        if (const char* m = std::getenv("INTERCOM_TEST_THREADING"); m && std::string_view(m) == "one_thread")
            o.transport.threading = http::io_threading::one_thread;
        o.attempt_timeout = 5s;
        o.timeout = 10s;
        o.pipeline.logger.level = pipeline::log_level::trace;
        o.pipeline.logger.sink = [l = logs](pipeline::log_level, std::string_view line) { l->emplace_back(line); };
        o.pipeline.on_event = [e = events](const pipeline::event& ev) {
            e->push_back(std::string(ev.operation) + " " + std::string(ev.target) + " " + std::string(ev.reason));
        };
        return o;
    }

    template <class T>
    T run(asio::awaitable<T> aw, std::chrono::seconds limit = 30s) {
        return test::run_coro(ioc, std::move(aw), limit);
    }

    bool leaks(std::string_view text) const {
        return text.find(token) != std::string_view::npos || text.find(token_encoded) != std::string_view::npos;
    }

    /// The token is in no error text, diagnostics field, event or log line seen so far.
    void check_no_token(const error_info& e) const {
        BOOST_TEST(!leaks(e.what()));
        BOOST_TEST(!leaks(api_error(e).what()));
        BOOST_TEST(!leaks(e.diag.message));
        BOOST_TEST(!leaks(e.diag.request_id));
        BOOST_TEST(!leaks(e.diag.body_excerpt));
        BOOST_TEST(!leaks(e.diag.target));
        for (const auto& entry : e.diag.errors) {
            BOOST_TEST(!leaks(entry.code));
            BOOST_TEST(!leaks(entry.message.value_or("")));
            BOOST_TEST(!leaks(entry.field.value_or("")));
        }
        check_no_token_in_hooks();
    }
    void check_no_token_in_hooks() const {
        for (const auto& l : *logs) BOOST_TEST(!leaks(l), l);
        for (const auto& e : *events) BOOST_TEST(!leaks(e), e);
    }
};

scripted_server::script always(std::string bytes) {
    return [bytes](const seen_request&, std::size_t) { return scripted_reply{bytes}; };
}

/// The request line and header lines exactly as they reached the server.
std::string head_of(const seen_request& r) { return r.head; }

double seconds_since(std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

/// A per-attempt middleware that adds a header it was given (possibly a hostile one).
class add_header final : public pipeline::middleware {
public:
    add_header(std::string n, std::string v) : name_(std::move(n)), value_(std::move(v)) {}
    asio::awaitable<result<http::response>> send(http::request req, pipeline::next_layer next) override {
        req.headers.set(name_, value_);
        co_return co_await next(std::move(req));
    }

private:
    std::string name_, value_;
};

/// A middleware that throws.
class throwing_middleware final : public pipeline::middleware {
public:
    asio::awaitable<result<http::response>> send(http::request, pipeline::next_layer) override {
        throw std::runtime_error("middleware bug");
        co_return error_info{errc::invalid_argument};
    }
};

} // namespace

// ---- 1. header injection and request splitting ----------------------------------------------------

BOOST_FIXTURE_TEST_SUITE(hostile_header_injection, fixture)

BOOST_AUTO_TEST_CASE(the_exact_request_head_of_a_clean_call) {
    scripted_server s(ioc, always(http_response(200, contact_json)));
    auto o = options(s);
    o.user_agent = "ua/1";
    client c(ioc.get_executor(), o);
    request_options ro;
    ro.headers = {{"X-Trace", "abc\tdef"}};
    auto r = run(c.contacts().try_retrieve("c 1/é", ro));
    BOOST_TEST_REQUIRE(r.has_value(), r.error().what());
    auto seen = s.requests();
    BOOST_TEST_REQUIRE(seen.size() == 1u);
    BOOST_TEST(head_of(seen[0]) == "GET /contacts/c%201%2F%C3%A9 HTTP/1.1\r\n"
                                   "Authorization: Bearer " + token + "\r\n"
                                   "Accept: application/json\r\n"
                                   "User-Agent: ua/1\r\n"
                                   "Intercom-Version: 2.11\r\n"
                                   "X-Trace: abc\tdef\r\n"
                                   "Host: 127.0.0.1:" + std::to_string(s.port()) + "\r\n"
                                   "Accept-Encoding: gzip\r\n\r\n");
    check_no_token_in_hooks();
}

BOOST_AUTO_TEST_CASE(control_characters_in_per_call_headers_and_versions_are_refused_unsent) {
    scripted_server s(ioc, always(http_response(200, contact_json)));
    client c(ioc.get_executor(), options(s));
    const std::vector<std::pair<std::string, std::string>> bad_headers = {
        {"X-Ok", "v\r\nContent-Length: 0\r\n\r\nDELETE /contacts/c9 HTTP/1.1"},
        {"X-Ok", "bare\nlf"},
        {"X-Ok", std::string("nul\0byte", 8)},
        {"X-Ok", "bell\x07"},
        {"X-Bad\r\nInjected", "v"},
        {"X Space", "v"},
        {"X:Colon", "v"},
        {"", "v"},
    };
    for (const auto& [name, value] : bad_headers) {
        request_options ro;
        ro.headers = {{name, value}};
        auto r = run(c.contacts().try_retrieve("c1", ro));
        BOOST_TEST_REQUIRE(!r.has_value());
        BOOST_TEST(r.error().code == errc::invalid_argument, r.error().what());
        BOOST_TEST(r.error().diag.message.find("DELETE") == std::string::npos);  // values are not quoted
    }
    request_options ro;
    ro.version = "2.11\r\nX-Injected: 1";
    auto r = run(c.request(bhttp::verb::get, "/me", {}, {}, ro));
    BOOST_TEST_REQUIRE(!r.has_value());
    BOOST_TEST(r.error().code == errc::invalid_argument);
    BOOST_TEST(s.requests().size() == 0u);
    BOOST_TEST(s.connections() == 0u);
}

BOOST_AUTO_TEST_CASE(control_characters_in_client_options_fail_every_call_unsent) {
    scripted_server s(ioc, always(http_response(200, "{}")));
    for (int which = 0; which < 3; ++which) {
        auto o = options(s);
        if (which == 0) o.token = token + "\r\nX-Evil: 1";
        if (which == 1) o.version = "2.11\nX-Evil: 1";
        if (which == 2) o.user_agent = std::string("ua\0", 3);
        client c(ioc.get_executor(), o);
        auto r = run(c.request(bhttp::verb::get, "/me"));
        BOOST_TEST_REQUIRE(!r.has_value());
        BOOST_TEST(r.error().code == errc::invalid_argument, r.error().what());
        BOOST_TEST(!leaks(r.error().what()));
    }
    BOOST_TEST(s.requests().size() == 0u);
}

BOOST_AUTO_TEST_CASE(a_header_added_by_middleware_is_checked_before_the_wire) {
    scripted_server s(ioc, always(http_response(200, "{}")));
    auto o = options(s);
    o.pipeline.per_attempt.push_back(std::make_shared<add_header>("X-Tenant", "t1\r\n\r\nGET /admin HTTP/1.1"));
    client c(ioc.get_executor(), o);
    auto start = std::chrono::steady_clock::now();
    auto r = run(c.request(bhttp::verb::get, "/me"));
    BOOST_TEST_REQUIRE(!r.has_value());
    BOOST_TEST(r.error().code == errc::invalid_argument, r.error().what());
    BOOST_TEST(r.error().diag.attempts == 1u);  // not a transient failure: no retry
    BOOST_TEST(seconds_since(start) < 2.0);
    BOOST_TEST(s.requests().size() == 0u);
    check_no_token(r.error());
}

BOOST_AUTO_TEST_SUITE_END()

// ---- 2. token leaks ----------------------------------------------------------------------------

BOOST_FIXTURE_TEST_SUITE(hostile_token_echo, fixture)

BOOST_AUTO_TEST_CASE(an_undecodable_2xx_echoing_the_token_leaks_it_nowhere) {
    const std::string body = "{\"type\":\"contact\",\"id\":42,\"echo\":\"" + token + "\",\"url\":\"/x?t=" + token_encoded +
                             "\", broken";
    scripted_server s(ioc, always(http_response(200, body, "X-Request-Id: req-" + token + "\r\n")));
    client c(ioc.get_executor(), options(s));
    auto typed = run(c.contacts().try_retrieve("c1"));
    BOOST_TEST_REQUIRE(!typed.has_value());
    BOOST_TEST(typed.error().code == errc::decode_error);
    check_no_token(typed.error());

    auto raw = run(c.request(bhttp::verb::get, "/contacts/c1"));
    BOOST_TEST_REQUIRE(raw.has_value());
    BOOST_TEST(!leaks(raw->request_id));
    BOOST_TEST(!leaks(raw->body));
    for (const auto& f : raw->headers) BOOST_TEST(!leaks(f.value()));
    auto j = raw->json();
    BOOST_TEST_REQUIRE(!j.has_value());
    check_no_token(j.error());
    BOOST_TEST(s.requests().size() == 2u);
}

BOOST_AUTO_TEST_CASE(an_error_body_echoing_the_token_leaks_it_nowhere) {
    const std::string body = R"({"type":"error.list","request_id":")" + token +
                             R"(","errors":[{"code":")" + token + R"(","message":"bad token )" + token +
                             R"(","field":")" + token_encoded + R"("}]})";
    scripted_server s(ioc, always(http_response(401, body, "X-Request-Id: " + token + "\r\n")));
    client c(ioc.get_executor(), options(s));
    auto r = run(c.contacts().try_retrieve("c1"));
    BOOST_TEST_REQUIRE(!r.has_value());
    BOOST_TEST(r.error().code == errc::unauthorized);
    BOOST_TEST(r.error().diag.errors.size() == 1u);
    check_no_token(r.error());
}

BOOST_AUTO_TEST_CASE(a_cursor_echoing_the_token_leaks_it_nowhere) {
    // Every page points at the token as its next cursor: the pager stops as stuck.
    const std::string page = R"({"type":"list","data":[{"type":"contact","id":"c1"}],"total_count":9,)"
                             R"("pages":{"type":"pages","page":1,"per_page":1,"total_pages":9,)"
                             R"("next":{"starting_after":")" + token + R"("}}})";
    scripted_server s(ioc, always(http_response(200, page)));
    client c(ioc.get_executor(), options(s));
    auto walk = [](client cl) -> asio::awaitable<error_info> {
        auto p = cl.contacts().list_all();
        for (int i = 0; i < 10; ++i) {
            auto item = co_await p.next();
            if (!item) co_return item.error();
            if (!*item) break;
        }
        co_return error_info{};
    };
    auto e = run(walk(c));
    BOOST_TEST(e.code == errc::pagination_stuck, e.what());
    BOOST_TEST(s.requests().size() >= 2u);
    BOOST_TEST(s.requests().size() <= 3u);
    for (const auto& r : s.requests()) BOOST_TEST(!leaks(r.head.substr(0, r.head.find("\r\n"))));
    check_no_token(e);
}

BOOST_AUTO_TEST_SUITE_END()

// ---- 3. dot and empty path segments ------------------------------------------------------------

BOOST_FIXTURE_TEST_SUITE(hostile_path_segments, fixture)

BOOST_AUTO_TEST_CASE(dot_and_empty_ids_are_refused_unsent) {
    scripted_server s(ioc, always(http_response(200, contact_json)));
    client c(ioc.get_executor(), options(s));
    for (std::string id : {"..", ".", ""}) {
        auto r = run(c.contacts().try_retrieve(id));
        BOOST_TEST_REQUIRE(!r.has_value());
        BOOST_TEST(r.error().code == errc::invalid_argument, r.error().what());
        auto d = run(c.tags().try_detach_contact("c1", id));
        BOOST_TEST_REQUIRE(!d.has_value());
        BOOST_TEST(d.error().code == errc::invalid_argument);
    }
    for (std::string path : {"/contacts/c1/tags/..", "/contacts/%2e%2E", "/contacts/.%2e/x", "/contacts/", "//me",
                             "/contacts/%zz", "/contacts/%4", "contacts", "/a b", "/a#b", "/a?b"}) {
        auto r = run(c.request(bhttp::verb::delete_, path));
        BOOST_TEST_REQUIRE(!r.has_value(), path);
        BOOST_TEST(r.error().code == errc::invalid_argument, path << ": " << r.error().what());
    }
    BOOST_TEST(s.requests().size() == 0u);
    // Dots inside a segment are ordinary characters.
    auto ok = run(c.contacts().try_retrieve("a..b"));
    BOOST_TEST(ok.has_value());
    BOOST_TEST_REQUIRE(s.requests().size() == 1u);
    BOOST_TEST(s.requests()[0].head.rfind("GET /contacts/a..b HTTP/1.1\r\n", 0) == 0u);
}

BOOST_AUTO_TEST_CASE(a_next_url_with_dot_segments_is_not_followed) {
    const std::string page = R"({"type":"event.summary","events":[{"type":"event","id":"e1"}],)"
                             R"("pages":{"next":"https://api.intercom.io/events/../admins?per_page=1"}})";
    scripted_server s(ioc, always(http_response(200, page)));
    client c(ioc.get_executor(), options(s));
    auto walk = [](client cl) -> asio::awaitable<error_info> {
        models::data_events_list_query q;
        q.type = "user";
        q.user_id = "u1";
        auto p = cl.data_events().list_all(q);
        for (int i = 0; i < 5; ++i) {
            auto item = co_await p.next();
            if (!item) co_return item.error();
            if (!*item) break;
        }
        co_return error_info{};
    };
    auto e = run(walk(c));
    BOOST_TEST(e.code == errc::invalid_argument, e.what());
    BOOST_TEST(s.requests().size() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()

// ---- 4. every call and every pager ends with a value ------------------------------------------

BOOST_FIXTURE_TEST_SUITE(hostile_exceptions, fixture)

BOOST_AUTO_TEST_CASE(a_malformed_escape_in_the_escape_hatch_is_an_error_not_a_throw) {
    scripted_server s(ioc, always(http_response(200, "{}")));
    client c(ioc.get_executor(), options(s));
    auto r = run(c.request(bhttp::verb::get, "/contacts/%zz"));
    BOOST_TEST_REQUIRE(!r.has_value());
    BOOST_TEST(r.error().code == errc::invalid_argument);
    BOOST_TEST(s.requests().size() == 0u);
}

BOOST_AUTO_TEST_CASE(a_throwing_middleware_ends_calls_and_pagers_with_an_error) {
    scripted_server s(ioc, always(http_response(200, R"({"type":"list","data":[]})")));
    for (bool per_call : {true, false}) {
        auto o = options(s);
        (per_call ? o.pipeline.per_call : o.pipeline.per_attempt).push_back(std::make_shared<throwing_middleware>());
        client c(ioc.get_executor(), o);
        auto r = run(c.request(bhttp::verb::get, "/me"));
        BOOST_TEST_REQUIRE(!r.has_value());
        BOOST_TEST(r.error().code == errc::callback_failed, r.error().what());
        BOOST_TEST(r.error().diag.message.find("middleware bug") != std::string::npos);

        // The pager's producer fails: its consumer is told, with and without prefetch.
        for (std::size_t prefetch : {0u, 2u}) {
            auto walk = [](client cl, std::size_t depth) -> asio::awaitable<error_info> {
                pagination::pager_options po;
                po.prefetch_depth = depth;
                auto p = cl.contacts().list_all({}, po);
                auto item = co_await p.next();
                if (!item) co_return item.error();
                co_return error_info{};
            };
            auto e = run(walk(c, prefetch), 10s);
            BOOST_TEST(e.code == errc::callback_failed, e.what());
        }
    }
    BOOST_TEST(s.requests().size() == 0u);
}

BOOST_AUTO_TEST_SUITE_END()

// ---- 5. body size ------------------------------------------------------------------------------

BOOST_FIXTURE_TEST_SUITE(hostile_body_size, fixture)

BOOST_AUTO_TEST_CASE(buffered_bodies_up_to_the_documented_limit_are_read) {
    const std::string big = "\"" + std::string(20 * 1024 * 1024, 'x') + "\"";  // 20 MiB > Beast's 8 MiB default
    scripted_server s(ioc, always(http_response(200, big)));
    auto o = options(s);
    o.attempt_timeout = o.timeout = 120s;  // generous: ASan on a loaded 2-core machine
    client c(ioc.get_executor(), o);
    auto r = run(c.request(bhttp::verb::get, "/me"), 180s);
    BOOST_TEST_REQUIRE(r.has_value(), r.error().what());
    BOOST_TEST(r->body.size() == big.size());
}

BOOST_AUTO_TEST_CASE(a_declared_length_over_the_limit_fails_before_reading) {
    // Declares 10 MiB but sends nothing of it: only the declared length can be refused.
    scripted_server s(ioc, always("HTTP/1.1 200 OK\r\nContent-Length: 10485760\r\n\r\n"));
    auto o = options(s);
    o.transport.limits.max_body_bytes = 1024 * 1024;
    o.pipeline.max_attempts = 1;
    client c(ioc.get_executor(), o);
    auto start = std::chrono::steady_clock::now();
    auto r = run(c.request(bhttp::verb::get, "/me"));
    BOOST_TEST_REQUIRE(!r.has_value());
    BOOST_TEST(r.error().code == errc::body_too_large, r.error().what());
    BOOST_TEST(seconds_since(start) < 2.0);  // not the 5 s attempt timeout
    BOOST_TEST(s.requests().size() == 1u);
}

BOOST_AUTO_TEST_CASE(a_download_streams_past_the_buffered_limit) {
    const std::size_t size = 65u * 1024 * 1024;  // more than the 64 MiB buffered limit
    scripted_server s(ioc, always(http_response(200, std::string(size, 'd'), "Content-Type: application/octet-stream\r\n")));
    auto o = options(s);
    o.attempt_timeout = o.timeout = 120s;  // generous: ASan on a loaded 2-core machine
    client c(ioc.get_executor(), o);
    auto received = std::make_shared<std::size_t>(0);
    auto sink = [received](std::string_view chunk) {
        *received += chunk.size();
        return boost::system::error_code{};
    };
    auto r = run(c.data_export().try_download("job1", sink), 180s);
    BOOST_TEST_REQUIRE(r.has_value(), r.error().what());
    BOOST_TEST(*received == size);

    // An optional cap for streamed bodies.
    o.transport.limits.max_streamed_body_bytes = 1024 * 1024;
    client capped(ioc.get_executor(), o);
    *received = 0;
    auto r2 = run(capped.data_export().try_download("job1", sink), 180s);
    BOOST_TEST_REQUIRE(!r2.has_value());
    BOOST_TEST(r2.error().code == errc::body_too_large);
    BOOST_TEST(*received == 0u);
}

BOOST_AUTO_TEST_SUITE_END()

// ---- 6. rate-limiter lock-out and 7. overflowing numbers ---------------------------------------

namespace {

std::string rate_headers(long long limit, long long remaining, const std::string& reset, const std::string& extra = "") {
    return "X-RateLimit-Limit: " + std::to_string(limit) + "\r\nX-RateLimit-Remaining: " + std::to_string(remaining) +
           "\r\nX-RateLimit-Reset: " + reset + "\r\n" + extra;
}

long long unix_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

const std::string rate_limited_body =
    R"({"type":"error.list","errors":[{"code":"rate_limit_exceeded","message":"Exceeded rate limit"}]})";

} // namespace

BOOST_FIXTURE_TEST_SUITE(hostile_rate_limit, fixture)

BOOST_AUTO_TEST_CASE(a_reset_days_ahead_cannot_lock_the_client_out) {
    // First answer: 429, budget spent, window "ending" in 11 days. Then ordinary 200s.
    const std::string far = std::to_string(unix_now() + 11 * 24 * 3600);
    scripted_server s(ioc, [&](const seen_request&, std::size_t i) {
        if (i == 0) return scripted_reply{http_response(429, rate_limited_body, rate_headers(100, 0, far))};
        return scripted_reply{http_response(200, "{}", rate_headers(100, 90, std::to_string(unix_now() + 5)))};
    });
    auto o = options(s);
    o.pipeline.max_attempts = 1;
    client c(ioc.get_executor(), o);
    auto first = run(c.request(bhttp::verb::get, "/me"));
    BOOST_TEST_REQUIRE(!first.has_value());
    BOOST_TEST(first.error().code == errc::rate_limited);

    // A call whose deadline ends before the (capped) window: refused at once, unsent, as rate
    // limited with the budget's numbers; not a bare deadline error.
    request_options short_deadline;
    short_deadline.timeout = 3s;
    auto start = std::chrono::steady_clock::now();
    auto second = run(c.request(bhttp::verb::get, "/me", {}, {}, short_deadline));
    BOOST_TEST(seconds_since(start) < 1.0);
    BOOST_TEST_REQUIRE(!second.has_value());
    BOOST_TEST(second.error().code == errc::rate_limited, second.error().what());
    BOOST_TEST_REQUIRE(second.error().diag.rate_limit.has_value());
    BOOST_TEST(second.error().diag.rate_limit->limit == 100);
    BOOST_TEST(second.error().diag.rate_limit->remaining == 0);
    BOOST_TEST((second.error().diag.rate_limit->reset <=
                std::chrono::system_clock::now() + rate_limit_snapshot::max_reset_ahead));
    BOOST_TEST(s.requests().size() == 1u);

    // A call with time to wait is sent once the capped window is over, and the next good answer
    // restores the budget: the call after it goes out at once.
    request_options long_deadline;
    long_deadline.timeout = 20s;
    start = std::chrono::steady_clock::now();
    auto third = run(c.request(bhttp::verb::get, "/me", {}, {}, long_deadline));
    BOOST_TEST_REQUIRE(third.has_value(), third.error().what());
    BOOST_TEST(seconds_since(start) < 13.0);
    start = std::chrono::steady_clock::now();
    auto fourth = run(c.request(bhttp::verb::get, "/me"));
    BOOST_TEST(fourth.has_value());
    BOOST_TEST(seconds_since(start) < 1.0);
    BOOST_TEST(s.requests().size() == 3u);
    check_no_token_in_hooks();
}

BOOST_AUTO_TEST_CASE(a_zero_limit_and_remaining_over_limit_are_ignored) {
    scripted_server s(ioc, [](const seen_request&, std::size_t i) {
        if (i % 2 == 0) return scripted_reply{http_response(200, "{}", rate_headers(0, 0, std::to_string(unix_now() + 3600)))};
        return scripted_reply{http_response(200, "{}", rate_headers(5, 999999, std::to_string(unix_now() + 5)))};
    });
    client c(ioc.get_executor(), options(s));
    auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < 6; ++i) {
        auto r = run(c.request(bhttp::verb::get, "/me"));
        BOOST_TEST_REQUIRE(r.has_value(), r.error().what());
    }
    BOOST_TEST(seconds_since(start) < 2.0);
    BOOST_TEST(s.requests().size() == 6u);
}

BOOST_AUTO_TEST_CASE(a_server_clock_an_hour_ahead_does_not_matter) {
    // The server's clock is an hour ahead: its Date and its resets agree with each other, not with ours.
    auto served = std::make_shared<int>(0);
    scripted_server s(ioc, [served](const seen_request&, std::size_t) {
        auto server_now = std::chrono::system_clock::now() + 1h;
        auto reset = std::chrono::duration_cast<std::chrono::seconds>(server_now.time_since_epoch()).count() + 8;
        int left = 100 - ++*served;
        return scripted_reply{http_response(200, "{}", rate_headers(100, left, std::to_string(reset),
                                                                    "Date: " + test::http_date(server_now) + "\r\n"))};
    });
    auto o = options(s);
    o.timeout = 5s;
    client c(ioc.get_executor(), o);
    auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < 20; ++i) {
        auto r = run(c.request(bhttp::verb::get, "/me"));
        BOOST_TEST_REQUIRE(r.has_value(), i << ": " << r.error().what());
        BOOST_TEST_REQUIRE(r->rate_limit.has_value());
        auto ahead = r->rate_limit->reset - std::chrono::system_clock::now();
        BOOST_TEST((ahead > 5s && ahead < 10s));  // translated to our clock through Date
    }
    BOOST_TEST(seconds_since(start) < 3.0);
    BOOST_TEST(s.requests().size() == 20u);
}

BOOST_AUTO_TEST_CASE(a_429_with_an_unparsable_reset_keeps_its_status) {
    scripted_server s(ioc, always(http_response(429, rate_limited_body, rate_headers(100, 0, "soon"))));
    auto o = options(s);
    client c(ioc.get_executor(), o);
    auto start = std::chrono::steady_clock::now();
    auto r = run(c.request(bhttp::verb::get, "/me"));
    BOOST_TEST_REQUIRE(!r.has_value());
    BOOST_TEST(r.error().code == errc::rate_limited, r.error().what());
    BOOST_TEST(r.error().diag.http_status == 429u);
    BOOST_TEST_REQUIRE(r.error().diag.rate_limit.has_value());
    BOOST_TEST(r.error().diag.rate_limit->limit == 100);
    // The 10 s fallback wait does not fit the 10 s deadline: the 429 is returned at once.
    BOOST_TEST(seconds_since(start) < 2.0);
    BOOST_TEST(s.requests().size() == 1u);
}

BOOST_AUTO_TEST_CASE(absurd_retry_after_and_reset_values_neither_overflow_nor_storm) {
    const std::vector<std::string> cases = {
        "Retry-After: 9223372037\r\n",
        "Retry-After: 18446744074\r\n",
        "Retry-After: 99999999999999999999999999\r\n",
        "Retry-After: -5\r\n" + rate_headers(10, 0, "9300000000"),
        rate_headers(10, 0, "9300000000"),
        rate_headers(10, 0, "18446744073709551616"),
    };
    for (const auto& headers : cases) {
        scripted_server s(ioc, always(http_response(429, rate_limited_body, headers)));
        auto o = options(s);
        o.timeout = 3s;
        client c(ioc.get_executor(), o);
        auto start = std::chrono::steady_clock::now();
        auto r = run(c.request(bhttp::verb::get, "/me"));
        BOOST_TEST_REQUIRE(!r.has_value());
        BOOST_TEST(r.error().code == errc::rate_limited, headers << r.error().what());
        BOOST_TEST(r.error().diag.http_status == 429u);
        BOOST_TEST(s.requests().size() == 1u, headers);  // no retry storm
        BOOST_TEST(seconds_since(start) < 2.0);
    }
}

BOOST_AUTO_TEST_SUITE_END()

// ---- 8. interim responses, 9. JSON depth --------------------------------------------------------

BOOST_FIXTURE_TEST_SUITE(hostile_interim_and_depth, fixture)

BOOST_AUTO_TEST_CASE(interim_responses_are_skipped) {
    scripted_server s(ioc, always("HTTP/1.1 100 Continue\r\n\r\n"
                                  "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n" +
                                  http_response(200, contact_json)));
    client c(ioc.get_executor(), options(s));
    for (int i = 0; i < 2; ++i) {  // the same connection serves the next request correctly
        auto r = run(c.contacts().try_retrieve("c1"));
        BOOST_TEST_REQUIRE(r.has_value(), r.error().what());
        BOOST_TEST(r->id.value().str() == "c1");
    }
    BOOST_TEST(s.requests().size() == 2u);
    BOOST_TEST(s.connections() == 1u);
}

BOOST_AUTO_TEST_CASE(endless_interim_responses_are_malformed) {
    std::string many;
    for (int i = 0; i < 20; ++i) many += "HTTP/1.1 100 Continue\r\n\r\n";
    scripted_server s(ioc, always(many + http_response(200, "{}")));
    auto o = options(s);
    o.pipeline.max_attempts = 1;
    client c(ioc.get_executor(), o);
    auto r = run(c.request(bhttp::verb::get, "/me"));
    BOOST_TEST_REQUIRE(!r.has_value());
    BOOST_TEST(r.error().code == errc::malformed_response, r.error().what());
}

BOOST_AUTO_TEST_CASE(deeply_nested_custom_attributes_decode_up_to_the_documented_depth) {
    auto nest = [](std::size_t depth) {
        std::string v = "1";
        for (std::size_t i = 0; i < depth; ++i) v = "{\"k\":" + v + "}";
        return R"({"type":"contact","id":"c1","custom_attributes":)" + v + "}";
    };
    auto deep = std::make_shared<std::size_t>(40);
    scripted_server s(ioc, [deep, nest](const seen_request&, std::size_t) {
        return scripted_reply{http_response(200, nest(*deep))};
    });
    client c(ioc.get_executor(), options(s));
    auto r = run(c.contacts().try_retrieve("c1"));
    BOOST_TEST_REQUIRE(r.has_value(), r.error().what());
    BOOST_TEST(r->id.value().str() == "c1");
    *deep = json_max_depth + 5;
    auto too_deep = run(c.contacts().try_retrieve("c1"));
    BOOST_TEST_REQUIRE(!too_deep.has_value());
    BOOST_TEST(too_deep.error().code == errc::decode_error);
    BOOST_TEST(too_deep.error().diag.message.find(std::to_string(json_max_depth)) != std::string::npos,
               too_deep.error().diag.message);
}

BOOST_AUTO_TEST_SUITE_END()

// ---- 10. stale responses on reused connections, 11. idle pruning ---------------------------------

namespace {

asio::awaitable<void> sleep_for(std::chrono::milliseconds d) {
    asio::steady_timer t(co_await asio::this_coro::executor, d);
    co_await t.async_wait(asio::use_awaitable);
}

std::string contact_with_id(const std::string& id) {
    return R"({"type":"contact","id":")" + id + R"("})";
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(hostile_connection_reuse, fixture)

BOOST_AUTO_TEST_CASE(an_unsolicited_response_on_an_idle_connection_is_never_read_as_an_answer) {
    for (bool tls : {false, true}) {
        for (bool same_write : {false, true}) {
            // Request 0 is answered, then a stray response follows (in the same write, or 50 ms
            // later). Every later request is answered with its own index.
            scripted_server s(ioc, [same_write](const seen_request&, std::size_t i) {
                scripted_reply r;
                r.bytes = http_response(200, contact_with_id("req" + std::to_string(i)));
                if (i == 0) {
                    const auto stale = http_response(200, contact_with_id("STALE"));
                    if (same_write) r.bytes += stale;
                    else {
                        r.later = stale;
                        r.later_delay = 50ms;
                    }
                }
                return r;
            }, tls);
            auto o = options(s);
            o.transport.pool.prune_interval = 0ms;  // only the check on acquire is under test here
            client c(ioc.get_executor(), o);
            auto first = run(c.contacts().try_retrieve("a"));
            BOOST_TEST_REQUIRE(first.has_value(), first.error().what());
            BOOST_TEST(first->id.value().str() == "req0");
            run(sleep_for(200ms));
            auto second = run(c.contacts().try_retrieve("b"));
            BOOST_TEST_REQUIRE(second.has_value(), second.error().what());
            BOOST_TEST(second->id.value().str() == "req1", "tls=" << tls << " same_write=" << same_write);
            BOOST_TEST(s.requests().size() == 2u);
            BOOST_TEST(s.connections() == 2u);  // the connection with stray bytes was not reused
        }
    }
}

BOOST_AUTO_TEST_CASE(idle_connections_are_pruned_without_anyone_asking) {
    // Connection A expires by idle time; connection B is closed by the server after its answer.
    scripted_server s(ioc, [](const seen_request&, std::size_t i) {
        scripted_reply r{http_response(200, "{}")};
        r.close = i == 1;
        return r;
    });
    auto o = options(s);
    o.transport.pool.idle_timeout = 400ms;
    o.transport.pool.prune_interval = 50ms;
    auto transport = std::make_shared<http::https_transport>(ioc.get_executor(), o.transport);
    client c(transport, o);
    auto origin = *http::origin::parse(s.base_url());

    BOOST_TEST(run(c.request(bhttp::verb::get, "/me")).has_value());
    BOOST_TEST(transport->stats(origin).idle == 1u);
    // The server closes this one right after answering; the pool notices without being asked.
    run(sleep_for(100ms));
    BOOST_TEST(run(c.request(bhttp::verb::get, "/me")).has_value());  // reuses the idle one (request 1)
    run(sleep_for(300ms));
    auto st = transport->stats(origin);
    BOOST_TEST(st.open == 0u);
    BOOST_TEST(st.idle == 0u);
    BOOST_TEST(st.discarded == 1u);

    BOOST_TEST(run(c.request(bhttp::verb::get, "/me")).has_value());  // a new connection
    BOOST_TEST(transport->stats(origin).idle == 1u);
    run(sleep_for(900ms));  // past idle_timeout, no call made
    st = transport->stats(origin);
    BOOST_TEST(st.open == 0u);
    BOOST_TEST(st.discarded == 2u);
    BOOST_TEST(s.closed_by_client() == 1u);  // the expired connection was closed by us
    BOOST_TEST(s.connections() == 2u);
}

BOOST_AUTO_TEST_SUITE_END()
